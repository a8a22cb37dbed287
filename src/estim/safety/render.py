"""Terminal rendering of the output table and the findings (rich tables).

JSON output is ``report.to_dict()`` (SI values, with display units alongside).
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.table import Table
from rich.text import Text

from estim.program.model import Verdict
from estim.safety.table import ChannelTable, OutputTable, beside_limit, format_value
from estim.safety.verdicts import (
    Finding,
    SafetyReport,
    repeats_as_programmed,
    rule_basis,
    rule_kind,
)
from estim.text import readable, terminal_text, wrap_keeping_units

__all__ = [
    "expectation_text",
    "format_value",
    "render_check",
    "render_findings",
    "render_table",
    "rule_name",
]

_STYLE = {Verdict.PASS: "green", Verdict.WARN: "yellow", Verdict.FAIL: "bold red"}


def _channel_table(ct: ChannelTable) -> Table:
    """The channel's rows; a row's note is a numbered footnote under the table, at its full
    width (in the label's column it stood a word or two a line: at 80 columns the skin
    load's note ran 11 lines beside one figure)."""
    table = Table(title=f"Channel {terminal_text(ct.channel)} — {terminal_text(ct.modality)} "
                        f"({ct.control}-controlled)", title_justify="left",
                  caption_justify="left", caption_style="dim")
    # fold, not "…": at 40 columns "Output character…" and "(capaciti…" (probe)
    table.add_column("Output characteristic", overflow="fold")
    table.add_column("at programmed amplitude", justify="right", overflow="fold")
    table.add_column("at device maximum", justify="right", overflow="fold")
    notes: list[str] = []
    for row in ct.rows:
        if row.programmed is None and row.maximum is None:
            continue
        label = terminal_text(row.label)
        if row.note:  # one number a note: two rows of carrier cycles share theirs
            note = terminal_text(row.note)
            if note not in notes:
                notes.append(note)
            label += f" [dim]({notes.index(note) + 1})[/dim]"
        table.add_row(label, terminal_text(format_value(row.programmed, row.unit)),
                      terminal_text(format_value(row.maximum, row.unit)))
    if notes:
        table.caption = "\n".join(f"({k}) {note}" for k, note in enumerate(notes, 1))
    return table


def render_table(table: OutputTable, console: Console) -> None:
    """Print the output specification table, one rich table per channel."""
    for ct in table.channels:
        console.print(_channel_table(ct))


def _verdict(v: Verdict) -> str:
    return f"[{_STYLE[v]}]{v.value.upper()}[/{_STYLE[v]}]"


def rule_name(description: str) -> str:
    """A rule's name: its description up to its formula or parenthesis. The one-line forms
    gave the rule's id alone ("iec.rms.le400", "fda.power_density"), which a clinician
    could not read and the report does not use (clinician's probe of 7 December 2026).

    >>> rule_name("charge balance: net charge per pulse / largest phase charge (a.c.)")
    'charge balance'
    """
    return re.split(r": | \(", description, maxsplit=1)[0]


#: Below this many columns the findings are printed one block each instead of as a table:
#: seven columns in 80 left the source a word a line (about 40 lines a finding) and cut the
#: rule's id to "charge.b…".
FINDINGS_TABLE_MIN_WIDTH = 140


def _finding_blocks(findings: tuple[Finding, ...], console: Console) -> None:
    """The findings one block each: the verdict, the rule's id in full and where it was
    judged; its value against the limit; then its source, note and action, wrapped at the
    terminal's width under a common indent."""
    console.print("[bold]Safety findings[/bold] (evidence: rule)")
    indent = 6 if console.width >= 40 else 0  # a very narrow terminal: no indent
    for f in findings:
        where = ", ".join(x for x in (f"channel {terminal_text(f.channel)}" if f.channel else "",
                                      f.setting.value if f.setting else "") if x)
        # the rule by its name, its id beside it for an engineer's reference (review)
        head = Text.from_markup(f"{_verdict(f.verdict)}  [bold]"
                                f"{terminal_text(rule_name(f.description))}[/bold] [dim]("
                                f"{terminal_text(f.rule_id)}"
                                + (f"; {where}" if where else "") + ")[/dim]")
        for k, line in enumerate(head.wrap(console, max(1, console.width - indent))):
            line.rstrip()  # continued under the indent, not at the left margin
            console.print(Text(" " * indent) + line if k else line)
        value, limit = beside_limit(f.value, f.limit, f.display_unit)
        # an indicator's threshold is not a limit (the one-line form says so too)
        against = ("the indicator threshold" if f.rule_id.startswith("iec.indicator.")
                   else "the limit")
        # what the rule rests on before its source: a FAIL of estim's own rule read as
        # non-compliance with IEC 60601-2-10 under -v (device engineer's probe, 7 December)
        lines = [f"{terminal_text(value)} against {against} {terminal_text(limit)}",
                 f"[dim]basis: {terminal_text(rule_kind(f.rule_id, clause=False))}; source: "
                 f"{terminal_text(f.source)}[/dim]"]
        if f.note:
            lines.append(f"[dim]{terminal_text(f.note)}[/dim]")
        if f.action:
            lines.append(f"[bold]{terminal_text(f.action)}[/bold]")
        for markup in lines:  # wrapped under the indent, no trailing blanks, a number
            # with its unit ("the 1000⏎ Hz carrier"; hostile probe of 7 December 2026)
            for line in wrap_keeping_units(Text.from_markup(markup), console,
                                           max(1, console.width - indent)):
                line.rstrip()
                console.print(Text(" " * indent) + line)


def render_findings(findings: tuple[Finding, ...], console: Console) -> None:
    """Print the findings, worst first within each channel: one row each in a table, or one
    block each on a terminal narrower than :data:`FINDINGS_TABLE_MIN_WIDTH`."""
    if console.width < FINDINGS_TABLE_MIN_WIDTH:
        _finding_blocks(findings, console)
        return
    table = Table(title="Safety findings (evidence: rule)", title_justify="left")
    for col in ("Channel", "Rule", "Setting", "Value", "Limit", "Verdict", "Source / note"):
        table.add_column(col)
    for f in findings:
        extra = terminal_text(f.note)
        if f.action:
            extra += f"\n[bold]{terminal_text(f.action)}[/bold]"
        table.add_row(terminal_text(f.channel), f"{terminal_text(rule_name(f.description))}"
                      f"\n[dim]{terminal_text(f.rule_id)}[/dim]",
                      f.setting.value if f.setting else "",
                      *(terminal_text(t) for t in beside_limit(f.value, f.limit,
                                                               f.display_unit)),
                      _verdict(f.verdict),
                      f"basis: {terminal_text(rule_kind(f.rule_id, clause=False))}; source: "
                      f"{terminal_text(f.source)}"
                      f"\n[dim]{extra}[/dim]")
    console.print(table)


def _print_tripped(report: SafetyReport, console: Console, *, every: bool = False,
                   said: str = "programmed", reasons: bool = False) -> None:
    """Each rule that does not pass (``every``: each finding), one line each beside the
    overall verdict: a FAIL was named only on lines 90 and 123 of 159 at 80 columns, among
    the passing rules' sources (probe of 6 December 2026). A pass over its limit says on
    what condition it passes (an output indicator the device declares)."""
    # what does not pass first, in each group (three WARNs among 16 lines: probe, 6 December
    # 2026); the order within a verdict is the rules'
    order = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.PASS: 2}
    for f in sorted(report.findings, key=lambda f: order.get(f.verdict, 3)):
        if f.verdict is Verdict.PASS and not every:
            continue
        shown = ""
        if f.value is not None and f.limit is not None:
            value, most = beside_limit(f.value, f.limit, f.display_unit)
            why = ""
            if f.verdict is Verdict.PASS and f.value > f.limit and f.note:
                why = "; " + f.note.rsplit("; ", 1)[-1]
            # an indicator's threshold is not a limit: above it the device needs one
            # ("14.31 mA (limit 10 mA)" read as a pass over its limit: probe)
            word = "limit"
            if f.rule_id.startswith("iec.indicator."):  # the name says "into 1 kΩ"
                word = "indicator threshold"
                why = why.replace("above this threshold", "above it")
            shown = (f": {terminal_text(value)} ({word} {terminal_text(most)}"
                     f"{terminal_text(why)})")
        elif f.value is None:
            # a rule with no value says why: a lead's Shannon k at 0 mA stood bare,
            # "PASS ch 1 implant.shannon_k" (DBS probe of 6 December 2026); a rule that
            # does not pass has its note on the lines below (it was said twice; review)
            below = reasons and f.verdict is not Verdict.PASS
            shown = f": n/a ({terminal_text(f.note)})" if f.note and not below else ": n/a"
        where = "" if f.setting is None or f.setting.value == said \
            else f", at the {f.setting.value}"
        channel = f"ch {terminal_text(f.channel)}  " if f.channel else ""
        line = Text.from_markup(f"  {_verdict(f.verdict)}  {channel}"
                                f"{terminal_text(rule_name(f.description))}{shown}"
                                f"{where}")
        # a rule that does not pass says why under it (the brief's warning had no reason;
        # review of 6 December 2026)
        more = [Text(terminal_text(t, markup=False), style=style) for t, style in
                ((f.note, "dim"), (f.action, "bold"),
                 # what the rule rests on: a FAIL of estim's own charge-balance rule read
                 # as non-compliance with IEC 60601-2-10, and no line gave a clause (device
                 # engineer's probe of 7 December 2026)
                 (rule_basis(f.rule_id, f.source), "dim"))
                if t and reasons and f.verdict is not Verdict.PASS]
        # wrapped under the rule (not at the left margin), a number with its unit, no
        # trailing blanks
        for text in (line, *more):
            for k, part in enumerate(wrap_keeping_units(text, console, console.width - 8)):
                console.print(Text(" " * 8) + part if k or text is not line else part)


def expectation_text(expected: str | None, verdict: str) -> str | None:
    """Where a program's ``expected_verdict`` is not what estim concludes, in words (None
    where it agrees or states none): a file that expects FAIL was told PASS without a word
    (probe of 5 December 2026).

    >>> expectation_text("fail", "pass")
    'the file expects FAIL; estim concludes PASS'
    """
    if expected is None or expected == verdict:
        return None
    return f"the file expects {expected.upper()}; estim concludes {verdict.upper()}"


def compliance_limits(table: OutputTable) -> list[tuple[str, bool]]:
    """A line per channel whose compliance voltage holds its current (a voltage output: its
    current limit, its voltage) below the amplitude into the 500 Ω or 1 kΩ test load, as
    programmed or at the device maximum, and whether it holds the programmed output: a
    20 V compliance under a 100 mA maximum passed every rule with nothing said of its 40 mA
    into 500 Ω, the programmed 25 mA held to 20 mA into 1 kΩ, but in the table's footnotes
    (device engineer's probe of 7 December 2026).

    >>> from estim.safety.table import ChannelTable, OutputTable, TableRow
    >>> rows = (TableRow("max_current_500_ohm", "", "mA", 0.025, 0.040),
    ...         TableRow("max_current_1000_ohm", "", "mA", 0.020, 0.020))
    >>> held = (("programmed", 1000.0), ("device maximum", 500.0), ("device maximum", 1000.0))
    >>> tens = ChannelTable("1", "tens", "current", 0.025, 0.1, rows, held)
    >>> compliance_limits(OutputTable("p", (tens,)))  # doctest: +NORMALIZE_WHITESPACE
    [('ch 1: the compliance voltage holds the current under the amplitude: as programmed
      (25 mA), 20 mA into 1 kΩ; at the device maximum (100 mA), 40 mA into 500 Ω,
      20 mA into 1 kΩ', True)]
    """
    from estim.program.options import Control
    from estim.text import current_text

    def volts(v: float) -> str:
        return readable(f"{v * 1e3:.3g} mV") if v < 1 else readable(f"{v:.3g} V")

    lines = []
    for ct in table.channels:
        # a voltage output's current limit holds its voltage as a compliance holds a
        # current: 60 V held to 5 V into 500 Ω was said in -v's footnotes alone (probe)
        current = ct.control == Control.CURRENT
        quantity, text = ("current", current_text) if current else ("voltage", volts)
        parts, programmed = [], False
        for setting, words, amplitude, which in (
                ("programmed", "as programmed", ct.programmed_amplitude, "programmed"),
                ("device maximum", "at the device maximum", ct.maximum_amplitude, "maximum")):
            held = []
            for ohms, load in ((500.0, "500 Ω"), (1000.0, "1 kΩ")):
                if (setting, ohms) not in ct.held:
                    continue
                value = getattr(ct.row(f"max_{quantity}_{ohms:.0f}_ohm"), which)
                if isinstance(value, float):
                    held.append(f"{text(value)} into {load}")
            if held:
                programmed |= setting == "programmed"
                parts.append(f"{words} ({text(amplitude)}), " + ", ".join(held))
        if parts:
            holder = "compliance voltage" if current else "current limit"
            lines.append((f"ch {terminal_text(ct.channel, markup=False)}: the {holder} "
                          f"holds the {quantity} under the amplitude: " + "; ".join(parts),
                          programmed))
    return lines


def render_check_brief(report: SafetyReport, console: Console,
                       expected: Verdict | None = None, *, as_set: str | None = None) -> None:
    """The verdict, then every rule on one line, value against limit: what ``estim check``
    prints without ``-v`` (it printed the whole table and every rule's source, 160 lines at
    80 columns for burst TENS, its answer on the second; UX review of 6 December 2026).

    :param as_set: the amplitude ``--amplitude`` set ("30 mA"), named in the programmed
        section's heading (it read "At the programmed amplitude" alone; clinician's probe
        of 7 December 2026)."""
    console.print(f"[bold]{terminal_text(report.program)}[/bold]")
    console.print(f"Overall verdict: {_verdict(report.verdict)} ({report.counts})")
    differs = expectation_text(None if expected is None else expected.value,
                               report.verdict.value)
    if differs is not None:
        console.print(f"[yellow]{differs}[/yellow]")
    for said, programmed in compliance_limits(report.table):
        # the programmed current not delivered into a test load stands out; a device
        # maximum that is, is what such units do (80 mA into 1 kΩ under 80 V)
        style = "yellow" if programmed else "dim"
        for line in wrap_keeping_units(Text(said, style=style), console, console.width):
            line.rstrip()
            console.print(line)
    settings: list[str] = []
    for f in report.findings:
        name = f.setting.value if f.setting is not None else ""
        if name not in settings:
            settings.append(name)
    for name in settings:  # the programmed amplitude, then the device maximum
        words = {"programmed": f"{as_set}, set with --amplitude" if as_set
                 else "programmed amplitude"}.get(name, name)
        head = Text.from_markup(f"[bold]At {'' if as_set and name == 'programmed' else 'the '}"
                                f"{words}[/bold] [dim](value against its limit)[/dim]"
                                if name else "[bold]Rules[/bold]")
        console.print()
        for line in head.wrap(console, max(1, console.width)):  # no trailing blank
            line.rstrip()
            console.print(line)
        here = [f for f in report.findings if (f.setting.value if f.setting else "") == name]
        if name == "device maximum":
            # a rule that reads the same as at the programmed amplitude is said once: at a
            # program set to the device maximum the two lists were one list twice, a
            # violation among them (DBS probe of 7 December 2026)
            # (only where every rule judged at both reads the same: the programmed amplitude
            # is the maximum; elsewhere each setting keeps its full list)
            # (by value: a rule over its limit fails as programmed and warns at the maximum,
            # the device's capability; the programmed FAIL is the one shown; review) (a
            # verdict worse at the maximum stays in its list; estim run's brief folds by the
            # same rule, repeats_as_programmed)
            seen = {(f.rule_id, f.channel): f.value for f in report.findings
                    if f.setting is not None and f.setting.value == "programmed"}
            shared = [f for f in here if (f.rule_id, f.channel) in seen]
            # at the maximum itself: a compliance that holds both settings to one output
            # gave the same values, and the line called 90 mA the device maximum (review)
            at_top = all(ct.programmed_amplitude == ct.maximum_amplitude
                         for ct in report.table.channels)
            if at_top and shared and all(seen[(f.rule_id, f.channel)] == f.value
                                         for f in shared):
                verdicts = {(f.rule_id, f.channel, f.value): f.verdict.value
                            for f in report.findings
                            if f.setting is not None and f.setting.value == "programmed"}
                shared = [f for f in shared if repeats_as_programmed(
                    name, (f.rule_id, f.channel, f.value), f.verdict.value, verdicts)]
                here = [f for f in here if f not in shared]
            else:
                shared = []
            if shared:  # "0 rules as above" where every one was worse here (review)
                setting = f"at {as_set}" if as_set else "as programmed"  # --amplitude's
                said_once = Text(f"  {setting} (the device maximum): {len(shared)} "
                                 f"rule{'' if len(shared) == 1 else 's'} as above, not "
                                 "repeated", style="dim")
                for line in wrap_keeping_units(said_once, console, console.width - 8):
                    console.print(line)
        at_setting = SafetyReport(report.program, tuple(here), report.table)
        _print_tripped(at_setting, console, every=True, said=name, reasons=True)
    console.print("\n[dim]The output table, sources and notes: estim check -v[/dim]")


def render_check(report: SafetyReport, console: Console,
                 expected: Verdict | None = None, *, titled: bool = True) -> None:
    """Print the output table, the findings and the overall verdict of ``report``
    (``titled``: under the program's name; ``estim run -v`` has printed it already)."""
    if titled:
        console.print(f"[bold]{terminal_text(report.program)}[/bold]")
    # the verdict first as well: at 80 columns a two-channel check's was the last of ~370
    # lines (probe of 5 December 2026)
    console.print(f"Overall verdict: {_verdict(report.verdict)} ({report.counts})")
    _print_tripped(report, console)
    render_table(report.table, console)
    render_findings(report.findings, console)
    console.print(f"Overall verdict: {_verdict(report.verdict)} ({report.counts})")
    _print_tripped(report, console)
    differs = expectation_text(None if expected is None else expected.value,
                               report.verdict.value)
    if differs is not None:
        console.print(f"[yellow]{differs}[/yellow]")
