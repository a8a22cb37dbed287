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
    ax.loglog(pws * 1e6, sd.thresholds_a * 1e6, "o", label="cable model")  # [A -> µA]
    fine = np.geomspace(pws[0], pws[-1], 100)
    ax.loglog(fine * 1e6, sd.predict(fine) * 1e6, "-",
              label=f"Weiss's line: rheobase {sd.rheobase_a * 1e6:.3g} µA, "
                    f"chronaxie {sd.chronaxie_s * 1e6:.3g} µs")
    plain_log_ticks(ax.xaxis)
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel("pulse width (µs)")
    ax.set_ylabel("threshold (µA)")
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
