"""Terminal summary of a :class:`Result` (rich tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from estim.units import format_si

if TYPE_CHECKING:
    from rich.console import Console

    from estim.simulate import Result

__all__ = ["render_summary"]


def render_summary(result: Result, console: Console) -> None:
    """Program, per-channel output metrics, then the safety check."""
    from rich.table import Table

    p = result.program
    console.rule(f"[bold]{p.name}")
    if p.description:
        console.print(p.description)
    if p.source:
        console.print(f"[dim]source: {p.source}[/dim]")
    table = Table(title="Output at the programmed amplitude (exact, from the pulse model)")
    table.add_column("channel")
    table.add_column("waveform")
    for col in ("peak", "r.m.s. (worst 1 s)", "average |I|", "d.c.", "max phase charge",
                "duty"):
        table.add_column(col, justify="right")
    for ch, stim, m in zip(p.channels, result.stimuli, result.metrics, strict=True):
        u = stim.unit
        q = "C" if u == "A" else "V*s"
        table.add_row(ch.name, stim.timing.shape, format_si(m.peak, u),
                      format_si(m.rms_max_1s, u), format_si(m.mean_abs, u),
                      format_si(m.mean, u), format_si(m.max_phase_charge, q),
                      f"{m.duty:.3g}")
    console.print(table)
    if result.safety is not None:
        from estim.safety import render_check

        render_check(result.safety, console)
    for name, value in result.extras.items():
        render = getattr(value, "render", None)
        if render is not None:
            render(console)
        else:
            console.print(f"[bold]{name}[/bold]: {value}")
