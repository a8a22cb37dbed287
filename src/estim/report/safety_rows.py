"""The report's safety section: the findings, one row a rule with its source as a numbered
footnote, and the output specification table, in the words and units people read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from estim.program.options import Verdict
from estim.report.page import SHORT_MODALITY, capitalised, ohm_symbols, plain
from estim.safety.render import format_value
from estim.safety.table import beside_limit
from estim.safety.verdicts import rule_kind
from estim.text import readable

if TYPE_CHECKING:
    from estim.safety.table import OutputTable, TableRow
    from estim.safety.verdicts import Finding

__all__ = [
    "FindingRow",
    "Footnotes",
    "OutputColumn",
    "OutputRow",
    "finding_rows",
    "output_table",
]


def _rule_names(text: str) -> str:
    """A rule's id quoted in a source (``iontophoresis.current_density``) in the rule's own
    words."""
    from estim.safety.limits import LIMITS

    for rule in LIMITS:
        text = text.replace(rule.id, f"the rule on {ohm_symbols(rule.description)}")
    return text


class Footnotes:
    """Numbered citations, each source once, in the order first cited."""

    def __init__(self) -> None:
        self.sources: list[str] = []

    def number(self, source: str) -> int:
        text = _rule_names(ohm_symbols(plain(source)))
        if text not in self.sources:
            self.sources.append(text)
        return self.sources.index(text) + 1


@dataclass(frozen=True)
class FindingRow:
    """One rule as the findings table shows it."""

    rule: str
    channel: str
    setting: str
    value: str
    limit: str
    verdict: str
    footnote: int
    note: str
    action: str


def _shown(value: float | None, unit: str, other: float | None = None, *,
           limit: bool = False) -> str:
    """A finding's value (or, with ``limit``, its limit) with figures enough to tell it
    from ``other`` (:func:`~estim.safety.table.beside_limit`)."""
    if value is None:
        return "not computed"
    if other is None:
        return readable(plain(format_value(value, unit)))
    pair = beside_limit(other, value, unit) if limit else beside_limit(value, other, unit)
    return readable(plain(pair[1] if limit else pair[0]))


def finding_rows(findings: tuple[Finding, ...], notes: Footnotes) -> list[FindingRow]:
    """The findings, worst first (the order of the rules within a verdict kept)."""
    order = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.PASS: 2}
    rows = []
    for f in sorted(findings, key=lambda f: order[f.verdict]):
        # a pass with a condition says it: "14.31 mA | limit 10 mA | PASS" read as a value
        # over its limit that passed for no reason, where the device declares an output
        # indicator (probe of 5 December 2026)
        said = f.verdict is not Verdict.PASS or bool(f.action) or (
            f.value is not None and f.limit is not None and f.value > f.limit)
        rows.append(FindingRow(
            rule=capitalised(ohm_symbols(plain(f.description))), channel=plain(f.channel),
            setting=f.setting.value if f.setting else "",
            value=_shown(f.value, f.display_unit, f.limit), limit=_shown(
                f.limit, f.display_unit, f.value, limit=True)
            # an output indicator's 10 mA is the current above which one is needed, not a
            # limit a PASS is over (probe of 6 December 2026)
            + (" (an indicator needed above)" if f.rule_id.startswith("iec.indicator.")
               else ""),
            # the citation says what the rule rests on (estim's own charge-balance rule
            # read as a limit of IEC 60601-2-10; device engineer's probe, 7 December 2026)
            verdict=f.verdict.value, footnote=notes.number(
                f"{capitalised(rule_kind(f.rule_id, clause=False))}. Source: {f.source}"),
            note=readable(plain(f.note)) if said else "",
            action=plain(f.action) if said else ""))
    return rows


@dataclass(frozen=True)
class OutputColumn:
    """A channel's pair of columns in the output table."""

    channel: str
    heading: str
    programmed: str
    maximum: str


@dataclass(frozen=True)
class OutputRow:
    """One characteristic of the output table, its values per channel (programmed, maximum)."""

    label: str
    #: each channel's own note ("" for none), in the channels' order
    notes: tuple[str, ...]
    values: tuple[tuple[str, str], ...]


def output_table(table: OutputTable) -> tuple[list[OutputColumn], list[OutputRow]]:
    """The 510(k) output table, every channel side by side; rows with no value in any
    channel (a burst field of a continuous program) are left out."""
    columns = [OutputColumn(plain(ct.channel),
                            f"Channel {plain(ct.channel)}: "
                            f"{SHORT_MODALITY.get(ct.modality, plain(ct.modality))}, "
                            f"{ct.control}-controlled",
                            f"at {_amp(ct.programmed_amplitude, ct.control)} (programmed)",
                            f"at {_amp(ct.maximum_amplitude, ct.control)} (device maximum)")
               for ct in table.channels]
    rows: list[OutputRow] = []
    if not table.channels:
        return columns, rows
    # every channel's rows by key: a row only one channel has (a lead impedance it states)
    # was an IndexError, or left out (review of 5 December 2026)
    first: dict[str, TableRow] = {}
    for ct in table.channels:
        for r in ct.rows:
            first.setdefault(r.key, r)
    by_key = [{r.key: r for r in ct.rows} for ct in table.channels]
    for key, row in first.items():
        cells = [own.get(key) for own in by_key]
        if all(r is None or (r.programmed is None and r.maximum is None) for r in cells):
            continue
        # each channel's own note in its own table: channel 2's "programmed: limited at
        # 5 mA" read as channel 1's, whose 3 mA is not limited, and then every channel's
        # table carried every channel's notes (probes of 5 December 2026)
        notes = tuple(readable(plain(r.note)) if r is not None and r.note else ""
                      for r in cells)
        rows.append(OutputRow(plain(row.label), notes,
                              tuple(("—", "—") if r is None else
                                    (_cell(r.programmed, r.unit), _cell(r.maximum, r.unit))
                                    for r in cells)))
    return columns, rows


def _amp(value: float, control: str) -> str:
    return format_value(value, "mA" if control == "current" else "V")


def _cell(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    return readable(plain(format_value(value, unit)))
