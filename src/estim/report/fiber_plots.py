"""Figures of ``estim fibers``: strength–duration and recruitment, as PNG bytes.

The numbers are computed by :mod:`estim.fibers` and :mod:`estim.effects`; these functions only
draw them (``Agg``, nothing shown, nothing written).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from numpy.typing import NDArray

from estim.report.plots import plain_log_ticks
from estim.safety.render import format_value
from estim.text import current_text

__all__ = ["point_recruitment_png", "point_strength_duration_png", "window_strength_duration_png"]


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, dpi=120, format="png")
    return buf.getvalue()


def _figure(size: tuple[float, float]) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=size, layout="constrained")


def window_strength_duration_png(sd: Any) -> bytes:
    """Sensory and motor thresholds of a site against pulse width, with their Weiss fits
    (``sd`` from :func:`estim.effects.strength_duration.window_strength_duration`)."""
    fig = _figure((6, 4))
    ax = fig.subplots()
    d = sd.pulse_widths_s
    fine = np.geomspace(d[0], d[-1], 100)
    for name, thr, (b, tau), colour in (("sensory (detection)", sd.sensory_a, sd.sensory_fit,
                                         "tab:green"),
                                        ("motor (visible twitch)", sd.motor_a, sd.motor_fit,
                                         "tab:blue")):
        ax.loglog(d * 1e6, thr * 1e3, "o", color=colour)  # [s -> µs], [A -> mA]
        ax.loglog(fine * 1e6, b * (1 + tau / fine) * 1e3, "-", color=colour,
                  label=f"{name}: τ = {tau * 1e6:.0f} µs")
    plain_log_ticks(ax.xaxis)
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel("pulse width (µs, monophasic)")
    ax.set_ylabel("threshold (mA)")
    ax.set_title("Strength–duration (human τ: sensory 665, motor 459 µs; Mogyoros 1996)",
                 fontsize=9)
    ax.legend(fontsize=8)
    return _png(fig)


def point_strength_duration_png(sd: Any, *, title: str) -> bytes:
    """One fiber's thresholds against pulse width under a point source, with the Weiss fit
    (``sd`` from :func:`estim.fibers.strength_duration`)."""
    fig = _figure((5, 3.5))
    ax = fig.subplots()
    pws = sd.pulse_widths_s
    # in mA where the thresholds reach it: a C fiber's read 50000 µA, its chronaxie
    # "1.83e+04 µs" (researcher's probe of 6 December 2026)
    finite = sd.thresholds_a[np.isfinite(sd.thresholds_a)]
    unit, k = ("mA", 1e3) if finite.size and float(np.max(finite)) >= 1e-3 else ("µA", 1e6)
    ax.loglog(pws * 1e6, sd.thresholds_a * k, "o", label="cable model")  # [A -> unit]
    fine = np.geomspace(pws[0], pws[-1], 100)
    ax.loglog(fine * 1e6, sd.predict(fine) * k, "-",
              label=f"Weiss's line: rheobase {current_text(sd.rheobase_a)}, "
                    f"chronaxie {format_value(sd.chronaxie_s, 'µs')}")
    plain_log_ticks(ax.xaxis)
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel("pulse width (µs)")
    ax.set_ylabel(f"threshold ({unit})")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    return _png(fig)


def point_recruitment_png(amplitudes_a: NDArray[np.float64],
                          fraction: NDArray[np.float64], *, title: str = "Recruitment") -> bytes:
    """Fraction of a fiber population activated against the source current (A)."""
    fig = _figure((5, 3.5))
    ax = fig.subplots()
    ax.semilogx(amplitudes_a * 1e6, fraction * 100)  # [A -> µA], [1 -> %]
    plain_log_ticks(ax.xaxis)
    ax.set_xlabel("amplitude (µA)")
    ax.set_ylabel("fibers activated (%)")
    ax.set_title(title, fontsize=9)
    return _png(fig)
