"""A self-contained HTML report (figures embedded as PNG data, CSS inline; opens offline).

The page is a Jinja2 template (``report/templates/report.html.j2``) with autoescaping on:
everything a user typed (program name, description, placements, the program file) is
escaped. The words and numbers come from :mod:`estim.report.page`, the figures from
:mod:`estim.report.plots` and :mod:`estim.report.figures`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from estim.report import body_rows, page, safety_rows, summary
from estim.text import terminal_text

if TYPE_CHECKING:
    from jinja2 import Environment
    from matplotlib.figure import Figure

    from estim.simulate import Result

__all__ = ["SECTIONS", "filed_under", "render_html"]

#: The US regulation whose premarket filing lists a modality's output characteristics (its
#: 510(k)'s output table), or what stands in its place. TENS, microcurrent and
#: interferential units are cleared under 882.5890 or 890.5850 by their intended use; a DBS
#: system is class III and goes through premarket approval; iontophoresis has its own.
_FILED_UNDER = {
    "tens": "21 CFR 882.5890 (TENS for pain relief)",
    "microcurrent": "21 CFR 882.5890 (TENS, as microcurrent units are cleared)",
    "interferential": "21 CFR 882.5890 or 890.5850, by the intended use",
    "nmes": "21 CFR 890.5850 (powered muscle stimulator)",
    "ems": "21 CFR 890.5850 (powered muscle stimulator)",
    "russian": "21 CFR 890.5850 (powered muscle stimulator)",
    "hvpc": "21 CFR 890.5850 (powered muscle stimulator, as HVPC units are cleared)",
    "iontophoresis": "21 CFR 890.5525 (iontophoresis device)",
    "dbs": "premarket approval (PMA) of an implanted class III device, not a 510(k)",
}


def filed_under(kinds: list[str]) -> str:
    """Where the output table of a program's modalities is filed, in words.

    >>> filed_under(["dbs"])
    'premarket approval (PMA) of an implanted class III device, not a 510(k)'
    >>> filed_under(["iontophoresis", "tens"])
    '21 CFR 890.5525 (iontophoresis device); 21 CFR 882.5890 (TENS for pain relief)'
    """
    return "; ".join(dict.fromkeys(_FILED_UNDER.get(k, "the device's own premarket filing")
                                   for k in kinds))

#: Section headings; the body sections appear when the program has them. The page (and its
#: contents line) runs: summary, safety verdict, sensation window, force, dose, DBS,
#: field, waveform, output specification, findings, notes, program (the index of each is
#: kept from an earlier order).
SECTIONS = ("Summary", "Safety verdict", "Output specification", "Findings",
            "Waveform", "Field in the tissue", "Sensation window", "Force and fatigue",
            "Iontophoretic dose", "Notes on the model", "Program file",
            "Tissue activated around the lead")


@cache
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("estim.report", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


#: Bump when a figure's drawing changes in a way :func:`_figure_source` does not see.
_FIGURE_VERSION = "figures-1"
_FIGURE_KIND = "figures"
#: The modules that draw the report's figures (their source is part of a figure's key).
_FIGURE_MODULES = ("estim.report.html", "estim.report.plots", "estim.report.figures",
                   "estim.report.dbs_figures", "estim.text")


@cache
def _figure_source() -> str:
    """sha256 of the figure modules' source and matplotlib's version: an edit of either
    makes new keys, so a cached figure is the one this code would draw."""
    import hashlib
    import importlib.util
    from importlib.metadata import version
    from pathlib import Path

    h = hashlib.sha256(version("matplotlib").encode())
    for module in _FIGURE_MODULES:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin is not None:
            h.update(Path(spec.origin).read_bytes())
    return h.hexdigest()


def _png(name: str, inputs: Any, draw: Callable[[], Figure]) -> str:
    """A figure as a ``data:`` URL. Its PNG is kept in the disk cache (kind ``figures``)
    under ``name``, everything it is drawn from (``inputs``) and :func:`_figure_source`:
    a run that draws the same figure again (every warm ``estim run``) reads the PNG and
    does not import matplotlib (~3 s of a 6 s warm run on a 2-core machine)."""
    import numpy as np

    from estim.cache import digest, load_arrays, store_arrays
    from estim.version import __version__

    key = digest(_FIGURE_VERSION, __version__, _figure_source(), name, inputs)
    hit = load_arrays(_FIGURE_KIND, key)
    if hit is not None and hit["png"].dtype == np.uint8:
        png = hit["png"].tobytes()
    else:
        from estim.report.plots import figure_to_png

        png = figure_to_png(draw())
        store_arrays(_FIGURE_KIND, key, {"png": np.frombuffer(png, dtype=np.uint8)})
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _figures(result: Result, data: dict[str, Any]) -> dict[str, str]:
    from estim.report.figures import section_groups, sections_figure
    from estim.report.plots import plot_force, plot_recruitment, plot_waveforms

    p = result.program
    names = [c.name for c in p.channels]
    figs = {"waveform": _png("waveform", (result.stimuli, names, p.true_interferential),
                             lambda: plot_waveforms(result.stimuli, names,
                                                    beat=p.true_interferential))}
    fx = result.effects
    if fx is not None and fx.program_fields is not None:
        groups = section_groups(fx.program_fields)  # channels whose pads lie apart: each
        figs["field"] = _png("field", groups, lambda: sections_figure(groups))
    if fx is not None and fx.window is not None:
        window = fx.window
        held = fx.reach is not None and fx.reach.limited
        # where the device stops: NMES's figure ran to 200 mA with no mark at its 100 mA
        # maximum (phone probe of 6 December 2026)
        top = page.device_top(data, window.channel)
        # a dial in volts gets its own axis: HVPC's figure was in mA alone (phone probe)
        ohms = body_rows.dial_ohms(data, window.channel)
        figs["recruitment"] = _png("recruitment", (window, held, top, ohms),
                                   lambda: plot_recruitment(window, held=held, device=top,
                                                            dial_ohm=ohms))
    if fx is not None and fx.force is not None:
        force = (fx.force, fx.max_force_N,
                 fx.window.muscle if fx.window is not None else None)
        figs["force"] = _png("force", force, lambda: plot_force(*force))
    if fx is not None and fx.dbs is not None:
        from estim.report.dbs_figures import dbs_sections_figure, dbs_sweep_figure

        dbs = fx.dbs
        figs["dbs_sections"] = _png("dbs_sections", dbs, lambda: dbs_sections_figure(dbs))
        if dbs.sweep is not None:
            figs["dbs_sweep"] = _png("dbs_sweep", dbs, lambda: dbs_sweep_figure(dbs))
    return figs


def render_html(result: Result, data: dict[str, Any], *, program_text: str | None = None,
                generated: datetime | None = None) -> str:
    """The report for ``result``.

    :param data: its JSON form (:func:`estim.report.run.result_to_dict`).
    :param program_text: the program file as the user wrote it (TOML), shown at the end.
    :param generated: when the report was made (default: now, UTC).
    """
    from estim.version import __version__

    css = (resources.files("estim") / "report" / "assets" / "report.css").read_text("utf-8")
    fx = data.get("effects") or {}
    doses = list(body_rows.doses_of(fx).values())
    footnotes = safety_rows.Footnotes()
    findings = safety_rows.finding_rows(result.safety.findings, footnotes)
    columns, rows = safety_rows.output_table(result.safety.table)
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    said = summary.summary(result, data)
    # a note the summary already says is not said again (DBS's activated volume was the
    # notes' first line, word for word; phone probe of 6 December 2026)
    summary_text = " ".join([said["what"], said["safety"], *said["feel"]])
    notes = [n for n in (page.readable(page.plain(n)) for n in fx.get("notes", []))
             if n.rstrip(".") not in summary_text]
    context = {
        "css": css,
        "name": page.plain(result.program.name),
        "summary": said,
        "bad": [f for f in findings if f.verdict != "pass"],
        "findings": findings,
        "n_findings": len(findings),
        "footnotes": footnotes.sources,
        "columns": columns,
        "rows": rows,
        "figures": _figures(result, data),
        "field_rows": body_rows.field_rows(fx["fields"], result) if fx.get("fields") else [],
        # the field is drawn at the programmed current: where the device drives less, it
        # says how much less (a 60 mA field beside a device that drives 9.24 mA; probe)
        "field_held": [f"Channel {r['channel']}: "
                       + body_rows.reach_limited(data, r["channel"])
                       + f"; the field in the tissue is {r['reach_A'] / r['programmed_A']:.0%}"
                       " of the one drawn."
                       for r in fx.get("device_reaches") or [] if r.get("limited")
                       and r.get("programmed_A")],
        "window": body_rows.thresholds(fx["sensation_window"], page.device_top(
            data, fx["sensation_window"]["channel"])) if fx.get("sensation_window")
        else [],
        "sensation": fx.get("sensation"),
        # a program of several channels: whose pads the table is under, and the others
        "window_channels": page.other_channels_words(fx, fx["sensation_window"], data)
        if fx.get("sensation_window") else [],
        "at_name": body_rows.at_name(fx.get("sensation_window") or {}),
        "reasons": "; ".join(page.readable(page.plain(r))
                             for r in (fx.get("sensation") or {}).get("reasons", [])),
        "plain_sensation": page.plain_sensation(
            (fx.get("sensation") or {}).get("words")
            or (fx.get("sensation") or {}).get("phrase", ""), fx.get("sensation_window")),
        # a program of several channels: whose muscle (another's force is in the summary)
        "force_rows": ([("Channel", page.plain(fx["sensation_window"]["channel"]))]
                       if fx.get("other_channels") and fx.get("sensation_window") else [])
        + body_rows.force_rows(fx["force"]) if fx.get("force") else [],
        # each effect's evidence level where it is shown: the DBS and iontophoresis pages
        # promised "stated evidence levels" and stated none (probe of 5 December 2026)
        "evidence": {k: page.readable(page.plain(body_rows.evidence_words(
            (fx.get(k) or {}).get("evidence")))) for k in ("force", "dose", "dbs_activation")},
        "dbs_rows": body_rows.dbs_rows(fx["dbs_activation"]) if fx.get("dbs_activation") else [],
        # each iontophoresis channel's dose, named by its channel where there are several
        # (a second channel's went unsaid; review of 6 December 2026)
        # each with its own evidence: a drug's Faraday estimate or none (the first dose's
        # stood under every one; review of 6 December 2026)
        "doses": [{"channel": page.plain(str(x.get("channel"))) if len(doses) > 1 else None,
                   "rows": body_rows.dose_rows(x),
                   "findings": [page.readable(page.plain(f)) for f in x.get("findings", [])],
                   "evidence": page.readable(page.plain(body_rows.evidence_words(
                       x.get("evidence"))))}
                  for x in doses],
        "notes": notes,
        "warnings": [page.readable(page.plain(w)) for w in result.warnings],
        "program_text": (terminal_text(program_text, markup=False, newlines=True)
                         if program_text is not None else None),
        "version": __version__,
        "generated": when,
        "sections": SECTIONS,
        "filed_under": filed_under(sorted({c.stimulation.type for c in result.program.channels})),
    }
    return _environment().get_template("report.html.j2").render(context)
