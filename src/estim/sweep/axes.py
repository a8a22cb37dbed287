"""Sweep axes: a program field and the values it takes, as the user wrote them.

>>> axis = parse_axis("pulse_width=50,100,200us")
>>> axis.values
('50 us', '100 us', '200 us')
>>> axis.column, axis.numbers
('pulse_width_us', (50.0, 100.0, 200.0))
>>> parse_axis("amplitude=5..40mA:8").values[:3]
('5 mA', '10 mA', '15 mA')

The values stay text with units: each is written into the program as if typed in the file,
so the program loader parses and checks it (the same limits as a file). Where a value goes:

* ``NAME`` alone: ``stimulation.NAME`` of every channel (``pulse_width``, ``amplitude``);
* ``stimulation.NAME``, ``anode.NAME``, ``cathode.NAME``: that table of every channel;
  ``electrodes.NAME``: both electrodes of every channel (``electrodes.width=3..7cm:5``);
* ``site.NAME``, ``device.NAME``: the site (its overrides, ``site.fat_thickness``) and the
  device; ``channels[1].stimulation.amplitude``: one channel;
* ``subject``: virtual subjects (their indices, :mod:`estim.sweep.subject`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from estim.errors import InputError

__all__ = ["MAX_AXIS_VALUES", "MAX_SUBJECT", "SUBJECT", "Axis", "apply_axis", "axis_from_values",
           "parse_axis", "same_field"]

#: The axis name of virtual subjects.
SUBJECT = "subject"
#: Most values one axis may take.
MAX_AXIS_VALUES = 10_000
#: Largest virtual subject number (a float holds every whole number up to it exactly, as the
#: values pass through one).
MAX_SUBJECT = 1_000_000_000

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
_UNIT = r"(?:%|[A-Za-zµμΩ_][A-Za-z0-9µμΩ_*/^·]*)"  # '%' alone: a percentage
_TOKEN = re.compile(rf"\s*(?P<number>{_NUMBER})\s*(?P<unit>{_UNIT})?\s*")
_RANGE = re.compile(rf"\s*(?P<a>{_NUMBER})\s*(?P<ua>{_UNIT})?\s*\.\.\s*(?P<b>{_NUMBER})\s*"
                    rf"(?P<ub>{_UNIT})?\s*:\s*(?P<n>{_NUMBER})\s*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?(?:\.[A-Za-z_][A-Za-z0-9_]*"
                   r"(?:\[\d+\])?)*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_ ,.-]*")

#: Tables of every channel that a bare first part names.
_PER_CHANNEL = ("stimulation", "anode", "cathode")

Value = str | float | int


@dataclass(frozen=True)
class Axis:
    """One swept field.

    :param name: where the values go (see the module documentation).
    :param values: each value as it is written into the program (text with units, a number
        for a dimensionless field, or a word such as ``monophasic``).
    :param unit: the unit of the column (the one the user wrote; None: no unit).
    :param numbers: each value in ``unit`` (None for a word), for the table and the plots.
    :param option: how the user gave the axis (``--vary pulse_width``), named in errors.
    """

    name: str
    values: tuple[Value, ...]
    unit: str | None
    numbers: tuple[float | None, ...]
    option: str = ""

    @property
    def column(self) -> str:
        """The table column: the name with its unit (``pulse_width_us``)."""
        return f"{self.name}_{_unit_word(self.unit)}" if self.unit else self.name

    @property
    def numeric(self) -> bool:
        return all(n is not None for n in self.numbers)

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        shown = ", ".join(str(v) for v in self.values[:4])
        more = f", ... ({len(self.values)} values)" if len(self.values) > 4 else ""
        return f"Axis({self.name!r}: {shown}{more})"


def _unit_word(unit: str) -> str:
    """A unit as a column-name suffix: ``µA`` -> ``uA``, ``mA/cm**2`` -> ``mA_per_cm2``."""
    text = unit.replace("µ", "u").replace("μ", "u").replace("Ω", "ohm").replace("%", "pct")
    return text.replace("**", "").replace("^", "").replace("/", "_per_").replace("*", "_")


def _option(name: str, option: str | None) -> str:
    return option or f"--vary {name}"


def parse_axis(text: str, *, option: str | None = None) -> Axis:
    """An axis from ``NAME=VALUES`` as typed after ``--vary``.

    ``VALUES`` is a list (``50,100,200us``: a bare number takes the unit of the last value,
    so ``10,20,30%`` are three percentages) or a range ``A..B:N`` (``5..40mA:8``: ``N``
    evenly spaced values from A to B).

    :raises InputError: no ``=``, a malformed name, or values that are neither.
    """
    if not isinstance(text, str) or "=" not in text:
        raise InputError(option or "--vary", text, "NAME=VALUES, e.g. 'pulse_width=50,100us' "
                         "or 'amplitude=5..40mA:8'")
    name, spec = (part.strip() for part in text.split("=", 1))
    return axis_from_values(name, spec, option=_option(name, option))


def axis_from_values(name: str, spec: str | Sequence[Value], *, option: str | None = None
                     ) -> Axis:
    """An axis from its name and values: a ``--vary`` text (``"5..40mA:8"``) or a list of
    values as a sweep file gives them (``["50 us", "100 us"]``)."""
    opt = _option(name, option)
    if not isinstance(name, str) or not _NAME.fullmatch(name) or len(name) > 100:
        raise InputError(opt, name, "a field name such as pulse_width, site.fat_thickness "
                         "or channels[1].stimulation.amplitude")
    if isinstance(spec, str):
        if not spec.strip():
            raise InputError(opt, spec, "at least one value")
        if len(spec) > 100_000:
            raise InputError(opt, spec[:40] + "...", "at most 100,000 characters of values")
        match = _RANGE.fullmatch(spec)
        items = _range(match, opt, spec) if match else _list(spec.split(","), opt)
    elif isinstance(spec, Sequence) and not isinstance(spec, bytes):
        items = _list(list(spec), opt)
    else:
        raise InputError(opt, spec, "a list of values or a range such as '5..40mA:8'")
    if not items:
        raise InputError(opt, spec, "at least one value")
    if len(items) > MAX_AXIS_VALUES:
        raise InputError(opt, f"{len(items):,} values", f"at most {MAX_AXIS_VALUES:,} values")
    if name == SUBJECT:
        return _subject_axis(items, opt)
    words = [w for _, _, w in items if w is not None]
    if words and len(words) < len(items):
        # "5,nanmA": the word was taken for a recipe's word and 5 blamed for its missing
        # unit (probe of 6 December 2026); a word among numbers is what is wrong
        raise InputError(opt, words[0], "a finite number with its unit like the other "
                         "values (or words alone, for a field of words)")
    unit = next((u for _, u, _ in reversed(items) if u), None)
    if unit == "%":
        _check_percentages(spec, items, opt)
    elif unit is not None:
        _check_bare_numbers(spec, items, opt)
    values: list[Value] = []
    numbers: list[float | None] = []
    for number, own, word in items:
        if word is not None:
            values.append(word)
            numbers.append(None)
            continue
        assert number is not None
        use = own or unit
        if use is None:  # a bare number for a dimensionless field
            values.append(int(number) if number.is_integer() else number)
            numbers.append(number)
            continue
        values.append(f"{number:.12g} {use}")
        numbers.append(number if use == unit else _convert(number, use, unit, opt))
    return Axis(name, tuple(values), unit, tuple(numbers), opt)


_Item = tuple[float | None, str | None, str | None]  # number, its unit, or a word

_FRACTION_OR_PERCENT = ("a number on a ratio is a fraction, so give all as fractions or all "
                        "as percentages")


def _check_bare_numbers(spec: str | Sequence[Value], items: list[_Item], opt: str) -> None:
    """Refuse a number without a unit that the shorthand does not cover: ``10,20mA`` are
    two currents, but ``10mA,0.02`` ran 0.02 mA, and a sweep file's ``["10 mA", 0.02]``
    too, where a program file refuses a number without its unit (probe of 5 December
    2026)."""
    last = max(k for k, (_, u, _) in enumerate(items) if u)
    for k, (number, own, word) in enumerate(items):
        if number is not None and own is None and word is None \
                and (k > last or not isinstance(spec, str)):
            raise InputError(opt, spec, f"a unit on {number:g} too: only the numbers before "
                             "the last unit take it ('10,20mA')" if isinstance(spec, str)
                             else f"a unit on {number:g} too, as in a program file "
                             "('20 mA')")


def _check_percentages(spec: str | Sequence[Value], items: list[_Item], opt: str) -> None:
    """Refuse a bare number that could be a fraction beside percentages: in a sweep file
    any (a number on a ratio is a fraction there, as in a program file); after ``--vary``'s
    last percentage one that the shorthand does not cover (``10,20,30%`` are three
    percentages, but in ``10%,0.2`` the 0.2 would be 0.2 % where a ratio's 0.2 is 20 %)."""
    if not isinstance(spec, str):
        # a number, or a text of a number without its % ("0.2" ran 0.2 %; review)
        typed = next((v for v, (n, u, w) in zip(spec, items, strict=True)
                      if isinstance(v, int | float) or (n is not None and u is None
                                                         and w is None)), None)
        if typed is not None:
            raise InputError(opt, typed, f"a percentage such as '20%' like the others: "
                             f"{_FRACTION_OR_PERCENT}")
        return
    last = max(i for i, (_, u, _) in enumerate(items) if u)
    after = next((n for n, u, w in items[last + 1:] if u is None and w is None), None)
    if after is not None:
        raise InputError(opt, f"{after:g}", f"'{after:g}%' or all as fractions: a bare number "
                         f"after the last percentage is ambiguous ({_FRACTION_OR_PERCENT})")
    # before it, a bare number below 1 reads as a fraction as readily: '0.1,20%' ran 0.1 %
    # where 10 % was meant (probe of 5 December 2026)
    small = next((n for n, u, w in items[:last]
                  if u is None and w is None and n is not None and 0 < abs(n) <= 1), None)
    if small is not None:
        raise InputError(opt, f"{small:g}", f"'{small:g}%' or '{small * 100:g}%': a bare "
                         "number up to 1 before a percentage is ambiguous "
                         f"({_FRACTION_OR_PERCENT})")


def _range(match: re.Match[str], opt: str, spec: str) -> list[_Item]:
    a, b, count = float(match["a"]), float(match["b"]), float(match["n"])
    whole = "A..B:N with N a whole number of at least 2 (N values from A to B)"
    if not (math.isfinite(count) and count.is_integer() and count >= 1):
        # ':2.5' and ':-1' got the generic "a number with its unit" (probe of 6 December
        # 2026)
        raise InputError(opt, spec, whole)
    if count > MAX_AXIS_VALUES:
        raise InputError(opt, spec, f"at most {MAX_AXIS_VALUES:,} values")
    n = int(count)
    ua, ub = match["ua"], match["ub"]
    unit = ub or ua
    if not (math.isfinite(a) and math.isfinite(b)):
        # 1e400 read as inf: "got 'inf mA', expected each value once" named nothing typed
        # (probe of 5 December 2026)
        raise InputError(opt, spec, "a range between two finite numbers")
    if ua and not ub:
        # '5mA..40:3' ran 5 to 40 mA, where the list '5mA,40' is refused (probe of
        # 6 December 2026): the shorthand's unit is the last one, after B
        raise InputError(opt, spec, f"a unit on {b:g} too: in A..B:N the unit after B "
                         "covers A ('5..40mA:8')")
    if ub == "%" and not ua and 0 < abs(a) <= 1:
        # '0.1..30%:3' ran from 0.1 %, where the list '0.1,30%' is refused as ambiguous
        raise InputError(opt, f"{a:g}", f"'{a:g}%' or '{a * 100:g}%': a bare number up to "
                         f"1 before a percentage is ambiguous ({_FRACTION_OR_PERCENT})")
    if ua and ub and ua != ub:
        try:
            a = _convert(a, ua, ub, opt)
        except InputError:
            # it asked for '5 mA' "in a unit convertible to 'ms'", as if the time were
            # meant (probe of 6 December 2026): the range is named, and both its units
            raise InputError(opt, spec, f"both ends in units of one kind ('{ua}' does not "
                             f"convert to '{ub}')") from None
    if n == 1 and a != b:  # after the conversion: '1000uA..1mA:1' is one point
        raise InputError(opt, spec, whole)
    step = (b - a) / (n - 1) if n > 1 else 0.0
    values = [float(f"{a + i * step:.10g}") for i in range(n)]
    if not all(map(math.isfinite, values)):  # -1e308..1e308: its step overflows
        raise InputError(opt, spec, "a range between two finite numbers")
    return [(v, unit, None) for v in values]


def _list(tokens: Sequence[Any], opt: str) -> list[_Item]:
    out: list[_Item] = []
    for token in tokens:
        if isinstance(token, bool):
            raise InputError(opt, token, "numbers, quantities with units or words")
        if isinstance(token, int | float):
            if not math.isfinite(token):
                raise InputError(opt, token, "a finite number")
            out.append((float(token), None, None))
            continue
        if not isinstance(token, str) or not token.strip():
            raise InputError(opt, token, "a value between each pair of commas")
        match = _TOKEN.fullmatch(token)
        if match:
            if not math.isfinite(float(match["number"])):  # '1e400mA' read as inf
                raise InputError(opt, token, "a finite number")
            out.append((float(match["number"]), match["unit"], None))
        elif _WORD.fullmatch(token.strip()) and len(token) <= 64:
            out.append((None, None, token.strip()))
        else:
            raise InputError(opt, token, "a number with its unit ('200 us'), a plain number "
                             "or a word ('monophasic')")
    return out


def _convert(value: float, unit: str, to: str | None, opt: str) -> float:
    from estim.units import ureg

    def pint_unit(text: str) -> str:
        return text.replace("µ", "u").replace("μ", "u").replace("%", "percent")

    reg = ureg()
    try:
        converted = reg.Quantity(value, pint_unit(unit)).to(pint_unit(to or unit)).magnitude
        # to the 12 digits a value is written with: 100 us in s was 9.999999999999999e-05,
        # so "100us,0.0001s" ran one point twice and the column showed the noise (probe of
        # 6 December 2026)
        return float(f"{float(converted):.12g}")
    except Exception:  # pint raises many kinds for unknown or mismatched units
        raise InputError(opt, f"{value:g} {unit}", f"a value in a unit convertible to "
                         f"{to!r} (the unit of the other values)") from None


def _subject_axis(items: list[_Item], opt: str) -> Axis:
    indices = []
    for number, unit, word in items:
        if word is not None or unit is not None or number is None or not number.is_integer() \
                or not 0 <= number <= MAX_SUBJECT:
            shown = word if word is not None else f"{number:.15g}{unit or ''}"  # as typed
            raise InputError(opt, shown, f"virtual subject numbers: whole numbers from 0 to "
                             f"{MAX_SUBJECT:,}, e.g. 'subject=0..19:20'")
        indices.append(int(number))
    if len(set(indices)) != len(indices):
        raise InputError(opt, indices, "each virtual subject once")
    return Axis(SUBJECT, tuple(indices), None, tuple(float(i) for i in indices), opt)


# --- writing a value into a program's data --------------------------------------------------

_PART = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<index>\d+|\*)\])?")


def _expand(name: str) -> list[str]:
    """The full paths a short axis name stands for (``*`` marks every channel)."""
    parts = name.split(".")
    if len(parts) == 1:
        return [f"channels[*].stimulation.{name}"]
    if parts[0] in _PER_CHANNEL:
        return [f"channels[*].{name}"]
    if parts[0] == "electrodes":
        rest = ".".join(parts[1:])
        return [f"channels[*].anode.{rest}", f"channels[*].cathode.{rest}"]
    if parts[0] == "channels":
        return [f"channels[*].{'.'.join(parts[1:])}"]
    return [name]


def same_field(a: Axis, b: Axis) -> bool:
    """Whether two axes write some one field of a program: ``amplitude``,
    ``stimulation.amplitude`` and ``channels[0].stimulation.amplitude`` all write the first
    channel's amplitude, ``electrodes.width`` the cathode's as ``cathode.width`` does. Their
    points would each run only the last one's value."""
    if SUBJECT in (a.name, b.name):
        return False
    return any(_paths_meet(p, q) for p in _expand(a.name) for q in _expand(b.name))


def _paths_meet(p: str, q: str) -> bool:
    ps, qs = p.split("."), q.split(".")
    if len(ps) != len(qs):
        return False
    for x, y in zip(ps, qs, strict=True):
        mx, my = _PART.fullmatch(x), _PART.fullmatch(y)
        if mx is None or my is None or mx["key"] != my["key"]:
            return False
        ix, iy = mx["index"], my["index"]
        if "*" in (ix, iy):
            continue
        if (ix is None) != (iy is None) or (ix is not None and int(ix) != int(iy)):
            return False
    return True


def apply_axis(data: dict[str, Any], axis: Axis, value: Value) -> None:
    """Write ``value`` into the program data (as a TOML file parses into) where ``axis``
    names, in place.

    :raises InputError: the name leads nowhere in this program (a missing table, a channel
        it does not have).
    """
    for path in _expand(axis.name):
        targets = _targets(data, path, axis)
        if path == "channels[*].stimulation.amplitude":
            # every channel that is on: one the file switched off stays off (it was switched
            # on at every point; probe of 5 December 2026); channels[I] sets any one
            from estim.program.override import channels_on

            on = {id(c["stimulation"]) for c in channels_on(data.get("channels", []))}
            targets = [(t, k) for t, k in targets if id(t) in on]
        for table, key in targets:
            table[key] = value
            if key == "pulse" and value != "asymmetric_biphasic":
                # the ratio the file wrote for its asymmetric pulse means nothing for this
                # one (the program refuses it there)
                table.pop("asymmetry_ratio", None)


def _targets(data: dict[str, Any], path: str, axis: Axis) -> list[tuple[dict[str, Any], str]]:
    nodes: list[Any] = [data]
    parts = path.split(".")
    for depth, part in enumerate(parts):
        match = _PART.fullmatch(part)
        if match is None:
            raise InputError(axis.option, axis.name, "a field name of the program")
        key, index = match["key"], match["index"]
        if depth == len(parts) - 1:
            if index is not None or not all(isinstance(n, dict) for n in nodes):
                raise InputError(axis.option, axis.name, "a field of a table of the program")
            return [(n, key) for n in nodes]
        nxt: list[Any] = []
        for node in nodes:
            child = node.get(key) if isinstance(node, dict) else None
            if child is None:
                where = ".".join(parts[:depth]).replace("[*]", "") or "the program"
                raise InputError(axis.option, axis.name,
                                 f"a field of this program ({where} has no {key!r})")
            if index is None:
                nxt.append(child)
            elif not isinstance(child, list):
                raise InputError(axis.option, axis.name, f"{key} of the program to be a list")
            elif index == "*":  # every channel
                nxt.extend(child)
            elif int(index) < len(child):
                nxt.append(child[int(index)])
            else:
                one = key.removesuffix("s") if len(child) == 1 else key
                raise InputError(axis.option, axis.name,
                                 f"{key}[0], the program's only {one}, whatever its name"
                                 if len(child) == 1 else
                                 f"one of the {len(child)} {key} of this program, "
                                 f"counted from 0 ({key}[0] to [{len(child) - 1}], whatever "
                                 "their names)")
        nodes = nxt
    raise AssertionError("unreachable: a path has at least one part")
