"""A program written back as a program file: TOML that loads to the same program.

A program built or changed in Python (``Program.replace``, ``channel.replace``) could be
simulated but not saved for ``estim run`` or shared (researcher's probe of 7 December
2026). :func:`program_to_toml` writes each field the program's author set, quantities with
their units (``"25 mA"``, ``"200 us"``), and nothing that loading fills in by default, so
the file reads like one written by hand; :func:`save_program` writes it to a new file.

>>> from estim.program.bundled import resolve_program
>>> tens = resolve_program("tens_conventional")[0]
>>> ch = tens.channels[0]
>>> stronger = tens.replace(channels=(ch.replace(
...     stimulation=ch.stimulation.replace(amplitude="30 mA")),))
>>> text = program_to_toml(stronger)
>>> print(text[text.index("[channels.stimulation]"):].strip())
[channels.stimulation]
type = "tens"
mode = "conventional"
amplitude = "30 mA"
frequency = "80 Hz"
pulse_width = "200 us"
pulse = "symmetric_biphasic"
duration = "30 min"
"""

from __future__ import annotations

import enum
import functools
import math
import os
import sys
import tempfile
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel

from estim.errors import InputError
from estim.program.common import Amplitude
from estim.program.model import Electrode, ElectrodeShape, Program
from estim.units import parse_quantity
from estim.version import __version__

__all__ = ["program_to_toml", "save_program"]

#: The unit each quantity is written in, by its dimension, with the prefixes tried from the
#: largest: the first whose number reads back to the same float is written (a value no
#: prefix holds exactly is written in SI with all its digits).
_UNITS: dict[str, tuple[tuple[str, float], ...]] = {
    "current": (("A", 1.0), ("mA", 1e-3), ("uA", 1e-6), ("nA", 1e-9)),
    "voltage": (("kV", 1e3), ("V", 1.0), ("mV", 1e-3)),
    "time": (("h", 3600.0), ("min", 60.0), ("s", 1.0), ("ms", 1e-3), ("us", 1e-6)),
    # no mHz: "mhz" is milli or mega to a reader (0.5 Hz read "500 mHz"; hostile probe)
    "frequency": (("kHz", 1e3), ("Hz", 1.0)),
    "length": (("m", 1.0), ("cm", 1e-2), ("mm", 1e-3), ("um", 1e-6)),
    "area": (("cm^2", 1e-4), ("mm^2", 1e-6), ("m^2", 1.0)),
    "charge": (("C", 1.0), ("mC", 1e-3), ("uC", 1e-6), ("nC", 1e-9)),
    "resistance": (("Mohm", 1e6), ("kohm", 1e3), ("ohm", 1.0)),
    "capacitance": (("F", 1.0), ("mF", 1e-3), ("uF", 1e-6), ("nF", 1e-9), ("pF", 1e-12)),
}


#: Fields written in a unit of their own: an iontophoretic dose in mA·min, as labels give it.
_FIELD_UNITS: dict[str, tuple[tuple[str, float], ...]] = {
    "dose": (("mA*min", 60e-3),) + _UNITS["charge"],
}


def program_to_toml(program: Program) -> str:
    """``program`` as a program file: what :func:`estim.program.parse_program` reads back
    to an equal program (tested on every bundled example). A quantity is written to the 15
    significant figures a program file holds: a program built in Python with more digits
    reads back rounded there, as any file of it would.

    Only the fields set when the program was built are written (as in the file it came
    from): a default is left to loading, so that a rule on which fields go together (a DBS
    channel's recharge) reads the file as it read the program.
    """
    if not isinstance(program, Program):
        raise InputError("program", type(program).__name__,
                         "a Program (load_program, parse_program or program_from_dict)")
    head = (f"# written by estim {__version__} (estim.program.save_program); "
            "quantities carry their units\n")
    text = head + tomli_w.dumps(_table(program))
    # what a file holds is read back: a value past 15 figures rounds there, and a rule at
    # its edge (a modulation period of 10 pulse periods, 3.3333333333333335 s at 3 Hz) can
    # refuse the rounded value (hostile probe of 7 December 2026)
    from estim.program.errors import ProgramError
    from estim.program.loader import parse_program

    try:
        parse_program(text)
    except ProgramError as err:
        first = err.problems[0]
        raise InputError("program", first.field,
                         f"a program a file can hold: written, it reads back refused "
                         f"({first.field}: got {first.value!r}, expected {first.expected}); "
                         "a file holds 15 significant figures, so round the value in "
                         "Python first") from None
    return text


def save_program(program: Program, path: str | os.PathLike[str], *,
                 overwrite: bool = False) -> Path:
    """Write ``program`` to ``path`` as a program file (:func:`program_to_toml`) and
    return the path. An existing file is kept unless ``overwrite``: nothing a user wrote is
    replaced by accident."""
    if not isinstance(overwrite, bool):  # "no" is truthy: it overwrote (hostile probe)
        raise InputError("overwrite", overwrite, "True or False")
    if not isinstance(path, str | os.PathLike) or isinstance(path, bytes):
        raise InputError("path", type(path).__name__, "a file name (str or Path)")
    name = os.fspath(path)
    if "\0" in name:
        raise InputError("path", repr(name), "a file name without a NUL character")
    try:
        name.encode(sys.getfilesystemencoding())
    except UnicodeEncodeError:  # "\ud800x.toml" (review of 7 December 2026)
        raise InputError("path", repr(name), "a file name the file system can hold") from None
    try:
        data = program_to_toml(program).encode("utf-8")
    except UnicodeEncodeError as err:  # a lone surrogate in a name
        raise InputError("program", repr(err.object[err.start:err.end]),
                         "text a file can hold (a lone surrogate is not a character)") from None
    p = Path(name)
    try:
        if p.is_dir():
            raise InputError("path", str(p), "a file name, not a folder")
        if overwrite and p.is_symlink():  # the file it points to, as an editor writes it
            p = p.resolve()
        if p.exists() and not p.is_file():
            # overwrite=True replaced /dev/null and /dev/full with a plain file as root, and a
            # user's named pipe (hostile probe of 7 December 2026); the CLI never did
            raise InputError("path", str(p), "a regular file or a new name, not a device, a "
                             "named pipe or a socket (estim never replaces those)")
        # written beside it under a short name of its own and moved into place: a failed
        # write left the file it was to replace empty (hostile probe of 7 December 2026)
        fd, tmp_name = tempfile.mkstemp(dir=p.parent, prefix=".estim-", suffix=".tmp")
    except OSError as err:
        raise InputError("path", str(p), f"a file estim can write ({err.strerror})") from None
    tmp = Path(tmp_name)
    try:
        # the permissions a file made in this folder gets (mkstemp's are the owner's alone)
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if overwrite:
            os.replace(tmp, p)
        else:
            try:
                os.link(tmp, p)  # fails where the file exists, without touching it
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links: an exclusive create
                with p.open("xb") as f:
                    f.write(data)
    except FileExistsError:
        raise InputError("path", str(p), "a file that does not exist yet (or overwrite=True "
                         "to replace it)") from None
    except OSError as err:
        raise InputError("path", str(p), f"a file estim can write ({err.strerror})") from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # already moved into place, or gone with its folder
            pass
    return p


def _table(model: BaseModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields = type(model).model_fields
    for name, field in fields.items():
        if name not in model.model_fields_set and not field.is_required():
            continue
        value = getattr(model, name)
        if value is None:
            continue  # None is what an absent key loads as
        dimension = _dimension(field.metadata) or _dimension(typing.get_args(field.annotation))
        out[name] = _value(value, dimension, _FIELD_UNITS.get(name))
    for name, value in (model.model_extra or {}).items():  # a site's overrides, as written
        out[name] = value
    # what a stimulation is comes first, as in the bundled files
    first = [k for k in ("type", "mode") if k in out]
    return {k: out[k] for k in first} | {k: v for k, v in out.items() if k not in first}


def _value(value: Any, dimension: str | None,
           units: tuple[tuple[str, float], ...] | None = None) -> Any:
    if isinstance(value, Amplitude):
        return _quantity(value.value, "current" if value.unit == "A" else "voltage")
    if isinstance(value, Electrode) and value.shape is ElectrodeShape.LEAD_CONTACT:
        # a lead's contact takes its shape and size from the lead, which refuses them
        # written (estim.program.leads)
        return {"placement": value.placement}
    if isinstance(value, BaseModel):
        return _table(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_value(v, dimension) for v in value]
    if isinstance(value, float) and dimension is not None:
        return _quantity(value, dimension, units)
    return value


def _quantity(value: float, dimension: str,
              units: tuple[tuple[str, float], ...] | None = None) -> str | float:
    """The text with a unit (of ``units``, else the dimension's; the first prefix that
    reads back to the same float) for ``value``, to the 15 significant figures a program
    file holds (:func:`estim.units.parse_quantity` rounds there).

    >>> _quantity(2e-4, "time"), _quantity(2.4, "charge", _FIELD_UNITS["dose"])
    ('200 us', '40 mA*min')
    >>> _quantity(0.1 + 0.2, "current")  # 0.30000000000000004: a file holds 15 figures
    '300 mA'
    """
    if dimension == "dimensionless":
        return value
    units = units or _UNITS[dimension]
    if value != 0 and math.isfinite(value):
        for unit, scale in units:
            if abs(value) >= scale * (1 - 1e-12) or unit == units[-1][0]:
                text = f"{value / scale:.15g} {unit}"
                if _reads_back(text, dimension) == _held(value):
                    return text
    base = next(u for u, s in _UNITS[dimension] if s == 1.0)
    return f"{value:.15g} {base}"


def _held(value: float) -> float:
    """``value`` as a program file holds it: 15 significant figures."""
    return float(f"{value:.15g}")


@functools.lru_cache(maxsize=512)
def _reads_back(text: str, dimension: str) -> float:
    try:
        return parse_quantity(text, dimension, field="")
    except InputError:  # a prefix the parser refuses: the next one is tried
        return math.nan


def _dimension(metadata: Iterable[Any]) -> str | None:
    """The dimension of a quantity field (:mod:`estim.program.quantities`), from its
    validator, looking through ``X | None`` and ``Annotated``."""
    for item in metadata:
        func = getattr(item, "func", None)
        args = getattr(func, "args", ())
        if args and isinstance(args[0], str) and args[0] in (*_UNITS, "dimensionless"):
            return str(args[0])
        inner = getattr(item, "__metadata__", None)
        if inner is not None:
            found = _dimension(inner)
            if found is not None:
                return found
        if typing.get_args(item):
            found = _dimension(typing.get_args(item))
            if found is not None:
                return found
    return None
