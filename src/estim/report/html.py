"""A self-contained HTML report (figures embedded as PNG data; opens offline).

Everything a user typed (program name, description, placements) is escaped.
"""

from __future__ import annotations

import base64
import html
from importlib import resources
from typing import TYPE_CHECKING, Any

from estim.text import terminal_text

if TYPE_CHECKING:
    from estim.simulate import Result

__all__ = ["render_html"]


def _h(text: object) -> str:
    """User text for HTML: control characters (ANSI escapes, bidirectional overrides) spelled
    out as in the terminal, then HTML-escaped."""
    return html.escape(terminal_text(text, markup=False))


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{_h(alt)}" src="data:image/png;base64,{data}">'


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return "—"
    return _h(str(value))


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>(none)</p>"
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols and not isinstance(r[k], dict | list):
                cols.append(k)
    head = "".join(f"<th>{_h(c)}</th>" for c in cols)
    body = []
    for r in rows:
        cls = f' class="{_h(str(r.get("verdict", "")))}"' if "verdict" in r else ""
        cells = "".join(f"<td>{_fmt(r.get(c))}</td>" for c in cols)
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _kv(d: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{_h(k)}</th><td>{_fmt(v)}</td></tr>"
                   for k, v in d.items() if not isinstance(v, dict | list))
    return f"<table>{rows}</table>"


def _effects_html(effects: Any, d: dict[str, Any]) -> list[str]:
    from estim.report.plots import figure_to_png, plot_force, plot_recruitment

    parts = ["<h2>In the body</h2>"]
    fields = d.get("fields")
    if fields:
        parts.append("<h3>Field solution</h3>")
        parts.append(_kv({k: v for k, v in fields.items() if k != "channels"}))
        parts.append(_table(fields.get("channels", [])))
        if effects.program_fields is not None:
            parts.append(_img(_cross_section_png(effects.program_fields), "field cross-section"))
    w = d.get("sensation_window")
    if w is not None and effects.window is not None:
        parts.append("<h3>Sensation window</h3>")
        parts.append(_img(figure_to_png(plot_recruitment(effects.window)), "recruitment"))
        parts.append(_table([
            {"threshold": "sensory", "peak current (mA)": _ma(w["sensory_threshold_A"]),
             "criterion": w["sensory_criterion"]},
            {"threshold": "motor", "peak current (mA)": _ma(w["motor_threshold_A"]),
             "criterion": w["motor_criterion"]},
            {"threshold": "pain", "peak current (mA)": _ma(w["pain_threshold_A"]),
             "criterion": w["pain_criterion"]},
        ]))
        parts.append(f"<p>Evidence: thresholds {_h(w['evidence']['thresholds'])}; "
                     f"anatomy {_h(w['evidence']['anatomy'])}; sensation "
                     f"{_h(w['evidence']['sensation'])}.</p>")
    s = d.get("sensation")
    if s is not None:
        parts.append(f"<p><b>At the programmed intensity: {_h(s['phrase'])}</b> "
                     f"({_h('; '.join(s['reasons']))}). "
                     f"<i>{_h(s['evidence'])}</i></p>")
    if effects.force is not None:
        parts.append("<h3>Force and fatigue</h3>")
        parts.append(_img(figure_to_png(plot_force(effects.force, effects.max_force_N)),
                          "force"))
        parts.append(_kv(d.get("force", {})))
    if d.get("dose"):
        parts.append("<h3>Iontophoretic dose</h3>")
        parts.append(_kv(d["dose"]))
        for line in d["dose"].get("findings", []):
            parts.append(f"<p class='warn'>{_h(line)}</p>")
    for note in d.get("notes", []):
        parts.append(f"<p class='src'>Note: {_h(note)}</p>")
    return parts


def _cross_section_png(pf: Any) -> bytes:
    """The potential and |E| cross-section of the field stage, as PNG bytes."""
    import tempfile
    from pathlib import Path

    from estim.fields.cli import _cross_section, section_plane

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "section.png"
        _cross_section(pf, section_plane(pf.site, pf.solution.electrodes), path)
        return path.read_bytes()


def _ma(value: float | None) -> str:
    return "not reached" if value is None else f"{value * 1e3:.3g}"


def render_html(result: Result, data: dict[str, Any]) -> str:
    """The report for ``result``; ``data`` is its JSON form (see ``result_to_dict``)."""
    from estim.report.plots import figure_to_png, plot_waveforms

    css = (resources.files("estim") / "report" / "assets" / "report.css").read_text("utf-8")
    p = result.program
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>estim: {_h(p.name)}</title><style>{css}</style></head><body>",
        f"<h1>{_h(p.name)}</h1>",
        f"<p>{_h(p.description)}</p>",
        f"<p class='src'>Source: {_h(p.source)}</p>",
        "<h2>Program</h2>",
        _table([{"channel": c.name, "modality": c.stimulation.type,
                 "anode": c.anode.placement, "cathode": c.cathode.placement,
                 "anode area (cm²)": c.anode.area_m2 * 1e4,
                 "cathode area (cm²)": c.cathode.area_m2 * 1e4} for c in p.channels]),
        "<h2>Waveforms</h2>",
        _img(figure_to_png(plot_waveforms(result.stimuli, [c.name for c in p.channels])),
             "waveforms"),
        "<h2>Output metrics at the programmed amplitude</h2>",
    ]
    for ch in data["channels"]:
        parts.append(f"<h3>Channel {_h(ch['name'])}: "
                     f"{_h(ch['waveform'])}</h3>")
        parts.append(_kv(ch["metrics"]))
    safety = data.get("safety")
    if safety:
        parts.append(f"<h2>Safety: <span class='{_h(str(safety.get('verdict')))}'>"
                     f"{_h(str(safety.get('verdict')).upper())}</span></h2>")
        for key, value in safety.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                parts.append(f"<h3>{_h(key.replace('_', ' '))}</h3>")
                parts.append(_table(value))
    if result.effects is not None:
        parts.extend(_effects_html(result.effects, data.get("effects", {})))
    parts.append("<footer>Made with estim. Model outputs are predictions with stated evidence "
                 "levels, not clinical facts.</footer></body></html>")
    return "\n".join(parts)
