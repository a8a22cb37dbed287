"""The safety verdict along the dial: :func:`estim.safety.check` of the program at every
amplitude, tabulated once so that a dial step is a lookup.

``check`` judges the program at its programmed amplitude (and at the device maximum, which
does not move with the dial). Which rules trip changes only at a few amplitudes, so the
table holds the dial's range as spans of equal findings: :func:`safety_table` calls
``check`` on a grid over the range and bisects every grid cell whose ends differ until the
change is located within :data:`BISECT_TOLERANCE` of the range. The verdict and tripped
rules of a span are then exactly ``check``'s anywhere inside it.

Limit of the method: a change that appears and disappears within one grid cell is not seen
(the grid is 1/8 of the range for the slowest program, 1/64 for the usual ones); the rules'
values (charge, current density, r.m.s. current, energy) grow with the amplitude, so a
finding that trips stays tripped above.

>>> import estim
>>> program = estim.load_program(estim.bundled_examples()["tens_conventional"])
>>> table = safety_table(program)
>>> table.at(0.025).verdict
'pass'
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from estim.errors import InputError
from estim.program.common import Amplitude
from estim.program.model import Channel, Program
from estim.program.options import Verdict
from estim.safety import check
from estim.safety.render import rule_name
from estim.safety.verdicts import Finding, rule_meaning, short_source

__all__ = ["BISECT_TOLERANCE", "Ahead", "SafetyAt", "SafetyTable", "program_at", "safety_table"]

#: Width (fraction of the dial's range) within which a change of findings is located.
BISECT_TOLERANCE = 1e-5
#: Seconds of ``check`` calls the grid may take (the grid shrinks for a slow program).
GRID_BUDGET_S = 6.0
#: Fewest and most grid points over the dial's range.
MIN_GRID, MAX_GRID = 8, 64
#: The verdict of an amplitude the program model itself refuses (e.g. an iontophoretic dose
#: that cannot be delivered within a day at a tiny current).
REFUSED = "refused"


def dial_channel(program: Program) -> Channel:
    """The channel the dial sets: the first that is on (the first where none is); the others
    scale with it, so a channel at 0 stays off. The first channel was the dial's, and with
    it off every channel was set alike, the one the file switched off too (review of
    5 December 2026). Beside an iontophoresis channel, the first pulsed channel that is on:
    the one whose sensation the dial reads (with the d.c. channel first, the dial set it and
    the pulsed channel's thresholds read in its units, "feels it at 0.6 mA" for a TENS
    channel felt at 3.7 mA; probe of 6 December 2026)."""
    from estim.program.stimulation import TRANSCUTANEOUS_TYPES

    if any(c.stimulation.type == "iontophoresis" for c in program.channels):
        pulsed = next((c for c in program.channels if c.stimulation.amplitude.value > 0
                       and c.stimulation.type in TRANSCUTANEOUS_TYPES), None)
        if pulsed is not None:
            return pulsed
    return program.first_on


def program_at(program: Program, amplitude: float) -> Program:
    """``program`` with the dial's channel (:func:`dial_channel`) at ``amplitude`` (A, or V
    for a voltage-controlled device) and every other channel scaled by the same factor (so
    two interferential carriers keep their ratio, and one at 0 stays off), each capped at
    the device maximum; with every channel off, each set alike.

    :raises InputError: an amplitude the program model refuses (the model's own message).
    """
    first = dial_channel(program).stimulation.amplitude.value
    top = program.device.max_amplitude
    channels = []
    for channel in program.channels:
        amp = channel.stimulation.amplitude
        value = amplitude if first <= 0 else amp.value * amplitude / first
        value = min(value, top)
        new = Amplitude(value=value, control=amp.control)
        channels.append(channel.replace(stimulation=channel.stimulation.replace(amplitude=new)))
    return program.replace(channels=tuple(channels))


#: A tripped rule's verdict as the page's list says it (it read "warn: ..."; browser
#: probe of 6 December 2026).
VERDICT_WORDS = {"fail": "Over its limit", "warn": "Warning"}


def _line(f: Finding, settings: Sequence[str | None] = ()) -> str:
    """One tripped rule in words, without the value (which moves with the dial), at each of
    ``settings`` it trips at (default: its own)."""
    # "at the programmed, channel 1" lacked its noun; the dial's setting is what is judged
    # as programmed, and it read "at the programmed amplitude" at every setting, after the
    # rule's id (probe of 5 December 2026)
    said = []
    for setting in settings or [f.setting.value if f.setting is not None else None]:
        if setting is None:
            continue
        where = "this setting" if setting == "programmed" else f"the {setting}"
        if not rule_name(f.description).endswith(where):  # "... at the device maximum" twice
            said.append(where)
    where = f" at {' and at '.join(said)}" if said else ""
    channel = f", channel {f.channel}" if f.channel else ""
    verdict = VERDICT_WORDS.get(f.verdict.value, f.verdict.value)
    # the rule's name and where its source is, not its formula and the whole citation:
    # "d.c. component of the output: |signed mean| / mean |I| over a cycle, into 500 Ω"
    # read as a formula to a patient (phone probe of 7 December 2026); the report and
    # estim check keep the formula
    name = rule_name(f.description)
    # and the source's title, not what it says after a colon (FDA's read out its 200
    # characters; review of 7 December 2026)
    source = short_source(f.source).split(": ", 1)[0]
    meaning = rule_meaning(f.rule_id, f.verdict)
    return f"{verdict}: {name}{where}{channel} ({source})" + (f": {meaning}" if meaning
                                                              else "")


def tripped_lines(findings: Sequence[Finding]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The lines of the rules that do not pass, and their ids: a rule that trips at this
    setting and at the device maximum is one line naming both (HVPC's current density was
    listed twice at 500 V: browser probe of 6 December 2026)."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        if f.verdict is not Verdict.PASS:
            groups.setdefault((f.rule_id, f.channel, f.verdict.value), []).append(f)
    lines = tuple(_line(fs[0], [f.setting.value if f.setting is not None else None
                                for f in fs]) for fs in groups.values())
    return lines, tuple(key[0] for key in groups)


@dataclass(frozen=True)
class SafetyAt:
    """The verdict at one amplitude and the rules that trip (one line each)."""

    verdict: str
    rules: tuple[str, ...]
    #: each tripped rule's id, beside its line in words (``iec.current_density``)
    rule_ids: tuple[str, ...] = ()
    #: the verdict of the rules judged at this setting alone (None: :attr:`verdict`): the
    #: page read "Exceeds a limit" at 0 mA of a program that exceeds one at the device
    #: maximum (educator's probe of 7 December 2026)
    at_setting: str | None = None
    #: the rules that do not pass at this setting alone (not the device maximum's), by
    #: name, each with its verdict there ("warn", "fail")
    here_rules: tuple[tuple[str, str], ...] = ()
    #: every passing rule at this setting by name, with its value as a fraction of its
    #: limit: the margins of a passing verdict (the page listed no rule and no margin beside
    #: "Within the limits"; educator's probe of 7 December 2026)
    margins: tuple[tuple[str, float], ...] = ()


#: A verdict's rank, the worst highest: the next limit up the dial is the first span whose
#: verdict at its setting ranks above this one's.
_RANK = {Verdict.PASS.value: 0, Verdict.WARN.value: 1, Verdict.FAIL.value: 2}
#: Rules that say whether an output indicator is needed: their "limit" is where a device
#: needs one, which a device with one passes above, not a margin to a limit.
_NOT_A_MARGIN = ("iec.indicator.",
                 # a logarithm's "fraction of its limit" means nothing (k is 0 at 1 µC/cm²
                 # and 1 µC); the charge density beside it is the margin
                 "implant.shannon_k")


@dataclass(frozen=True)
class Ahead:
    """What lies up the dial from a setting: the first setting where a rule at that setting
    is worse than here, and the rules that make it so, or where the program model refuses
    the settings (``verdict`` "refused"); or, where none is up to the top of a passing dial,
    the passing rule nearest its limit at the top, of those whose value grows with the dial
    (there its margin is the smallest), and its fraction of that limit."""

    #: the setting where the next rule trips (A or V); None where none does up to the top
    amplitude: float | None
    #: its verdict there ("warn", "fail"; "refused": the program model refuses it)
    verdict: str | None
    #: the rules that trip there, by name
    rules: tuple[str, ...]
    #: without a next rule: the passing rule nearest its limit at the top, and its fraction
    closest: tuple[str, float] | None = None
    #: the next rule trips at any output above 0 (its ``amplitude`` is the bisection's
    #: tolerance: HVPC read "from 0.00381 V"; review of 7 December 2026)
    above_zero: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"amplitude": self.amplitude, "verdict": self.verdict, "rules": list(self.rules),
                "above_zero": self.above_zero,
                "closest": None if self.closest is None
                else {"rule": self.closest[0], "fraction": self.closest[1]}}


def refused_channel(program: Program, err: InputError) -> Channel | None:
    """The channel the program model's refusal names (``channels[1].stimulation...``), or
    None where it names none."""
    import re

    found = re.match(r"channels\[(\d+)\]", err.field or "")
    if found is not None and int(found.group(1)) < len(program.channels):
        return program.channels[int(found.group(1))]
    return None


def _refused(program: Program, err: InputError) -> str:
    """Why the program model refuses a setting, said of the channel it refuses where that is
    not the dial's own: a TENS dial past 62.5 mA read "channels[0].stimulation.amplitude:
    got '10.08 mA'...", of an iontophoresis channel the user never turned (probe of
    6 December 2026)."""
    channel = refused_channel(program, err)
    if channel is not None and channel.name != dial_channel(program).name:
        return (f"channel {channel.name!r}, which moves with the dial, is refused at this "
                f"setting: {err}")
    return str(err)


def _judge(program: Program, amplitude: float, impedances_ohm: Mapping[str, float] | None
           ) -> tuple[tuple[object, ...], SafetyAt]:
    """``check`` at ``amplitude``: a key that changes only when the findings change, and the
    verdict with its lines."""
    try:
        report = check(program_at(program, amplitude), impedances_ohm=impedances_ohm)
    except InputError as err:
        return (REFUSED, err.field), SafetyAt(REFUSED, (_refused(program, err),))
    tripped = [f for f in report.findings if f.verdict is not Verdict.PASS]
    key = (report.verdict.value,
           *sorted((f.rule_id, f.channel, str(f.setting), f.verdict.value) for f in tripped))
    lines, ids = tripped_lines(report.findings)
    at_setting = [f for f in report.findings
                  if f.setting is None or f.setting.value == "programmed"]
    here = [f.verdict for f in at_setting]
    worst = next((v.value for v in (Verdict.FAIL, Verdict.WARN) if v in here), "pass")
    failing = tuple(dict.fromkeys((rule_name(f.description), f.verdict.value)
                                  for f in at_setting if f.verdict is not Verdict.PASS))
    return key, SafetyAt(report.verdict.value, lines, ids, worst, failing, _margins(at_setting))


def _margins(findings: Sequence[Finding]) -> tuple[tuple[str, float], ...]:
    """Each passing rule with a finite value and a positive limit, by name, with its value's
    fraction of the limit (a rule on several channels: its largest)."""
    out: dict[str, float] = {}
    for f in findings:
        if f.verdict is Verdict.PASS and f.value is not None and f.limit and f.limit > 0 \
                and math.isfinite(f.value / f.limit) \
                and not f.rule_id.startswith(_NOT_A_MARGIN):
            name = rule_name(f.description)
            out[name] = max(out.get(name, 0.0), float(f.value / f.limit))
    return tuple(out.items())


def _closest(top: SafetyAt, low: SafetyAt) -> tuple[str, float] | None:
    """The passing rule nearest its limit at the top of the dial, among those whose value
    grows with the dial (its fraction at ``top`` above ``low``'s, a lower setting): a pulse
    rate, a charge balance or an open-circuit compliance voltage is the same at every
    setting, and was named as the dial's margin (review of 7 December 2026)."""
    below = dict(low.margins)
    growing = [(fraction, name) for name, fraction in top.margins
               if fraction > below.get(name, math.inf) * (1 + 1e-6)]
    if not growing:
        return None
    fraction, name = max(growing)
    return name, fraction


@dataclass(frozen=True, eq=False)
class SafetyTable:
    """Spans of the dial with the same findings.

    :param starts: the amplitude each span starts at (A or V), increasing; the first is 0.
    :param spans: the verdict and tripped rules of each span.
    :param calls: how many times ``check`` ran to build the table.
    """

    starts: tuple[float, ...]
    spans: tuple[SafetyAt, ...]
    calls: int
    program: Program
    impedances_ohm: Mapping[str, float] | None = None
    #: the passing rule nearest its limit at the top of the dial (:attr:`SafetyAt.closest`)
    top_closest: tuple[str, float] | None = None

    def at(self, amplitude: float) -> SafetyAt:
        """The verdict at ``amplitude`` (a binary search; a refused amplitude's message is
        the program model's own at that amplitude)."""
        k = bisect.bisect_right(self.starts, amplitude) - 1
        span = self.spans[max(k, 0)]
        if span.verdict == REFUSED and amplitude <= 0:
            # the program model takes no d.c. channel at 0 mA, but a dial at 0 delivers
            # nothing, so no limit can be passed: it read "refused: amplitude: got 0.0,
            # expected a positive current" (probe of 6 December 2026). No rule trips (the
            # dose's words say no drug is delivered); the table keeps its refused span from
            # 0, so the settings just above still read as refused.
            return SafetyAt(Verdict.PASS.value, ())
        if span.verdict == REFUSED:
            try:
                program_at(self.program, amplitude)
            except InputError as err:
                return SafetyAt(REFUSED, (_refused(self.program, err),))
            # a setting the model takes, inside a refused span that ends within the table's
            # tolerance above it: judged as it is (27.79 µA read "refused: amplitude: got
            # '0 A'", the span's first point, just under the dose's 27.8 µA; docs probe of
            # 6 December 2026)
            return _judge(self.program, amplitude, self.impedances_ohm)[1]
        return span

    def ahead(self, amplitude: float) -> Ahead | None:
        """What lies up the dial from ``amplitude`` (:class:`Ahead`); None at a refused
        setting. A refused span above is passed over (the program model's refusal is not a
        limit)."""
        now = self.at(amplitude)
        here = now.at_setting or now.verdict
        if _RANK.get(here, 2) >= 2:
            return None  # refused, or failing: nothing worse lies ahead
        k = bisect.bisect_right(self.starts, amplitude)
        for start, span in zip(self.starts[k:], self.spans[k:], strict=True):
            near_zero = start <= 2 * BISECT_TOLERANCE * self.program.device.max_amplitude
            if span.verdict == REFUSED:
                # the program model refuses the settings from here: said, not passed over
                # ("No limit is reached up to the top" of a dial refused near its top;
                # review of 7 December 2026)
                return Ahead(start, REFUSED, (), above_zero=near_zero)
            there = span.at_setting or span.verdict
            if _RANK.get(there, -1) > _RANK[here]:
                # the rules at that verdict there, those new to it first named (a rule that
                # warns here and fails there was left out for one that only warns; review)
                worse = [name for name, verdict in span.here_rules if verdict == there]
                new = [name for name in worse if (name, there) not in now.here_rules]
                return Ahead(start, there, tuple(new or worse), above_zero=near_zero)
        # the margin of a passing dial; a warning's rules are the page's list already
        return Ahead(None, None, (), self.top_closest if here == Verdict.PASS.value else None)

    def ceiling(self, *, worst: str = Verdict.FAIL.value) -> float:
        """The start of the first span whose verdict is ``worst``, or that is refused above
        a span that was not; inf if none."""
        allowed_below = False
        for start, span in zip(self.starts, self.spans, strict=True):
            if span.verdict == worst or (span.verdict == REFUSED and allowed_below):
                return start
            allowed_below = allowed_below or span.verdict != REFUSED
        return math.inf


def safety_table(program: Program, *, impedances_ohm: Mapping[str, float] | None = None,
                 max_amplitude: float | None = None) -> SafetyTable:
    """Tabulate ``check`` of ``program`` from 0 to the device maximum (see the module).

    :param impedances_ohm: as :func:`estim.safety.check` (a DBS lead's field impedance).
    :param max_amplitude: the top of the dial (default: the device maximum; A or V).
    """
    top = program.device.max_amplitude if max_amplitude is None else max_amplitude
    t0 = time.perf_counter()
    first = _judge(program, top, impedances_ohm)
    cost = time.perf_counter() - t0
    n = int(min(MAX_GRID, max(MIN_GRID, GRID_BUDGET_S / max(cost, 1e-6))))
    # the last point is the top itself: top * n / n can differ from top in the last bit
    # (0.005 * 29 / 29 = 0.004999999999999999), and the cells look each point up
    grid = [top * k / n for k in range(n)] + [top]
    judged = {top: first}
    calls = 1
    for a in grid[:-1]:
        judged[a] = _judge(program, a, impedances_ohm)
        calls += 1
    tol = BISECT_TOLERANCE * top
    breaks: list[tuple[float, SafetyAt]] = [(0.0, judged[0.0][1])]
    cells = [(grid[k], grid[k + 1]) for k in range(n)]
    cells.reverse()
    while cells:
        lo, hi = cells.pop()
        (klo, _), (khi, shi) = judged[lo], judged[hi]
        if klo == khi:
            continue
        if hi - lo <= tol:
            breaks.append((hi, shi))
            continue
        mid = 0.5 * (lo + hi)
        judged[mid] = _judge(program, mid, impedances_ohm)
        calls += 1
        cells.extend([(mid, hi), (lo, mid)])  # the lower half first (a stack)
    breaks.sort(key=lambda b: b[0])
    merged = [breaks[0]]
    for start, span in breaks[1:]:
        if span.verdict == REFUSED and merged[-1][1].verdict == REFUSED:
            continue  # one refused span (its message is made at the amplitude asked)
        merged.append((start, span))
    return SafetyTable(starts=tuple(b[0] for b in merged), spans=tuple(b[1] for b in merged),
                       calls=calls, program=program, impedances_ohm=impedances_ohm,
                       top_closest=_closest(first[1], next(
                           (judged[a][1] for a in grid[1:-1] if judged[a][1].verdict != REFUSED),
                           first[1])))
