"""Quantities with units at the edges, SI floats inside.

Program files, the CLI and web forms give quantities as strings ("25 mA", "200 us",
"4 kHz", "40 mA*min"). :func:`parse_quantity` turns one into an SI float, once, and checks
its dimension; everything downstream works in s, m, A, V, S/m, F/m².
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from functools import lru_cache
from typing import Any

import pint

from estim.errors import InputError

__all__ = ["NUMBER_RANGE_WORDS", "finite_or_none", "format_si", "is_whole", "mega_hint",
           "parse_quantity", "unit_case_hint", "ureg"]


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    reg: pint.UnitRegistry = pint.UnitRegistry()
    # "us" is the usual ASCII spelling of microseconds on device labels and in manuals.
    reg.define("us = microsecond")
    return reg


def ureg() -> pint.UnitRegistry:
    """The shared unit registry (created on first use, not at import)."""
    return _registry()


# Dimension names accepted by parse_quantity, with the SI unit that the float is returned in.
_SI_UNITS: dict[str, str] = {
    "current": "A",
    "voltage": "V",
    "time": "s",
    "frequency": "Hz",
    "length": "m",
    "area": "m**2",
    "charge": "C",
    "resistance": "ohm",
    "capacitance": "F",
    "conductivity": "S/m",
    "energy": "J",
    "power": "W",
    "dimensionless": "dimensionless",
    "current_density": "A/m**2",
    "specific_capacitance": "F/m**2",
    "temperature": "degC",
}


_NUMBER_FIRST = re.compile(r"^[+-]?(\d|\.\d|inf|nan)", re.IGNORECASE)

#: The form a quantity may take: one decimal number (an exponent of at most three digits),
#: then a unit made of names joined by ``*``, ``/``, ``·`` or spaces, each with at most a
#: one-digit power. Anything else (``"9**9**9 mA"``, ``"2**0.5 V"``, ``"(1+1) mA"``) is
#: refused before pint evaluates it: pint evaluates expressions, and a tower of powers hangs.
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
_UNIT_NAME = r"[A-Za-z_]+(?:\s*(?:\*\*|\^)\s*[+-]?\d)?"
_QUANTITY_FORM = re.compile(
    rf"(?P<number>{_NUMBER})\s*(?P<unit>{_UNIT_NAME}(?:\s*[*/·]\s*{_UNIT_NAME}|\s+{_UNIT_NAME})*)?")
#: A length unit with its power written straight after it: cm2, mm2, m3.
_OHM = re.compile(r"(?<![A-Za-z])([kKMmu])?[oO][hH][mM][sS]?(?![A-Za-z])")
#: Hertz in any case, and kilohertz with a capital K ("80 hz" was "expected a frequency
#: with units", which it had; browser probe of 6 December 2026); "mhz" stays refused: milli
#: or mega?
_HERTZ = re.compile(r"(?<![A-Za-z])([kK]?)[hH][zZ](?![A-Za-z])")
_LENGTH_POWER = re.compile(r"(?<![A-Za-z])(km|cm|mm|um|nm|m)([23])(?!\w)")
#: Longest quantity text accepted (characters); the longest real one is about 20.
MAX_QUANTITY_CHARS = 64


@lru_cache(maxsize=4096)
def _parse(text: str, dimension: str) -> float:
    reg = _registry()
    unit = _SI_UNITS[dimension]
    q: pint.Quantity = reg.Quantity(text)
    if dimension == "temperature":
        return float(q.to(reg.degC).magnitude)
    target = reg.Quantity(1.0, unit)
    if q.dimensionality != target.dimensionality:
        raise pint.DimensionalityError(q.units, target.units)
    if "radian" in str(q.to_base_units().units):
        # rpm, degrees, turns: angles are dimensionless to pint, so "80 rpm" would quietly
        # become 8.4 Hz. No electrotherapy quantity is an angle.
        raise pint.DimensionalityError(q.units, target.units)
    if any(name in str(q.units) for name in _RADIOACTIVITY):
        # "80 Bq" was a rate of 80 Hz: decays per second are no pulse rate (probe of
        # 6 December 2026)
        raise pint.DimensionalityError(q.units, target.units)
    return float(q.to(unit).magnitude)


#: Units of radioactivity, which pint holds as 1/s: never a frequency of stimulation.
_RADIOACTIVITY = frozenset({"becquerel", "curie", "rutherford"})


#: The full-width forms (U+FF01–FF5E) and the CJK unit squares (U+3380–33DF): read through
#: NFKC, unlike superscript or circled digits, which stay refused.
_COMPATIBLE = re.compile("[\uff01-\uff5e\u3380-\u33df]+")


def parse_quantity(value: Any, dimension: str, *, field: str) -> float:
    """Parse ``value`` (a string with units, e.g. ``"25 mA"``) into an SI float.

    A bare number is accepted only for dimensionless quantities: a unitless "25" for a
    current is ambiguous (A? mA?) and is refused.

    :param value: the user's text.
    :param dimension: one of the keys of ``_SI_UNITS`` (e.g. ``"current"``).
    :param field: dotted field name used in the error message.
    :returns: the magnitude in the SI unit of that dimension.
    :raises InputError: unparsable text, wrong dimension, or a non-finite value.
    """
    if dimension not in _SI_UNITS:  # programming error, not user error
        raise KeyError(dimension)
    unit = _SI_UNITS[dimension]
    expected = (f"a number, e.g. '{_example(dimension)}'" if dimension == "dimensionless"
                else f"{_noun(dimension)} with units, e.g. '{_example(dimension)}'")
    if isinstance(value, bool):
        raise InputError(field, value, expected)
    if isinstance(value, int | float):
        if dimension == "dimensionless" and math.isfinite(value):
            return float(value)
        raise InputError(field, value, expected)
    if not isinstance(value, str) or not value.strip():
        raise InputError(field, value, expected)
    if any(unicodedata.category(c) == "Cc" for c in value.strip()):
        # "30\nmA" was 30 mA, and the report's copy of the program broke at the line
        # (probe of 6 December 2026)
        raise InputError(field, value, f"one line without control characters, e.g. "
                         f"'{_example(dimension)}'")
    # the units as estim prints them: µs, Ω, cm² (pint reads none of these three)
    # full-width characters and the one-character units ("20 ㎃", "２０ mA", "200 ㎲", "1 ㏀")
    # read as what they show (they were "no arithmetic"; probe of 6 December 2026); no
    # other compatibility form: NFKC made "10⁴ Hz" 104 Hz and "2₂ mA" 22 mA (review)
    text = _COMPATIBLE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), value.strip())
    # the minus sign typography uses ("−25 mA" got the generic message where "-25 mA" gets
    # the polarity's; hostile probe of 7 December 2026)
    text = text.replace("\u2212", "-")
    text = (text.replace("µ", "u").replace("μ", "u").replace("Ω", "ohm")
            .replace("\u2126", "ohm").replace("²", "^2").replace("³", "^3"))
    # "20 cm2" as device manuals write an area (it read as arithmetic before)
    text = _LENGTH_POWER.sub(r"\1^\2", text)
    # "1 kOhm", "1 KOhm", "500 Ohms" as device manuals write them (pint reads only "ohm";
    # "1 kOhm" was "expected a resistance with units"; probe of 6 December 2026)
    text = _OHM.sub(lambda m: {"K": "k"}.get(m.group(1) or "", m.group(1) or "") + "ohm",
                    text)
    text = _HERTZ.sub(lambda m: ("k" if m.group(1) else "") + "Hz", text)
    if len(text) > MAX_QUANTITY_CHARS:
        raise InputError(field, value[:MAX_QUANTITY_CHARS] + "...",
                         f"a quantity of at most {MAX_QUANTITY_CHARS} characters, e.g. "
                         f"'{_example(dimension)}'")
    if "%" in text:
        # "25 %" for a depth or a ratio, a bare number before it (pint reads "percent", and
        # would take "2800 mA %" for 28 mA)
        number = re.fullmatch(rf"({_NUMBER})\s*%", text)
        if dimension != "dimensionless" or number is None:
            raise InputError(field, value, "a number, or a percentage such as '25 %'"
                             if dimension == "dimensionless" else
                             f"{_noun(dimension)} with units, e.g. '{_example(dimension)}', "
                             "not a percentage")
        text = f"{number.group(1)} percent"
    if not _NUMBER_FIRST.match(text):
        # "mA" alone would be read as 1 mA: a number must come first.
        raise InputError(field, value, (expected if dimension == "dimensionless" else
                                        "a number followed by its unit, e.g. "
                                        f"'{_example(dimension)}'"))
    if re.match(r"^[+-]?(inf|nan)", text, re.IGNORECASE):
        raise InputError(field, value, "a finite number")
    form = _QUANTITY_FORM.fullmatch(text)
    typed = value.strip()
    # one comma between digits, a plain number on either side: read as the user wrote it
    # (the hint was built from the normalised text: "0,2µs" suggested '0.2 us'; review)
    comma = re.fullmatch(r"([+-]?\d+),(\d+)(?![\d,.eE])(.*)", typed)
    if form is None and comma is not None:
        # "0,2 ms" was "no arithmetic" (hostile probe of 7 December 2026)
        whole, part, rest = comma.groups()
        point = f"'{whole}.{part}{rest}'"
        if len(part) == 3:  # "1,000 mA": a thousands separator, or a decimal comma
            point = f"'{whole}{part}{rest}' or {point}"
        raise InputError(field, value, "a number with a decimal point and no comma, e.g. "
                         + point)
    if form is None:
        raise InputError(field, value, "one number and a unit, no arithmetic, e.g. "
                         f"'{_example(dimension)}'")
    try:
        out = _parse(text, dimension)
    except pint.DimensionalityError:
        if dimension == "dimensionless":
            raise InputError(field, value, f"a number without units, e.g. "
                             f"'{_example(dimension)}'") from None
        raise InputError(field, value, f"{_noun(dimension)} (in {unit} or a "
                         f"multiple, e.g. '{_example(dimension)}')"
                         + unit_case_hint(text, (dimension,))) from None
    except pint.UndefinedUnitError as err:
        # the unit named, not "with units" beside one ("80 Hertz", "2 mhz"; hostile probe
        # of 6 December 2026)
        names = "', '".join(err.unit_names if isinstance(err.unit_names, tuple | list)
                            else (str(err.unit_names),))
        hint = (": write mHz (milli) or MHz (mega)" if names.lower() == "mhz"
                else unit_case_hint(text, (dimension,)) or f", e.g. '{_example(dimension)}'")
        raise InputError(field, value, f"{_noun(dimension)} in a unit estim knows ('{names}' "
                         f"is not one){hint}") from None
    except Exception:  # pint raises many different things for garbage text
        raise InputError(field, value, expected) from None
    if not math.isfinite(out):
        raise InputError(field, value, "a finite number")
    if out == 0.0 and re.search(r"[1-9]", form.group("number").split("e")[0].split("E")[0]):
        # "1e-400 A" became 0 A, a channel switched off without a word (probe of 6 December
        # 2026)
        raise InputError(field, value, _ROUNDS_TO_ZERO)
    out += 0.0  # -0 is 0 ("-0 mA" read "-0.0" in a sweep's table)
    # to 15 significant figures, more than anyone types: the unit's conversion left
    # rounding noise ("200 us" was 0.00019999999999999998 s in results.json; probe of
    # 6 December 2026)
    return float(f"{out:.15g}")


#: Units as estim's examples write them, by dimension: a unit typed in another case is
#: suggested in this one ("25 ma" read as 25 milli-years, "expected a current").
_CASED_UNITS = {
    "current": ("A", "mA", "uA", "nA"), "voltage": ("V", "mV", "kV"),
    "time": ("s", "ms", "us", "min", "h"), "frequency": ("Hz", "kHz"),
    "charge": ("C", "mC", "uC", "mA*min"), "length": ("um", "mm", "cm", "m"),
    "conductivity": ("S/m",),
}


def unit_case_hint(value: object, dimensions: tuple[str, ...]) -> str:
    """" (did you mean '25 mA'?)" where ``value``'s unit is one of ``dimensions``' units
    typed in another case, else "" (engineer's probe of 6 December 2026: "25 ma").

    >>> unit_case_hint("25 ma", ("current", "voltage"))
    " (did you mean '25 mA'?)"
    >>> unit_case_hint("25 mA", ("current",))
    ''
    """
    form = _QUANTITY_FORM.fullmatch(str(value).strip())
    if form is None or form.group("unit") is None:
        return ""
    typed = form.group("unit")
    for dimension in dimensions:
        for unit in _CASED_UNITS.get(dimension, ()):
            if typed.lower() == unit.lower() and typed != unit:
                return f" (did you mean '{form.group('number')} {unit}'?)"
    return ""


_ROUNDS_TO_ZERO = "a number a float can hold (this one rounds to 0)"
#: What :func:`parse_quantity` says of a number with its unit that is out of a float's range:
#: a caller that words its own "expected" keeps these (they are not a missing unit).
NUMBER_RANGE_WORDS = frozenset({"a finite number", _ROUNDS_TO_ZERO})


def mega_hint(typed: object) -> str:
    """" (M is mega; did you mean '25 mA'?)" where ``typed`` is a current or a voltage
    written in MA or MV: a valid unit, so parsing gives no case hint, and the refusal said
    only that it was over the device maximum (probes of 6 and 7 December 2026); else "" (a
    value typed in kA or as 1e9 mA is not hinted at; review).

    >>> mega_hint("25 MA")
    " (M is mega; did you mean '25 mA'?)"
    >>> mega_hint("25000 kA") + mega_hint("1e9 mA") + mega_hint(25e6)
    ''
    """
    form = _QUANTITY_FORM.fullmatch(str(typed).strip()) if isinstance(typed, str) else None
    if form is None or form.group("unit") not in ("MA", "MV"):
        return ""
    return f" (M is mega; did you mean '{form.group('number')} m{form.group('unit')[1]}'?)"


_EXAMPLES = {
    "current": "25 mA", "voltage": "60 V", "time": "200 us", "frequency": "80 Hz",
    "length": "5 cm", "area": "25 cm**2", "charge": "40 mA*min", "resistance": "500 ohm",
    "capacitance": "100 nF", "conductivity": "0.2 S/m", "energy": "10 mJ",
    "power": "1 W", "dimensionless": "0.5", "current_density": "0.5 mA/cm**2",
    "specific_capacitance": "1 uF/cm**2", "temperature": "37 degC",
}


def _noun(dimension: str) -> str:
    """"a current", "an area", "a number" (not "a area", "a dimensionless")."""
    if dimension == "dimensionless":
        return "a number"
    words = dimension.replace("_", " ")
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def _example(dimension: str) -> str:
    return _EXAMPLES.get(dimension, "1")


def format_si(value: float, unit: str, *, digits: int = 3) -> str:
    """Format an SI value with an engineering prefix: ``format_si(2.5e-4, "s") == '250 µs'``."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g} {unit}"
    prefixes = [(1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "µ"),
                (1e-9, "n"), (1e-12, "p")]
    mag = abs(value)
    for scale, p in prefixes:
        if mag >= scale * 0.9995:
            return f"{value / scale:.{digits}g} {p}{unit}"
    return f"{value / 1e-12:.{digits}g} p{unit}"


def finite_or_none(x: float) -> float | None:
    """A quantity for JSON, which has no infinity: None where it is not finite (a threshold
    never reached, a ratio of nothing)."""
    return float(x) if math.isfinite(x) else None


def is_whole(n: object) -> bool:
    """An integer, numpy's too, and not a bool (True is 1 to Python, not a count).

    >>> is_whole(3), is_whole(True), is_whole(1.0)
    (True, False, False)
    """
    return isinstance(n, numbers.Integral) and not isinstance(n, bool)
