"""Read program files (TOML) into validated :class:`Program` values.

Every problem becomes an :class:`InputError` naming the field (as a dotted path the user can
find in the file), the value and what was expected. Nothing else escapes: not a pydantic
``ValidationError``, not a ``KeyError``, not a ``TOMLDecodeError``.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from estim.errors import Described, InputError
from estim.program.errors import (
    ProgramError,
    dedupe,
    nearest_key,
    not_utf8,
    problem,
    toml_error,
)
from estim.program.model import STIMULATION_TYPES, Program

__all__ = ["MAX_DEPTH", "MAX_ITEMS", "MAX_PROGRAM_BYTES", "ProgramError", "load_program",
           "parse_program", "program_from_dict"]


#: Largest program file read (bytes): the bundled programs are about 1 kB.
MAX_PROGRAM_BYTES = 1 << 20
#: Deepest nesting of tables and arrays in a program (a program needs 5).
MAX_DEPTH = 16
#: Most keys and array items in a program, all levels together.
MAX_ITEMS = 10_000


def bundled_examples() -> dict[str, Path]:
    """The bundled example programs by name (file stem); here, below the loader that names
    them in its refusal (``estim.program.bundled`` re-exports it)."""
    root = resources.files("estim") / "examples"
    out: dict[str, Path] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            out[entry.name.removesuffix(".toml")] = Path(str(entry))
    return out


def load_program(path: str | Path) -> Program:
    """Read and validate a program file.

    Only a regular file of at most :data:`MAX_PROGRAM_BYTES` is read: a FIFO or a device
    (``/dev/zero``) is refused without blocking or reading it.

    :param path: a ``.toml`` file.
    :raises ProgramError: the file is missing, unreadable, not TOML, or not a valid program.
    """
    if not isinstance(path, str | os.PathLike) or isinstance(path, bytes):
        raise ProgramError([InputError("program", path, "a path to a program file (text or "
                                       "pathlib.Path)")])  # None was pathlib's TypeError
    p = Path(path)
    try:
        text = _read_regular(p)
    except FileNotFoundError:
        # the CLI takes a bundled example's name, this a file (researcher's probe of
        # 7 December 2026): said where the name is an example's
        named = (f"; {str(p)!r} is a bundled example: load_program(bundled_examples()"
                 f"[{str(p)!r}])" if str(p) in bundled_examples() else "")
        raise ProgramError([InputError("program", str(p),
                                       f"an existing program file{named}")]) from None
    except InputError as err:
        raise ProgramError([err]) from None
    except UnicodeDecodeError as err:  # the byte and where, in words
        raise ProgramError([InputError("program", str(p), not_utf8(err))]) from None
    except (OSError, ValueError) as err:  # ValueError: a NUL in the path
        raise ProgramError(
            [InputError("program", str(p), f"a readable UTF-8 TOML file ({err})")]) from None
    return parse_program(text.removeprefix("\ufeff"), source=str(p))  # editors' BOM


def _read_regular(p: Path) -> str:
    """The text of ``p``, opened without blocking, if it is a regular file of bounded size."""
    fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("program", str(p), "a regular program file (not a directory, "
                             "FIFO or device)")
        if info.st_size > MAX_PROGRAM_BYTES:
            raise InputError("program", str(p), f"a program file of at most "
                             f"{MAX_PROGRAM_BYTES // 1024} KiB (it has {info.st_size:,} bytes)")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_PROGRAM_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_PROGRAM_BYTES:  # grew while being read
        raise InputError("program", str(p), f"a program file of at most "
                         f"{MAX_PROGRAM_BYTES // 1024} KiB")
    _plain_text(data, p)
    return data.decode("utf-8")


def _plain_text(data: bytes, p: Path) -> None:
    """Refuse, in words, the files an editor can save differently: UTF-16, old Mac line
    ends, an empty file (the decoder and the TOML parser name a byte or a column)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (b"\x00" in data[:200] and len(data) > 1):
        raise InputError("program", str(p), "a UTF-8 text file (it is UTF-16 or binary: save "
                         "it as UTF-8)")
    if b"\r" in data and b"\n" not in data:
        raise InputError("program", str(p), "a text file whose lines end in LF or CR LF (they "
                         "end in CR alone, an old Mac format: save it with LF)")
    if not data.strip():
        raise InputError("program", str(p), "a program, not an empty file (`estim new NAME "
                         "-o FILE.toml` copies an example to start from)")


def parse_program(text: str, *, source: str = "") -> Program:
    """Validate a program given as TOML text (at most :data:`MAX_PROGRAM_BYTES`)."""
    if not isinstance(text, str):  # a Path, bytes, a dict: tomllib's TypeError before
        what = ("the text of a program (for a file: load_program)"
                if isinstance(text, os.PathLike) else "the text of a program (str)")
        raise ProgramError([InputError("program", type(text).__name__, what)], source=source)
    if len(text) > MAX_PROGRAM_BYTES:
        raise ProgramError([InputError("program", source or "<text>",
                                       f"a program of at most {MAX_PROGRAM_BYTES // 1024} KiB")],
                           source=source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ProgramError([InputError("file", source or "<text>",
                                       f"valid TOML ({toml_error(err, text)})")],
                           source=source) from None
    except RecursionError:
        raise ProgramError([_too_deep()], source=source) from None
    return program_from_dict(data, source=source)


def _too_deep() -> InputError:
    return InputError("program", "<deeply nested>",
                      f"tables and arrays nested at most {MAX_DEPTH} deep")


def _check_shape(data: Mapping[str, Any]) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` and more than :data:`MAX_ITEMS` entries,
    walking the data without recursion (so that no depth can overflow the stack)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    items = 0
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        children = node.values() if isinstance(node, Mapping) else node
        for child in children:
            items += 1
            if isinstance(child, Mapping | list | tuple):
                stack.append((child, depth + 1))
        if items > MAX_ITEMS:
            raise InputError("program", f"more than {MAX_ITEMS:,} entries",
                             f"at most {MAX_ITEMS:,} keys and array items")


def _electrode_size(field: str) -> bool:
    """Whether a problem's field is an electrode's size or shape (what a lead's contact
    takes from the site)."""
    import re

    return re.fullmatch(r"channels\[\d+\]\.(anode|cathode)\.(width|length|diameter|area|"
                        r"shape|contact_length|size)", field) is not None


def program_from_dict(data: Mapping[str, Any], *, source: str = "") -> Program:
    """Validate a program given as the mapping a TOML file parses into."""
    if not isinstance(data, Mapping):
        raise ProgramError([InputError("program", type(data).__name__, "a table")],
                           source=source)
    try:
        _check_shape(data)
    except InputError as err:
        raise ProgramError([err], source=source) from None
    try:
        return Program.model_validate(dict(data))
    except ValidationError as err:
        errors = err.errors(include_url=False)
        # pydantic reports a tuple whose items failed as "too short" as well: drop that echo.
        errors = [e for e in errors if not (e["type"] == "too_short" and any(
            o is not e and tuple(o["loc"][: len(e["loc"])]) == tuple(e["loc"]) for o in errors))]
        # a misspelt key explains the required one it stands for: one message, not "pulse_width
        # missing" beside "pulse_widht unknown" (probe of 6 December 2026)
        meant = {(tuple(e["loc"][:-1]), nearest_key(str(e["loc"][-1]),
                                                    _allowed(tuple(e["loc"][:-1])).split(", ")))
                 for e in errors if e["type"] == "extra_forbidden" and e["loc"]}
        errors = [e for e in errors if not (
            e["type"] == "missing" and e["loc"]
            and (tuple(e["loc"][:-1]), str(e["loc"][-1])) in meant)] or errors
        problems = [_as_written(data, problem(e, tags=STIMULATION_TYPES, allowed=_allowed))
                    for e in errors]
        if any(p.field == "site" for p in problems):
            # without a site no lead gives the contacts their sizes: "site = 'stn'" also
            # read as a missing cathode width (probe of 5 December 2026)
            problems = [p for p in problems if not _electrode_size(p.field)] or problems
        raise ProgramError(dedupe(problems), source=source) from None
    except InputError as err:  # raised outside pydantic's wrapping (should not happen)
        raise ProgramError([err], source=source) from None
    except RecursionError:
        raise ProgramError([InputError("program", "<deeply nested>", "a flat program table")],
                           source=source) from None


_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def _as_written(data: Mapping[str, Any], err: InputError) -> InputError:
    """``err`` with the value as the file has it at the field's path ("200 us", not the
    0.0002 s a cross-field check saw), where that path names a plain value in ``data``; a
    value said in words (an unknown key's "the key 'mode'") is kept."""
    if isinstance(err.value, Described):
        return err
    node: Any = data
    for key, index in _STEP.findall(err.field):
        if index:
            if not (isinstance(node, list) and int(index) < len(node)):
                return err
            node = node[int(index)]
        elif isinstance(node, Mapping) and key in node:
            node = node[key]
        else:
            return err
    if isinstance(node, str | int | float) and not isinstance(node, bool) and (
            type(node) is not type(err.value) or node != err.value):  # 0, not 0.0
        return InputError(err.field, node, err.expected)
    return err


def _allowed(parent: tuple[int | str, ...]) -> str:
    """The keys allowed at ``parent`` (walks the model classes along the location)."""
    model: Any = Program
    for item in parent:
        if isinstance(item, int) or model is None:
            continue
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(str(item))
            if field is None:
                model = _stimulation_class(str(item))
                continue
            model = _model_of(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return ", ".join(model.model_fields)
    return "see the documentation"


def _stimulation_class(tag: str) -> Any:
    from estim.program import model as m

    classes = {"tens": m.TENS, "nmes": m.NMES, "ems": m.NMES, "russian": m.Russian,
               "interferential": m.Interferential, "hvpc": m.HVPC,
               "microcurrent": m.Microcurrent, "iontophoresis": m.Iontophoresis, "dbs": m.DBS}
    return classes.get(tag)


def _model_of(annotation: Any) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None
