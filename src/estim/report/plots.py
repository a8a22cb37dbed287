"""Figures: waveforms at pulse scale and at session scale.

matplotlib is imported inside the functions (Agg backend), so importing estim stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from estim.text import plot_text, readable
from estim.waveforms.stimulus import Stimulus

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from estim.waveforms.segments import Segment

__all__ = ["THRESHOLDS", "figure_to_png", "plain_log_ticks", "plot_force", "plot_recruitment",
           "plot_waveforms"]


def _pulse_window(stim: Stimulus) -> tuple[float, float, float]:
    """A window that shows the first few pulses (or carrier cycles) in detail, and the
    onset its time axis counts from (s): NMES's first full pulse, 2 s into its ramp, was
    drawn from 2000.0 to 2001.3 ms (phone probe of 6 December 2026)."""
    if len(stim.onsets_s) == 0:
        return 0.0, stim.cycle_s, 0.0
    # the first pulse at full amplitude (not one on a ramp)
    i = int(np.argmax(stim.event_peak >= 0.999 * stim.peak))
    first = float(stim.onsets_s[i])
    dur = stim.pulses[stim.template[i]].duration
    if stim.timing.carrier_hz:
        span = max(5.0 / stim.timing.carrier_hz, min(dur, 0.02))
        if stim.timing.band_frequencies_hz and min(stim.timing.band_frequencies_hz) > 0:
            span = max(span, 1.5 / min(stim.timing.band_frequencies_hz))
        return first, first + min(span, stim.duration_s), first
    if dur > 0.2 * stim.cycle_s:  # long pulses (d.c., microcurrent): show whole cycles
        return 0.0, min(stim.duration_s, 2 * stim.cycle_s), 0.0
    nxt = stim.onsets_s[i + 1] if i + 1 < len(stim.onsets_s) else first + stim.cycle_s
    span = 2.2 * float(nxt - first) if len(stim.onsets_s) > 1 else 1.2 * stim.cycle_s
    if dur < 0.02 * span:  # a pulse too short to see among its repeats (HVPC's twin
        return first - 0.2 * dur, first + 1.6 * dur, first  # peaks): the pulse itself
    return first - 0.1 * dur, first + max(span, 1.5 * dur), first


def _narrowest_event(stim: Stimulus) -> int | None:
    """The event of a pulse train whose pulse is the narrowest, where the train's pulses
    differ in width by more than 5 % (width modulation); None otherwise, and for carriers
    and outputs that are not pulses."""
    if stim.timing.carrier_hz or len(stim.onsets_s) < 2 or _long_pulses(stim):
        return None
    on = np.flatnonzero(stim.scale != 0)
    if on.size == 0:
        return None
    durations = stim.template_durations[stim.template[on]]
    if durations.min() >= 0.95 * durations.max():
        return None
    return int(on[int(np.argmin(durations))])


def _train_window(stim: Stimulus) -> float:
    """How much of the session the train panel shows (s): one repeating cycle (a burst
    period, an ON/OFF cycle, a modulation period), at least 1 s where the session allows."""
    return min(stim.duration_s, max(stim.cycle_s, 1.0))


def _signed_peaks(stim: Stimulus) -> np.ndarray:
    """Each event's peak with the sign of its leading phase (A or V)."""
    return np.asarray(stim.event_peak * np.sign(stim.scale))


def _cycle_envelope(stim: Stimulus, cycles: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-event peak over ``cycles`` repeats of the cycle, as a line that falls to zero
    wherever the output pauses (OFF time, the gap between bursts) (s, A or V)."""
    on = stim.onsets_s
    peaks = np.abs(_signed_peaks(stim))
    ends = on + stim.template_durations[stim.template]
    gaps = np.r_[on[1:], stim.cycle_s + on[0]] - ends
    # a gap well above the usual one between pulses is a pause: the line drops to zero
    spacing = float(np.median(np.diff(on))) if len(on) > 1 else stim.cycle_s
    pause = gaps > 2.0 * float(np.median(gaps)) + 0.05 * spacing
    # a cycle that ends in a pause starts from zero again
    t_one: list[float] = [float(on[0])] if pause[-1] else []
    v_one: list[float] = [0.0] if pause[-1] else []
    for i, (start, end, peak, rest) in enumerate(zip(on, ends, peaks, pause, strict=True)):
        if i and pause[i - 1]:
            t_one.append(start)
            v_one.append(0.0)
        t_one.append(start)
        v_one.append(peak)
        if rest:
            t_one += [end, end]
            v_one += [peak, 0.0]
    t1, v1 = np.asarray(t_one), np.asarray(v_one)
    t = (t1[None, :] + stim.cycle_s * np.arange(cycles)[:, None]).ravel()
    return np.minimum(t, stim.duration_s), np.tile(v1, cycles)


def _time_unit(span_s: float) -> tuple[float, str]:
    if span_s < 2.0:
        return 1e3, "ms"  # [s -> ms]
    if span_s > 2 * 3600.0:
        return 1 / 3600, "h"  # [s -> h]
    if span_s > 180.0:
        return 1 / 60, "min"  # [s -> min]
    return 1.0, "s"


def _hz(f: float) -> str:
    return f"{f / 1e3:.3g} kHz" if f >= 1e3 else f"{f:.3g} Hz"  # [Hz -> kHz]


def _rate_words(stim: Stimulus) -> str:
    t = stim.timing
    if t.on_time_s and t.off_time_s:
        return f"{t.on_time_s:.3g} s ON, {t.off_time_s:.3g} s OFF"
    if t.burst_frequency_hz:
        return f"bursts at {_hz(t.burst_frequency_hz)}"
    if t.carrier_hz:
        # a swept carrier by its range: the beat channel's read "4.08 kHz" for 4.08-4.12
        top = t.frequency_max_hz
        if top and _hz(top) != _hz(t.carrier_hz):
            return f"{_hz(t.carrier_hz)}–{_hz(top)} carrier"
        return f"{_hz(t.carrier_hz)} carrier"
    if t.frequency_hz:
        # a rate-modulated train by its range (it read "100 Hz" for 50-100 Hz; device
        # engineer's probe of 7 December 2026): the lowest rate the IEC band is judged at
        low = min((f for f in t.band_frequencies_hz if f > 0), default=t.frequency_hz)
        if low < 0.95 * t.frequency_hz:
            lo, hi = _hz(low), _hz(t.frequency_hz)
            same = lo.split(" ")[-1] == hi.split(" ")[-1]  # one unit: "50–100 Hz"
            return f"{lo.rsplit(' ', 1)[0] if same else lo}–{hi}"
        return _hz(t.frequency_hz)
    return "one cycle"


def _duration_text(seconds: float) -> str:
    """A duration in the unit that reads best: 24 h, 30 min, 1 s, 12.5 ms (no e-notation)."""
    for size, unit in ((3600.0, "h"), (60.0, "min"), (1.0, "s")):
        if seconds >= 2 * size or (unit == "s" and seconds >= 1.0):
            return f"{readable(f'{seconds / size:.3g}')} {unit}"
    return f"{readable(f'{seconds * 1e3:.3g}')} ms"  # [s -> ms]


#: Bins of a sampled output drawn as its range in each (min to max): pulses that fill
#: their period at 1 kHz were drawn from 4,000 samples, which fell on one polarity only.
_BINS = 1500
#: Most samples behind those bins.
_MAX_SAMPLES = 2_000_000


def _sampled_range(stim: Stimulus, span: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The output over [0, span] as the range each of :data:`_BINS` bins spans (s; A or
    V): sampled at an eighth of the shortest phase or finer (up to :data:`_MAX_SAMPLES`),
    so that no phase falls between samples (DBS's 60 µs phase in a 7.7 ms period was
    missed by samples an eighth of the pulse apart; review of 5 December 2026)."""
    shortest = min((seg.duration for p in stim.pulses for seg in p.segments
                    if seg.duration > 0), default=span)
    n = int(min(_MAX_SAMPLES, max(8 * _BINS, math.ceil(8 * span / max(shortest, 1e-9)))))
    n -= n % _BINS
    v = stim.sample(np.linspace(0.0, span, n, endpoint=False)).reshape(_BINS, -1)
    edges = np.linspace(0.0, span, _BINS + 1)
    return 0.5 * (edges[:-1] + edges[1:]), v.min(axis=1), v.max(axis=1)


def _long_pulses(stim: Stimulus) -> bool:
    """Pulses that fill most of their period (d.c., microcurrent): drawn as they are."""
    return bool(len(stim.onsets_s)) and not stim.timing.carrier_hz and float(
        np.max(stim.template_durations)) > 0.2 * stim.cycle_s / len(stim.onsets_s)


def _one_dc_session(stim: Stimulus) -> bool:
    """A d.c. output that is one event over its whole session (iontophoresis)."""
    return (stim.timing.frequency_hz == 0 and not stim.timing.carrier_hz
            and stim.n_cycles == 1 and len(stim.onsets_s) == 1)


def _draw_dc_ramps(first: Axes, second: Axes, stim: Stimulus, k: float, unit: str,
                   who: str) -> None:
    """A d.c. session's start and end: each ramp and as much plateau again (a twentieth of
    the session where there is no ramp)."""
    pulse = stim.pulses[int(stim.template[0])]
    start, end = float(stim.onsets_s[0]), float(stim.onsets_s[0]) + pulse.duration
    segs = pulse.segments

    def ramp(seg: Segment) -> float:
        return seg.duration if seg.linear is not None and seg.linear[0] != seg.linear[1] else 0

    for ax, (t0, t1), what in (
            (first, (start, start + (2 * ramp(segs[0]) or 0.05 * pulse.duration)), "start"),
            (second, (end - (2 * ramp(segs[-1]) or 0.05 * pulse.duration), end), "end")):
        t, v = stim.sample_grid(t0, t1)
        scale, tu = _time_unit(t1 - t0)
        origin = t0 if what == "start" else t1
        ax.plot((t - origin) * scale, v * k, lw=1.0, color="tab:blue")
        ax.axhline(0, color="0.6", lw=0.5)
        ax.set_xlabel(f"time from the start ({tu})" if what == "start"
                      else f"time before the end ({tu})")
        ax.set_title("ramp up" if ramp(segs[0]) and what == "start" else
                     "ramp down" if ramp(segs[-1]) and what == "end" else
                     f"the session's {what}", fontsize=9)
    first.set_ylabel(f"{who}output ({unit})")


def _draw_pulse_and_train(first: Axes, second: Axes, stim: Stimulus, k: float, unit: str,
                          who: str) -> None:
    """One pulse (or a few carrier cycles) as it is, and the pulse train over one repeating
    cycle (each pulse's peak, or the waveform where pulses are long)."""
    t0, t1, onset = _pulse_window(stim)
    t, v = stim.sample_grid(t0, t1)
    ax = first
    scale, tu = _time_unit(t1 - t0)
    ax.plot((t - onset) * scale, v * k, lw=1.0, color="tab:blue")
    narrow = _narrowest_event(stim)
    if narrow is not None:
        # a width-modulated train: its narrowest pulse over the widest, from its own onset
        # (the panel showed the widest alone; device engineer's probe of 7 December 2026)
        at = float(stim.onsets_s[narrow])
        tn, vn = stim.sample_grid(at + (t0 - onset), at + (t1 - onset))
        ax.plot((tn - at) * scale, vn * k, lw=1.0, ls="--", color="tab:orange",
                label="narrowest")
        ax.legend(fontsize=7, loc="upper right", frameon=False)
    ax.axhline(0, color="0.6", lw=0.5)
    ax.set_xlabel(f"time from its onset ({tu})" if onset > 0 else f"time ({tu})")
    ax.set_ylabel(f"{who}output ({unit})")
    # a sine carrier has cycles, a d.c. output its start, not a "pulse" (probe of
    # 5 December 2026)
    dc = stim.timing.frequency_hz == 0 and not stim.timing.carrier_hz
    ax.set_title("carrier cycles" if stim.timing.carrier_hz
                 else "the output" if dc else "pulse", fontsize=9)
    # train scale: one cycle of per-pulse peaks (or the waveform where pulses are long)
    span = _train_window(stim)
    ax = second
    scale, tu = _time_unit(span)
    n_cyc = max(1, min(stim.n_cycles, math.ceil(span / stim.cycle_s)))
    n_events = n_cyc * len(stim.onsets_s)
    # pulses that fill most of their period (d.c., microcurrent) are drawn as they are
    long_pulses = _long_pulses(stim)
    if n_events and n_events <= 200 and not long_pulses and not stim.timing.carrier_hz:
        times = (stim.onsets_s[None, :] + stim.cycle_s * np.arange(n_cyc)[:, None]).ravel()
        peaks = np.tile(_signed_peaks(stim), n_cyc)
        keep = times <= span
        ax.vlines(times[keep] * scale, 0, peaks[keep] * k, lw=1.0, color="tab:blue")
    elif long_pulses:  # the output itself, as the range of each bin
        tt, low, high = _sampled_range(stim, span)
        ax.fill_between(tt * scale, low * k, high * k, step="mid", color="tab:blue",
                        lw=0.8)
    else:
        te, ve = _cycle_envelope(stim, n_cyc)
        keep = te <= span
        ax.plot(te[keep] * scale, ve[keep] * k, lw=1.0, color="tab:blue")
    if narrow is not None and np.any(stim.scale != 0):
        # a width-modulated train: each pulse's duration on its own axis (the panel drew
        # its peaks alone, which width modulation leaves flat; probe of 7 December 2026)
        times = (stim.onsets_s[None, :] + stim.cycle_s * np.arange(n_cyc)[:, None]).ravel()
        widths = np.tile(stim.template_durations[stim.template], n_cyc)
        keep = (times <= span) & np.tile(stim.scale != 0, n_cyc)
        twin = ax.twinx()
        twin.plot(times[keep] * scale, widths[keep] * 1e6, lw=1.8,
                  color="tab:orange")
        twin.set_ylim(0, 1.1 * float(widths[keep].max()) * 1e6)
        twin.set_ylabel("pulse duration (µs)", color="tab:orange")
        twin.tick_params(axis="y", colors="tab:orange")
    ax.axhline(0, color="0.6", lw=0.5)
    # a margin: a pulse at 0 lay on the axis, so a 1 Hz train's panel looked empty
    ax.set_xlim(-0.03 * span * scale, span * scale)
    ax.set_xlabel(f"time ({tu})")
    peak_words = "carrier peak" if stim.timing.carrier_hz else "pulse peak"
    ax.set_ylabel(f"output ({unit})" if long_pulses else f"{peak_words} ({unit})")
    ax.set_title(f"train: {_rate_words(stim)}", fontsize=9)


def plot_waveforms(stimuli: Sequence[Stimulus], names: Sequence[str], *,
                   title: str = "", beat: bool = False) -> Figure:
    """One row per channel at three scales: one pulse (or a few carrier cycles), the pulse
    train over one repeating cycle (bursts, ON/OFF with its ramps, modulation), and the whole
    session (the peak of every pulse; where the cycle is too short to resolve at that scale,
    the band its peaks span).

    :param beat: the two channels are true interferential's base and beat
        (:attr:`estim.program.Program.true_interferential`): a row more for their sum, the
        beat, and the beat's sweep. Two other carriers (Russian on two muscles) do not beat
        in one tissue, so they get none.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    # a channel off makes no beat (its row drew a steady carrier as "the beat"; hostile
    # probe of 6 December 2026)
    pair = beat and len(stimuli) == 2 and all(float(np.max(np.abs(s.scale))) > 0
                                              for s in stimuli)
    rows = len(stimuli) + (1 if pair else 0)
    fig = Figure(figsize=(8.6, 2.3 * rows + (0.4 if title else 0.1)), layout="constrained")
    axes = fig.subplots(rows, 3, squeeze=False)
    for row, (stim, name) in enumerate(zip(stimuli, names, strict=True)):
        unit = "mA" if stim.unit == "A" else "V"
        k = 1e3 if stim.unit == "A" else 1.0  # [A -> mA]
        who = f"ch {plot_text(name)}, " if len(stimuli) > 1 else ""
        if _one_dc_session(stim):
            # a d.c. session is one ramp-plateau-ramp: its three panels drew that one curve
            # three times (phone probe of 6 December 2026); its two ramps, then the session
            _draw_dc_ramps(axes[row][0], axes[row][1], stim, k, unit, who)
        else:
            _draw_pulse_and_train(axes[row][0], axes[row][1], stim, k, unit, who)
        long_pulses = _long_pulses(stim)
        peak_words = "carrier peak" if stim.timing.carrier_hz else "pulse peak"
        # session scale
        ax = axes[row][2]
        total = stim.duration_s
        scale, tu = _time_unit(total)
        if long_pulses and stim.n_cycles <= 150:
            tt, low, high = _sampled_range(stim, total)
            ax.fill_between(tt * scale, 0, np.maximum(np.abs(low), np.abs(high)) * k,
                            step="mid", color="tab:orange", lw=0.8)
            what = ""
        elif stim.n_cycles <= 150 and total > 0:
            te, ve = _cycle_envelope(stim, stim.n_cycles)
            ax.plot(te * scale, ve * k, lw=0.8, color="tab:orange")
            what = f"{_duration_text(stim.cycle_s)} cycles"
        else:
            peaks = np.abs(_signed_peaks(stim)) * k
            lo, hi = (float(peaks.min()), float(peaks.max())) if peaks.size else (0.0, 0.0)
            ax.fill_between([0, total * scale], lo, hi, color="tab:orange", alpha=0.3, lw=0)
            ax.hlines([lo, hi], 0, total * scale, color="tab:orange", lw=1.2)
            # equal at the figures shown reads as one value ("40–40 mA" for 39.98 to 40)
            what = f"at {hi:.3g} {unit}" if f"{lo:.3g}" == f"{hi:.3g}" else \
                f"{lo:.3g}–{hi:.3g} {unit}"
        ax.axhline(0, color="0.6", lw=0.5)
        ax.set_xlim(0, total * scale)
        ax.set_ylim(0, None)
        ax.set_xlabel(f"session time ({tu})")
        ax.set_ylabel(f"output ({unit})" if long_pulses else f"{peak_words} ({unit})")
        ax.set_title(f"session: {_duration_text(total)}" + (f", {what}" if what else ""),
                     fontsize=9)
    if pair:
        # Two carriers meet in the tissue; with equal weights the sum beats at their
        # difference frequency (what true interferential relies on).
        a, b = stimuli
        t = np.linspace(0.0, 0.05, 40_001)
        ax = axes[-1][0]
        unit, k = ("mA", 1e3) if a.unit == "A" else ("V", 1.0)  # [A -> mA]; a voltage read
        ax.plot(t * 1e3, (a.sample(t) + b.sample(t)) * k, lw=0.5, color="tab:purple")  # ×1000
        ax.set_xlabel("time (ms)")
        ax.set_ylabel(f"A + B ({unit})")
        ax.set_title("both channels summed: the beat", fontsize=9)
        # the beat over one sweep cycle: each step's second carrier minus the first
        # the base carrier is the lower one, whichever channel the program lists first
        fc = min((x for x in (a.timing.carrier_hz, b.timing.carrier_hz) if x), default=0.0)
        beat_ch = b if b.cycle_s >= a.cycle_s else a
        f2 = np.array([max(abs(r.imag) for s in p.segments for r in s.rates) / (2 * np.pi)
                       for p in beat_ch.pulses])[beat_ch.template]
        ax2 = axes[-1][1]
        ax2.step(beat_ch.onsets_s, f2 - fc, where="post", color="tab:purple")
        ax2.set_xlabel("time in the sweep cycle (s)")
        ax2.set_ylabel("beat frequency (Hz)")
        ax2.set_title(f"beat sweep, one {beat_ch.cycle_s:.3g} s cycle", fontsize=9)
        axes[-1][2].set_visible(False)
    if title:
        fig.suptitle(plot_text(title))
    # which way is up: a DBS reader took the cathodic-first pulse's positive first phase
    # for an anodic one (probe of 5 December 2026)
    fig.supxlabel("output above zero: the anode positive, current from it through the "
                  "tissue to the cathode (a cathodic phase at the cathode)", fontsize=8,
                  color="0.35")
    return fig


def figure_to_png(fig: Figure) -> bytes:
    """PNG bytes of a figure. A character its font lacks (a channel named in Japanese) is
    drawn as a box, without the font's warning: twelve raw lines of "UserWarning: Glyph
    ... missing from font(s) DejaVu Sans", each past 80 columns, came before `estim run`'s
    answer (probe of 5 December 2026)."""
    import io
    import warnings

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font",
                                category=UserWarning)
        fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


#: The three thresholds of the sensation window: attribute, words, line style.
THRESHOLDS = (("sensory_a", "sensory threshold (detection)", ":"),
              # the table lists it; the figure did not (phone probe of 6 December 2026)
              ("strong_a", "strong tingling", (0, (1, 3))),
              ("motor_a", "motor threshold (visible twitch)", "--"),
              ("pain_a", "pain threshold (Aδ / C fibers)", "-."))

#: The fibers' kinds, as the stimulator names them: "Aδ (sharp pain)" beside a share
#: recruited read as that share of pain (clinician's probe of 7 December 2026).
_FIBER_WORDS = {"abeta": "Aβ touch fibers", "adelta": "Aδ sharp-pain fibers",
                "c": "C burning-pain fibers", "motor": "motor axons",
                "periosteal": "bone Aδ ache fibers"}
_FIBER_COLOURS = {"abeta": "tab:green", "adelta": "tab:red", "c": "tab:brown",
                  "motor": "tab:blue", "periosteal": "tab:purple"}


def plain_log_ticks(axis: Any) -> None:
    """Ticks of a log ``axis`` (``ax.xaxis``, its limits set) at 1, 2, 5 × 10^n, written as
    plain numbers (0.5, 1, 2, 5, 10): matplotlib's minor labels "3×10² 4×10²" ran together.
    Over more than 3 decades, at the decades alone: a program at 1 nA drew 0.5 nA to
    0.35 mA, and "5e-071e-062e-06" ran together (probe of 6 December 2026)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    low, high = sorted(abs(v) for v in axis.get_view_interval())
    wide = low > 0 and high / low > 1e3
    axis.set_major_locator(LogLocator(base=10, subs=(1.0,) if wide else (1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda x, _: readable(f"{x:g}")))
    axis.set_minor_formatter(NullFormatter())


def plot_recruitment(window: Any, *, held: bool = False,
                     device: tuple[float, str] | None = None,
                     dial_ohm: float | None = None) -> Figure:
    """Recruitment of every fiber class against the channel's peak current, with the
    sensory, strong tingling, motor and pain thresholds, the band where the stimulation is
    felt without pain, and the programmed intensity marked (``held``: the current the
    device drives, where it cannot drive the setting); ``device``: the most current the
    device puts into the tissue (A) and its words (:func:`estim.report.page.device_top`),
    drawn where it lies on the axis, the axis greyed beyond it; ``dial_ohm``: a voltage-set
    channel's load (Ω), which puts the dial's volts on a second axis above."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.6, 5.0), layout="constrained")
    ax = fig.subplots()
    finite = [t for c in window.classes.values() for t in c.thresholds_a
              if np.isfinite(t) and t > 0]
    lo = min([*finite, *([window.amplitude_a] if window.amplitude_a > 0 else [])],
             default=1e-3) * 0.5
    # up to the sensory threshold at least: a program at 1 nA drew 0.5-5 nA, with its
    # "felt, not painful" label at 0.17 mA far outside, which collapsed the figure's
    # layout (a matplotlib warning on stderr; probe of 6 December 2026)
    sensory_a = window.sensory_a if np.isfinite(window.sensory_a) else 0.0
    hi = max(window.amplitude_a * 3, lo * 10, sensory_a * 2)
    amps = np.geomspace(lo, hi, 300)
    ma = 1e3  # [A -> mA]
    for name, frac in window.curve(amps).items():
        if name == "periosteal" and not np.any(frac > 0):
            continue  # a bone too deep to matter: no line of zeros in the legend
        # a class that no current on the axis recruits says so: C fibers were in the
        # legend with no line to be seen (probe of 5 December 2026)
        none = "" if np.any(frac > 0) else f", none below {hi * ma:.3g} mA"
        ax.step(amps * ma, frac * 100, where="post", color=_FIBER_COLOURS.get(name),
                label=f"{_FIBER_WORDS.get(name, name)}, {window.classes[name].thresholds_a.size}"
                      f" simulated{none}")
    sensory, pain = window.sensory_a, window.pain_a
    if np.isfinite(sensory):
        top = min(x for x in (pain, hi) if np.isfinite(x))
        ax.axvspan(sensory * ma, top * ma, color="tab:green", alpha=0.08, lw=0)
        ax.text(np.sqrt(sensory * max(top, sensory * 1.01)) * ma, 108, "felt, not painful",
                ha="center", fontsize=8, color="tab:green")
    if np.isfinite(pain) and pain < hi:
        ax.axvspan(pain * ma, hi * ma, color="tab:red", alpha=0.08, lw=0)
        ax.text(np.sqrt(pain * hi) * ma, 108, "painful", ha="center", fontsize=8,
                color="tab:red")
    for attr, words, style in THRESHOLDS:
        value = getattr(window, attr)
        if np.isfinite(value) and lo < value < hi:
            ax.axvline(value * ma, color="0.3", ls=style, lw=1.2, zorder=4,
                       label=f"{words}: {readable(f'{value * ma:.3g}')} mA")
    if device is not None and lo < device[0] < hi:
        ax.axvspan(device[0] * ma, hi * ma, color="0.5", alpha=0.12, lw=0, zorder=0.5)
        ax.axvline(device[0] * ma, color="0.2", lw=1.5, zorder=4,
                   label=f"most the device drives here: {readable(f'{device[0] * ma:.3g}')} mA")
    # the programmed intensity wide and pale behind the thresholds: HVPC's 749 mA hid the
    # pain threshold's 739 mA under it
    ax.axvline(window.amplitude_a * ma, color="k", lw=5, alpha=0.3, zorder=1,
               label=f"{'what the device drives' if held else 'programmed intensity'}: "
                     f"{readable(f'{window.amplitude_a * ma:.3g}')} mA"
                     + ("" if dial_ohm is None else
                        f" ({readable(f'{window.amplitude_a * dial_ohm:.3g}')} V)"))
    ax.set_xscale("log")
    ax.set_xlim(lo * ma, hi * ma)
    plain_log_ticks(ax.xaxis)
    ax.set_ylim(0, 115)
    ax.set_xlabel("peak current of the pulse (mA)")
    if dial_ohm is not None:
        ohm = float(dial_ohm)

        def to_volts(i: Any) -> Any:
            return np.asarray(i, dtype=float) * ohm / ma  # [mA x Ω / 1000 -> V]

        def to_milliamps(v: Any) -> Any:
            return np.asarray(v, dtype=float) * ma / ohm

        volts = ax.secondary_xaxis("top", functions=(to_volts, to_milliamps))
        volts.set_xlabel(f"dial setting (V; through the {readable(f'{dial_ohm:.3g}')} Ω of "
                         "tissue and skin interface)", fontsize=8)
        plain_log_ticks(volts.xaxis)
    ax.set_ylabel("fibers recruited (%)")
    ax.set_title(f"Fibers under the cathode{_channel_words(window.channel)} "
                 "(cable models; anatomy assumed)", fontsize=9)
    fig.legend(fontsize=8, loc="outside lower center", ncol=2)
    return fig


def _channel_words(name: str) -> str:
    return f" of channel {plot_text(name)}" if name else ""


def plot_force(session: Any, max_force_n: float | None, muscle: str | None = None) -> Figure:
    """Force over the session and the peak of every contraction (fatigue). A ``muscle``
    other than the quadriceps, whose newtons the force model's are, is drawn in % of its
    maximal force (a calf's 91 of 311 N read as the calf's own; probe of 5 December 2026).
    """
    from estim.report.page import newtons_apply

    scale, unit = 1.0, "N"
    if not newtons_apply({"muscle": muscle}) and max_force_n:
        scale, unit = 100.0 / max_force_n, "% of maximal"
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.6, 3.4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    f = session.force
    t = np.asarray(f.time_s)
    first = t <= min(t[-1], session.train.period_s * 1.05)
    ax1.plot(t[first], np.asarray(f.force_N)[first] * scale, color="tab:blue")
    ax1.set_xlabel("time (s)")
    ax1.set_ylabel(f"force ({unit})")
    ax1.set_title("first contraction (Ding model, healthy quadriceps)" if unit == "N" else
                  f"first contraction of the {muscle}\n(Ding's quadriceps model, as a "
                  "fraction of maximal)", fontsize=9)
    peaks = np.asarray(session.contraction_peak_force_N) * scale
    if max_force_n:
        max_force_n *= scale
    starts = np.asarray(session.train.cycle_starts_s)[: peaks.size]
    ax2.plot(starts / 60, peaks, "o-", ms=3, color="tab:orange")
    if max_force_n:
        ax2.axhline(max_force_n, color="0.5", ls=":", lw=1)
        ax2.text(0, max_force_n, " maximal (fused, all axons)", va="top", fontsize=8)
    top = 1.08 * max(max_force_n or 0.0, float(peaks.max()) if peaks.size else 1.0)
    ax2.set_ylim(0, top)
    # the first contraction on the same scale, with the maximal drawn: Russian current's
    # 8 N filled its panel as NMES's 95 N did (physiotherapist's probe of 7 December 2026)
    ax1.set_ylim(0, top)
    if max_force_n:
        ax1.axhline(max_force_n, color="0.5", ls=":", lw=1)
        if unit == "N":
            full = max_force_n

            def to_share(n: Any) -> Any:
                return np.asarray(n, dtype=float) / full * 100.0

            def to_newtons(pct: Any) -> Any:
                return np.asarray(pct, dtype=float) * full / 100.0

            ax1.secondary_yaxis("right", functions=(to_share, to_newtons)).set_ylabel(
                "% of maximal", fontsize=8)
    ax2.set_xlabel("session time (min)")
    ax2.set_ylabel("peak force per contraction (N)" if unit == "N" else
                   "peak per contraction (% of maximal)")
    ratio = session.fatigue_ratio
    ax2.set_title(f"fatigue: last / first contraction = {ratio:.2f}", fontsize=9)
    return fig
