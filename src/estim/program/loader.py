"""Read program files (TOML) into validated :class:`Program` values.

Every problem becomes an :class:`InputError` naming the field (as a dotted path the user can
find in the file), the value and what was expected. Nothing else escapes: not a pydantic
``ValidationError``, not a ``KeyError``, not a ``TOMLDecodeError``.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from estim.errors import InputError
from estim.program.model import STIMULATION_TYPES, Program

__all__ = ["MAX_DEPTH", "MAX_ITEMS", "MAX_PROGRAM_BYTES", "ProgramError", "load_program",
           "parse_program", "program_from_dict"]


class ProgramError(InputError):
    """One or more problems in a program; ``problems`` holds each as an :class:`InputError`."""

    def __init__(self, problems: list[InputError], *, source: str = "") -> None:
        first = problems[0]
        super().__init__(first.field, first.value, first.expected)
        self.problems = problems
        where = f"{source}: " if source else ""
        lines = [f"{where}{p.field}: got {p.value!r}, expected {p.expected}" for p in problems]
        self.args = ("\n".join(lines),)

    def __str__(self) -> str:
        return str(self.args[0])


#: Largest program file read (bytes): the bundled programs are about 1 kB.
MAX_PROGRAM_BYTES = 1 << 20
#: Deepest nesting of tables and arrays in a program (a program needs 5).
MAX_DEPTH = 16
#: Most keys and array items in a program, all levels together.
MAX_ITEMS = 10_000


def load_program(path: str | Path) -> Program:
    """Read and validate a program file.

    Only a regular file of at most :data:`MAX_PROGRAM_BYTES` is read: a FIFO or a device
    (``/dev/zero``) is refused without blocking or reading it.

    :param path: a ``.toml`` file.
    :raises ProgramError: the file is missing, unreadable, not TOML, or not a valid program.
    """
    p = Path(path)
    try:
        text = _read_regular(p)
    except FileNotFoundError:
        raise ProgramError([InputError("program", str(p), "an existing program file")]) from None
    except InputError as err:
        raise ProgramError([err]) from None
    except (OSError, UnicodeDecodeError) as err:
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
    return data.decode("utf-8")


def parse_program(text: str, *, source: str = "") -> Program:
    """Validate a program given as TOML text (at most :data:`MAX_PROGRAM_BYTES`)."""
    if len(text) > MAX_PROGRAM_BYTES:
        raise ProgramError([InputError("program", source or "<text>",
                                       f"a program of at most {MAX_PROGRAM_BYTES // 1024} KiB")],
                           source=source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ProgramError([InputError("file", source or "<text>", f"valid TOML ({err})")],
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
        problems = [_problem(e) for e in errors]
        raise ProgramError(_dedupe(problems), source=source) from None
    except InputError as err:  # raised outside pydantic's wrapping (should not happen)
        raise ProgramError([err], source=source) from None
    except RecursionError:
        raise ProgramError([InputError("program", "<deeply nested>", "a flat program table")],
                           source=source) from None


def _dedupe(problems: list[InputError]) -> list[InputError]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if p.field not in seen:
            seen.add(p.field)
            out.append(p)
    return out


def _path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in STIMULATION_TYPES and parts and parts[-1].endswith("stimulation"):
            continue  # the discriminator tag pydantic puts in the location
        elif item.startswith("function-") or item in ("tagged-union",):
            continue
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts)


def _problem(e: Mapping[str, Any]) -> InputError:
    loc = tuple(e.get("loc", ()))
    path = _path(loc)
    kind = e.get("type", "")
    value = e.get("input")
    ctx = e.get("ctx") or {}
    inner = ctx.get("error")
    if isinstance(inner, InputError):
        field = f"{path}.{inner.field}" if path and inner.field else (inner.field or path)
        return InputError(field or "program", inner.value, inner.expected)
    if kind == "missing":
        return InputError(path, "(missing)", "a value: this field is required")
    if kind == "extra_forbidden":
        parent = loc[:-1]
        return InputError(path, value, f"a known key ({_allowed(parent)})")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        field = path + ".type" if not path.endswith("type") else path
        return InputError(field, ctx.get("tag", value),
                          f"one of {', '.join(repr(t) for t in STIMULATION_TYPES)}")
    if kind == "enum":
        return InputError(path, value, f"one of {ctx.get('expected', '')}")
    if kind == "literal_error":
        return InputError(path, value, f"one of {ctx.get('expected', '')}")
    if kind == "value_error":
        msg = str(e.get("msg", "")).removeprefix("Value error, ")
        return InputError(path, _short(value), msg)
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return InputError(path, _short(value), str(e.get("msg", "")).lower())
    if kind == "too_short":
        return InputError(path, _short(value), "at least one entry")
    return InputError(path or "program", _short(value), str(e.get("msg", "")))


def _short(value: Any) -> Any:
    if isinstance(value, dict | list) and len(repr(value)) > 80:
        return repr(value)[:77] + "..."
    return value


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
