"""Figures: waveforms at pulse scale and at session scale.

matplotlib is imported inside the functions (Agg backend), so importing estim stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from estim.text import terminal_text
from estim.waveforms.stimulus import Stimulus

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["figure_to_png", "plot_force", "plot_recruitment", "plot_waveforms"]


def _pulse_window(stim: Stimulus) -> tuple[float, float]:
    """A window that shows the first few pulses (or carrier cycles) in detail (s)."""
    if len(stim.onsets_s) == 0:
        return 0.0, stim.cycle_s
    first = float(stim.onsets_s[0])
    dur = stim.pulses[stim.template[0]].duration
    if stim.timing.carrier_hz:
        span = max(5.0 / stim.timing.carrier_hz, min(dur, 0.02))
        if stim.timing.band_frequencies_hz and min(stim.timing.band_frequencies_hz) > 0:
            span = max(span, 1.5 / min(stim.timing.band_frequencies_hz))
        return first, first + min(span, stim.duration_s)
    if dur > 0.2 * stim.cycle_s:  # long pulses (d.c., microcurrent): show whole cycles
        return 0.0, min(stim.duration_s, 2 * stim.cycle_s)
    nxt = stim.onsets_s[1] if len(stim.onsets_s) > 1 else first + stim.cycle_s
    span = 2.2 * float(nxt - first) if len(stim.onsets_s) > 1 else 1.2 * stim.cycle_s
    return first - 0.1 * dur, first + max(span, 1.5 * dur)


def _envelope(stim: Stimulus, max_points: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """Signed per-pulse peak over the session, cycle by cycle (thinned to max_points)."""
    peaks = np.array([max((s.peak_abs() for s in p.segments), default=0.0)
                      for p in stim.pulses])[stim.template] * stim.scale
    n_ev = len(stim.onsets_s)
    cycles = stim.n_cycles
    if n_ev == 0:
        return np.zeros(1), np.zeros(1)
    per_cycle_points = n_ev
    keep_cycles = cycles
    if per_cycle_points * cycles > max_points:
        keep_cycles = max(1, max_points // per_cycle_points)
    stride = max(1, math.ceil(cycles / keep_cycles))
    idx = np.arange(0, cycles, stride)
    t = (stim.onsets_s[None, :] + idx[:, None] * stim.cycle_s).ravel()
    v = np.tile(peaks, len(idx))
    if len(t) > max_points:
        step = math.ceil(len(t) / max_points)
        t, v = t[::step], v[::step]
    return t, v


def _plain(text: object) -> str:
    """User text as matplotlib shows it literally: control characters spelled out, and ``$``
    escaped so that it does not start mathtext (``"$x^{$"`` would raise)."""
    return terminal_text(text, markup=False).replace("$", r"\$")


def plot_waveforms(stimuli: Sequence[Stimulus], names: Sequence[str], *,
                   title: str = "") -> Figure:
    """One row per channel: the pulse in detail (left) and the whole session (right)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    pair = len(stimuli) == 2 and all(st.timing.carrier_hz for st in stimuli)
    rows = len(stimuli) + (1 if pair else 0)
    fig = Figure(figsize=(11, 2.6 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, 2, squeeze=False)
    for row, (stim, name) in enumerate(zip(stimuli, names, strict=True)):
        unit = "mA" if stim.unit == "A" else "V"
        k = 1e3 if stim.unit == "A" else 1.0
        t0, t1 = _pulse_window(stim)
        t, v = stim.sample_grid(t0, t1)
        ax = axes[row][0]
        t_scale, t_unit = (1e3, "ms") if t1 - t0 < 2 else (1.0, "s")
        ax.plot(t * t_scale, v * k, lw=1.0, color="tab:blue")
        ax.axhline(0, color="0.6", lw=0.5)
        ax.set_xlabel(f"time ({t_unit})")
        ax.set_ylabel(f"channel {_plain(name)} ({unit})")
        ax.set_title(f"{stim.timing.shape}", fontsize=9)
        ax2 = axes[row][1]
        te, ve = _envelope(stim)
        span = stim.duration_s
        scale, sunit = (1 / 60, "min") if span > 120 else (1.0, "s")
        if len(te) > 1:
            ax2.vlines(te * scale, 0, ve * k, lw=0.6, color="tab:orange")
        ax2.axhline(0, color="0.6", lw=0.5)
        ax2.set_xlim(0, span * scale)
        ax2.set_xlabel(f"session time ({sunit})")
        ax2.set_ylabel(f"pulse peak ({unit})")
        ax2.set_title(f"session: {span / 60:.3g} min, {len(stim.onsets_s)} pulses per "
                      f"{stim.cycle_s:.4g} s cycle", fontsize=9)
    if pair:
        # Two carriers meet in the tissue; with equal weights the sum beats at their
        # difference frequency (what true interferential relies on).
        a, b = stimuli
        t = np.linspace(0.0, 0.05, 40_001)
        ax = axes[-1][0]
        ax.plot(t * 1e3, (a.sample(t) + b.sample(t)) * 1e3, lw=0.5, color="tab:purple")
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("A + B (mA)")
        ax.set_title("sum of both channels at a point of equal weight: the beat", fontsize=9)
        # the beat over one sweep cycle: each step's second carrier minus the first
        fc = a.timing.carrier_hz or 0.0
        beat_ch = b if b.cycle_s >= a.cycle_s else a
        f2 = np.array([max(abs(r.imag) for s in p.segments for r in s.rates) / (2 * np.pi)
                       for p in beat_ch.pulses])[beat_ch.template]
        ax2 = axes[-1][1]
        ax2.step(beat_ch.onsets_s, f2 - fc, where="post", color="tab:purple")
        ax2.set_xlabel("time in the sweep cycle (s)")
        ax2.set_ylabel("beat frequency (Hz)")
        ax2.set_title(f"beat sweep, one {beat_ch.cycle_s:.3g} s cycle", fontsize=9)
    if title:
        fig.suptitle(_plain(title))
    return fig


def figure_to_png(fig: Figure) -> bytes:
    """PNG bytes of a figure."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def plot_recruitment(window: Any) -> Figure:
    """Recruitment of every fiber class against the channel's peak current, with the
    sensory, motor and pain thresholds and the programmed intensity marked."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 4.2), layout="constrained")
    ax = fig.subplots()
    finite = [t for c in window.classes.values() for t in c.thresholds_a
              if np.isfinite(t) and t > 0]
    lo = min([*finite, *([window.amplitude_a] if window.amplitude_a > 0 else [])],
             default=1e-3) * 0.5
    hi = max(window.amplitude_a * 4, lo * 10)
    amps = np.geomspace(lo, hi, 300)
    colours = {"abeta": "tab:green", "adelta": "tab:red", "c": "tab:brown",
               "motor": "tab:blue"}
    labels = {"abeta": "Aβ (touch, tingling)", "adelta": "Aδ (sharp pain)",
              "c": "C (burning pain)", "motor": "motor axons"}
    for name, frac in window.curve(amps).items():
        ax.step(amps * 1e3, frac * 100, where="post", color=colours.get(name),
                label=f"{labels.get(name, name)}, n={window.classes[name].thresholds_a.size}")
    for value, text, style in ((window.sensory_a, "sensory", ":"),
                               (window.motor_a, "motor", "--"),
                               (window.pain_a, "pain", "-.")):
        if np.isfinite(value) and lo < value < hi:
            ax.axvline(value * 1e3, color="0.4", ls=style, lw=1)
            ax.text(value * 1e3, 102, text, rotation=90, va="bottom", ha="center",
                    fontsize=8)
    ax.axvline(window.amplitude_a * 1e3, color="k", lw=2, alpha=0.5)
    ax.text(window.amplitude_a * 1e3, 50, " programmed", fontsize=8)
    ax.set_xscale("log")
    ax.set_ylim(0, 115)
    ax.set_xlabel("peak current (mA)")
    ax.set_ylabel("fibers recruited (%)")
    ax.set_title(f"Recruitment under the cathode, channel "
                 f"{_plain(window.channel)} "
                 "(cable models; anatomy assumed)", fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def plot_force(session: Any, max_force_n: float | None) -> Figure:
    """Force over the session and the peak of every contraction (fatigue)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 3.4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    f = session.force
    t = np.asarray(f.time_s)
    first = t <= min(t[-1], session.train.period_s * 1.05)
    ax1.plot(t[first], np.asarray(f.force_N)[first], color="tab:blue")
    ax1.set_xlabel("time (s)")
    ax1.set_ylabel("force (N)")
    ax1.set_title("first contraction (Ding model, healthy quadriceps)", fontsize=9)
    peaks = np.asarray(session.contraction_peak_force_N)
    starts = np.asarray(session.train.cycle_starts_s)[: peaks.size]
    ax2.plot(starts / 60, peaks, "o-", ms=3, color="tab:orange")
    if max_force_n:
        ax2.axhline(max_force_n, color="0.5", ls=":", lw=1)
        ax2.text(0, max_force_n, " maximal (fused, all axons)", va="bottom", fontsize=8)
    ax2.set_ylim(0, None)
    ax2.set_xlabel("session time (min)")
    ax2.set_ylabel("peak force per contraction (N)")
    ratio = session.fatigue_ratio
    ax2.set_title(f"fatigue: last / first contraction = {ratio:.2f}", fontsize=9)
    return fig
