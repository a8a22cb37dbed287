"""A self-contained HTML report (figures embedded as PNG data; opens offline).

Everything a user typed (program name, description, placements) is escaped.
"""

from __future__ import annotations

import base64
import html
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from estim.simulate import Result

__all__ = ["render_html"]


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return "—"
    return html.escape(str(value))


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>(none)</p>"
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols and not isinstance(r[k], dict | list):
                cols.append(k)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for r in rows:
        cls = f' class="{html.escape(str(r.get("verdict", "")))}"' if "verdict" in r else ""
        cells = "".join(f"<td>{_fmt(r.get(c))}</td>" for c in cols)
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _kv(d: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{_fmt(v)}</td></tr>"
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
        parts.append(f"<p>Evidence: thresholds {html.escape(w['evidence']['thresholds'])}; "
                     f"anatomy {html.escape(w['evidence']['anatomy'])}; sensation "
                     f"{html.escape(w['evidence']['sensation'])}.</p>")
    s = d.get("sensation")
    if s is not None:
        parts.append(f"<p><b>At the programmed intensity: {html.escape(s['phrase'])}</b> "
                     f"({html.escape('; '.join(s['reasons']))}). "
                     f"<i>{html.escape(s['evidence'])}</i></p>")
    if effects.force is not None:
        parts.append("<h3>Force and fatigue</h3>")
        parts.append(_img(figure_to_png(plot_force(effects.force, effects.max_force_N)),
                          "force"))
        parts.append(_kv(d.get("force", {})))
    if d.get("dose"):
        parts.append("<h3>Iontophoretic dose</h3>")
        parts.append(_kv(d["dose"]))
        for line in d["dose"].get("findings", []):
            parts.append(f"<p class='warn'>{html.escape(line)}</p>")
    for note in d.get("notes", []):
        parts.append(f"<p class='src'>Note: {html.escape(note)}</p>")
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
        f"<title>estim: {html.escape(p.name)}</title><style>{css}</style></head><body>",
        f"<h1>{html.escape(p.name)}</h1>",
        f"<p>{html.escape(p.description)}</p>",
        f"<p class='src'>Source: {html.escape(p.source)}</p>",
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
        parts.append(f"<h3>Channel {html.escape(ch['name'])}: "
                     f"{html.escape(ch['waveform'])}</h3>")
        parts.append(_kv(ch["metrics"]))
    safety = data.get("safety")
    if safety:
        parts.append(f"<h2>Safety: <span class='{html.escape(str(safety.get('verdict')))}'>"
                     f"{html.escape(str(safety.get('verdict')).upper())}</span></h2>")
        for key, value in safety.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                parts.append(f"<h3>{html.escape(key.replace('_', ' '))}</h3>")
                parts.append(_table(value))
    if result.effects is not None:
        parts.extend(_effects_html(result.effects, data.get("effects", {})))
    parts.append("<footer>Made with estim. Model outputs are predictions with stated evidence "
                 "levels, not clinical facts.</footer></body></html>")
    return "\n".join(parts)
