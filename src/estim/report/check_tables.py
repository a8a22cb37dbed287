"""The output specification table and the safety findings as a document: Markdown, CSV or
a small standalone HTML page (``estim check PROGRAM --format md|csv|html``).

>>> from estim.program.bundled import resolve_program
>>> from estim.safety import check
>>> text = render_check_table(check(resolve_program("tens_conventional")[0]), "md")
>>> text.splitlines()[0]
'# Conventional TENS, lower back: output specification and safety findings'

Numbers are shown in each row's display unit (mA, µs, µC/cm², never the SI value). Markdown
and HTML hold two tables, the output characteristics per channel and the findings. CSV has
one header row and one row per channel and setting (programmed amplitude, device maximum):
a column per output characteristic, then per rule its value, limit, verdict, source and note
(with the action it asks for), the overall verdict, and what it was made from (device,
program file, estim's version, when); every column with a unit names it in the header,
e.g. ``Maximum output current @ 500 Ω (peak) [mA]`` and ``iec.dc_current value [mA]``.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Literal, get_args

from estim.safety.output import Setting
from estim.safety.render import format_value
from estim.safety.table import ChannelTable, TableRow, Value, beside_limit, display_value
from estim.safety.verdicts import Finding, SafetyReport, rule_kind
from estim.text import spreadsheet_cell, terminal_text

__all__ = ["TABLE_FORMATS", "TableFormat", "csv_header", "provenance", "provenance_line",
           "render_check_table"]

#: Document formats of the check table.
TableFormat = Literal["md", "csv", "html"]
TABLE_FORMATS: tuple[TableFormat, ...] = get_args(TableFormat)

_SETTINGS = (Setting.PROGRAMMED, Setting.DEVICE_MAXIMUM)


def render_check_table(report: SafetyReport, fmt: TableFormat,
                       made_of: Mapping[str, str | None] | None = None) -> str:
    """``report`` (output table and findings) as a Markdown, CSV or HTML document.

    :param made_of: which device, which program file, which estim, when
        (:func:`provenance`): a line under the title of the Markdown and HTML documents
        (:func:`provenance_line`), and the CSV's last columns, the same on every row (a
        CSV passed on alone did not say what it was made from: engineer's probe of 7
        December 2026).
    """
    line = "" if made_of is None else terminal_text(provenance_line(made_of), markup=False)
    if fmt == "md":
        return _markdown(report, line)
    if fmt == "csv":
        return _csv(report, made_of)
    if fmt == "html":
        return _html(report, line)
    raise ValueError(f"unknown table format {fmt!r}; expected one of {TABLE_FORMATS}")


# --- numbers and words -------------------------------------------------------------------------


def _number(value: Value, unit: str, *, digits: int = 4) -> str:
    """``value`` (SI) as a display number without its unit; "" for n/a."""
    shown = display_value(value, unit)
    if shown is None:
        return ""
    if isinstance(shown, bool):
        return "yes" if shown else "no"
    if isinstance(shown, int):
        return str(shown)
    if isinstance(shown, float):
        return f"{shown:.{digits}g}"
    return terminal_text(shown, markup=False)


def _with_unit(value: Value, unit: str) -> str:
    """``value`` with its unit as the terminal shows it: 630 s, not 6.3e+08 µs; 0 µC, not
    4.199e-28 µC (:func:`estim.safety.render.format_value`)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return terminal_text(value, markup=False)
    return format_value(value, unit)


def _beside(f: Finding) -> tuple[str, str]:
    """A finding's value and limit, with figures enough to tell them apart."""
    if isinstance(f.value, bool | str) or isinstance(f.limit, bool | str):
        return _with_unit(f.value, f.display_unit), _with_unit(f.limit, f.display_unit)
    return beside_limit(f.value, f.limit, f.display_unit)


def _counts(report: SafetyReport) -> str:
    return report.counts


def _title(ct: ChannelTable) -> str:
    return f"Channel {ct.channel}: {ct.modality} ({ct.control}-controlled)"


def _shown_rows(ct: ChannelTable) -> list[TableRow]:
    return [r for r in ct.rows if r.programmed is not None or r.maximum is not None]


def _finding_cells(f: Finding) -> list[str]:
    value, limit = _beside(f)
    # an indicator's 10 mA is where one is needed, not a limit a PASS is over ("14.31 mA |
    # 10 mA | PASS" in the Markdown; engineer's probe of 6 December 2026), as the report says
    if f.rule_id.startswith("iec.indicator.") and limit:
        limit += " (an indicator needed above)"
    return [f.channel, f"{f.description} ({f.rule_id})", f.setting.value if f.setting else "",
            value, limit, f.verdict.value.upper(), _basis_and_source(f), f.note, f.action]


def _basis_and_source(f: Finding) -> str:
    """What a rule rests on, then its source in full: the documents gave the source alone,
    so a FAIL of estim's own charge-balance rule read as non-compliance with IEC
    60601-2-10 where the terminal said it was not (device engineer's probe, 7 December
    2026)."""
    return f"{rule_kind(f.rule_id, clause=False)}. Source: {f.source}"


_FINDING_HEAD = ("Channel", "Rule", "Setting", "Value", "Limit", "Verdict", "Basis and source",
                 "Note", "Action")
_OUTPUT_HEAD = ("Output characteristic", "At programmed amplitude", "At device maximum",
                "Note")


# --- Markdown ----------------------------------------------------------------------------------


def _md(text: object) -> str:
    """User text as one Markdown table cell: control characters spelled out, HTML and the
    table's own syntax escaped, on one line."""
    shown = html.escape(terminal_text(text, markup=False), quote=False)
    shown = shown.replace("\\", "\\\\")
    for ch in "|`*_[]":
        shown = shown.replace(ch, "\\" + ch)
    return " ".join(shown.split())


def _md_table(head: tuple[str, ...], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def provenance(device: str, program_file: str, *, amplitude: str | None = None,
               made: datetime | None = None) -> dict[str, str | None]:
    """What a document of the check was made from and by, for a submission's record: the
    device's name, the program file, the amplitude it was checked at where that is not the
    file's (``--amplitude``), estim's version and when (UTC). The documents carried none of
    them (engineer's probe of 6 December 2026)."""
    from estim.version import __version__

    when = (made or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return {"device": device, "program_file": program_file, "amplitude_override": amplitude,
            "estim_version": __version__, "made": when}


def provenance_line(made_of: Mapping[str, str | None]) -> str:
    """:func:`provenance` in one line: "Device: … · program file: … · estim 0.1.0 · …"."""
    override = made_of.get("amplitude_override")
    at = f" at --amplitude {override}" if override else ""
    return (f"Device: {made_of['device']} · program file: {made_of['program_file']}{at} · "
            f"estim {made_of['estim_version']} · made {made_of['made']}")


def _markdown(report: SafetyReport, provenance: str = "") -> str:
    lines = [f"# {_md(report.program)}: output specification and safety findings", ""]
    if provenance:
        lines += [f"*{_md(provenance)}*", ""]
    lines += [f"Overall verdict: **{report.verdict.value.upper()}** ({_counts(report)}).", ""]
    for ct in report.table.channels:
        lines += [f"## {_md(_title(ct))}", ""]
        lines += _md_table(_OUTPUT_HEAD, [[r.label, _with_unit(r.programmed, r.unit),
                                           _with_unit(r.maximum, r.unit), r.note]
                                          for r in _shown_rows(ct)])
        lines.append("")
    lines += ["## Safety findings (evidence: rule)", ""]
    lines += _md_table(_FINDING_HEAD, [_finding_cells(f) for f in report.findings])
    return "\n".join(lines) + "\n"


# --- CSV ---------------------------------------------------------------------------------------


def _head(label: str, unit: str) -> str:
    return f"{label} [{unit}]" if unit else label


def _rule_units(report: SafetyReport) -> dict[str, str]:
    """Rule id -> display unit, in the order the rules are first judged."""
    units: dict[str, str] = {}
    for f in report.findings:
        units.setdefault(f.rule_id, f.display_unit)
    return units


def csv_header(report: SafetyReport) -> list[str]:
    """The CSV's header row for ``report``: channel, setting, one column per output
    characteristic (``label [unit]``), then ``RULE value [unit]``, ``RULE limit [unit]``,
    ``RULE verdict``, ``RULE basis and source`` and ``RULE note`` per rule, and the
    program's overall verdict (the same on every row: the other formats print it, and a
    spreadsheet had to work it out)."""
    head = ["channel", "setting"]
    head += [_head(r.label, r.unit) for r in _columns(report)]
    for rule, unit in _rule_units(report).items():
        head += [_head(f"{rule} value", unit), _head(f"{rule} limit", unit),
                 f"{rule} verdict", f"{rule} basis and source", f"{rule} note"]
    return [*head, "overall verdict", *(label for _, label in _PROVENANCE_COLUMNS)]


#: The CSV's last columns: :func:`provenance`'s keys and their headers.
_PROVENANCE_COLUMNS = (("device", "device"), ("program_file", "program file"),
                       ("amplitude_override", "checked at --amplitude"),
                       ("estim_version", "estim version"), ("made", "made (UTC)"))


def _columns(report: SafetyReport) -> list[TableRow]:
    """One column per output characteristic any channel has, in the channels' order (a
    row that only a second channel has, its lead impedance, was left out). Where channels
    word a characteristic differently (a carrier's "Phase duration (half a carrier cycle)"
    beside pulses' "Pulse width (leading phase)"), the column's label gives each channel's
    words: it had the first channel's alone, over a TENS channel's 400 µs pulses "one
    whole burst" (device engineer's probe of 7 December 2026)."""
    seen: dict[str, TableRow] = {}
    words: dict[str, dict[str, list[str]]] = {}
    for ct in report.table.channels:
        for r in ct.rows:
            seen.setdefault(r.key, r)
            words.setdefault(r.key, {}).setdefault(r.label, []).append(ct.channel)
    out = []
    for key, row in seen.items():
        if len(words[key]) > 1:
            label = "; ".join(f"channel{'s' if len(names) > 1 else ''} "
                              f"{', '.join(terminal_text(n, markup=False) for n in names)}"
                              f": {text}"
                              for text, names in words[key].items())
            row = replace(row, label=label)
        out.append(row)
    return out


def _csv(report: SafetyReport, made_of: Mapping[str, str | None] | None = None) -> str:
    units = _rule_units(report)
    by_key: dict[tuple[str, str], dict[str, Finding]] = {}
    for f in report.findings:
        setting = f.setting.value if f.setting else ""
        by_key.setdefault((f.channel, setting), {})[f.rule_id] = f
    keys = [(ct.channel, s.value) for ct in report.table.channels for s in _SETTINGS]
    keys += [k for k in by_key if k not in keys]  # findings of the whole program
    tables = {ct.channel: ct for ct in report.table.channels}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(csv_header(report))
    first = _columns(report)
    # the device and the file are the user's words: never run as a formula
    record = [spreadsheet_cell(terminal_text((made_of or {}).get(key) or "", markup=False))
              for key, _ in _PROVENANCE_COLUMNS]
    for channel, setting in keys:
        # the channel's name is the user's: a spreadsheet must not run it as a formula
        row = [spreadsheet_cell(terminal_text(channel, markup=False)), setting]
        ct = tables.get(channel)
        for r in first:
            own = _row(ct, r.key)
            if own is None:
                row.append("")
                continue
            value = own.programmed if setting == Setting.PROGRAMMED.value else own.maximum
            row.append(_number(value, own.unit, digits=6))
        found = by_key.get((channel, setting), {})
        for rule, unit in units.items():
            hit = found.get(rule)
            row += (["", "", "", "", ""] if hit is None else
                    [_number(hit.value, unit, digits=6), _number(hit.limit, unit, digits=6),
                     hit.verdict.value, terminal_text(_basis_and_source(hit), markup=False),
                     spreadsheet_cell(terminal_text(_note_and_action(hit), markup=False))])
        w.writerow([*row, report.verdict.value, *record])
    return buf.getvalue()


def _note_and_action(f: Finding) -> str:
    """A finding's note, then what to do about it, as one cell."""
    return "; ".join(x for x in (f.note, f"action: {f.action}" if f.action else "") if x)


def _row(ct: ChannelTable | None, key: str) -> TableRow | None:
    if ct is None:
        return None
    try:
        return ct.row(key)
    except KeyError:
        return None


# --- HTML --------------------------------------------------------------------------------------

_CSS = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
        "h1{overflow-wrap:anywhere}.scroll{overflow-x:auto;margin:0 0 1.5em}"
        "table{border-collapse:collapse}"
        "th,td{border:1px solid #bbb;padding:.25em .6em;vertical-align:top}"
        "th{background:#eee;text-align:left}td.n{text-align:right;white-space:nowrap}"
        ".fail{color:#b00;font-weight:bold}.warn{color:#a60}.pass{color:#070}"
        ".meta{color:#666;font-size:.85em}"
        "table.findings td p{margin:0 0 .3em}.action{font-weight:bold;color:#a30}"
        ".src{font-size:.85em;color:#666}"
        # the findings fit the window: fixed columns, the details the widest; a phone
        # scrolls them sideways instead (columns of a few letters split every word)
        "table.findings{width:100%;table-layout:fixed}table.findings td{overflow-wrap:anywhere}"
        # a value wraps between its number and its unit, never inside a word: at 8.5 % a
        # value ran over its limit ("0.7155 mA/cm²" on "2 mA/cm²") and "programmed" broke
        # as "programm/ed" (probe of 5 December 2026)
        "table.findings td.n{white-space:normal;overflow-wrap:normal}"
        "table.findings th:nth-child(1){width:6%}table.findings th:nth-child(2){width:18%}"
        "table.findings th:nth-child(3){width:11%}table.findings th:nth-child(4),"
        "table.findings th:nth-child(5){width:11%}table.findings th:nth-child(6){width:7%}"
        "table.findings td:nth-child(3){overflow-wrap:normal}"
        # the output table: labels readable, text values wrapping, figures on one line
        "table.output td:first-child{min-width:11em}table.output td{overflow-wrap:break-word}"
        "@media (max-width:600px){body{margin:.8em}table.findings{width:60em}"
        "table.output td:first-child{min-width:8em}}")


def _h(text: object) -> str:
    return html.escape(terminal_text(text, markup=False), quote=True)


#: A figure with its unit ("4.493 mA/cm²", "130 Hz", "—"): kept on one line, right-aligned.
#: Text in a figure's column ("cathodic-first, passive (capacitive) recharge") wraps: kept
#: on one line it set the columns' width, and at 390 px the values lay off the screen.
_FIGURE = re.compile(r"^[-−+]?[\d.,]+(e[-+]?\d+)?( × 10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?( \S+)?$|^—?$")


def _html_table(head: tuple[str, ...], rows: list[list[str]], numeric: set[int],
                verdict_col: int | None = None) -> list[str]:
    out = ['<div class="scroll"><table class="output">',
           "<tr>" + "".join(f"<th>{_h(c)}</th>" for c in head) + "</tr>"]
    for row in rows:
        cells = []
        for i, c in enumerate(row):
            cls = ""
            if i in numeric and _FIGURE.match(c):
                cls = ' class="n"'
            elif i == verdict_col:
                cls = f' class="{_h(c.lower())}"'
            cells.append(f"<td{cls}>{_h(c)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table></div>")
    return out


#: The page's findings: the note, action and source of each in one column, read in that
#: order (as nine columns the note and the action, which explain a warning, lay past the
#: right edge of a 1,000 px window; probe of 5 December 2026).
_HTML_FINDING_HEAD = ("Channel", "Rule", "Setting", "Value", "Limit", "Verdict", "Details")


def _html_findings(report: SafetyReport) -> list[str]:
    out = ['<div class="scroll"><table class="findings">',
           "<tr>" + "".join(f"<th>{_h(c)}</th>" for c in _HTML_FINDING_HEAD) + "</tr>"]
    for f in report.findings:
        cells = _finding_cells(f)
        first = [f"<td>{_h(c)}</td>" for c in cells[:3]]
        # a figure on one line; words beside it ("10 mA (an indicator needed above)") wrap
        first += [f'<td class="n">{_h(c)}</td>' if _FIGURE.match(c) else f"<td>{_h(c)}</td>"
                  for c in cells[3:5]]
        first.append(f'<td class="{_h(cells[5].lower())}">{_h(cells[5])}</td>')
        details = [f"<p>{_h(f.note)}</p>" if f.note else "",
                   f'<p class="action">{_h(f.action)}</p>' if f.action else "",
                   f'<p class="src">{_h(_basis_and_source(f))}</p>']
        out.append("<tr>" + "".join(first) + "<td>" + "".join(details) + "</td></tr>")
    out.append("</table></div>")
    return out


def _html(report: SafetyReport, provenance: str = "") -> str:
    title = f"{report.program}: output specification and safety findings"
    v = report.verdict.value
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8" />',
             '<meta name="viewport" content="width=device-width, initial-scale=1" />',
             f"<title>{_h(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
             f"<h1>{_h(title)}</h1>",
             f'<p class="meta">{_h(provenance)}</p>' if provenance else "",
             f'<p>Overall verdict: <span class="{v}">{v.upper()}</span> '
             f"({_h(_counts(report))}).</p>"]
    for ct in report.table.channels:
        parts.append(f"<h2>{_h(_title(ct))}</h2>")
        parts += _html_table(_OUTPUT_HEAD, [[r.label, _with_unit(r.programmed, r.unit),
                                             _with_unit(r.maximum, r.unit), r.note]
                                            for r in _shown_rows(ct)], numeric={1, 2})
    parts.append("<h2>Safety findings (evidence: rule)</h2>")
    parts += _html_findings(report)
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"
