"""What the fibers of the sensation window are driven with: the program's largest pulse as a
unit waveform (:class:`UnitPulse`; true interferential's carriers together,
:class:`SourcePulses`), the motor volleys of its first second (:func:`volleys`), and the
threshold runs' time step (:func:`time_step`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from estim.waveforms.segments import Pulse, Segment
from estim.waveforms.stimulus import Stimulus

if TYPE_CHECKING:
    from estim.fibers.protocols import UnitWaveform

__all__ = [
    "SLOW_DT_S",
    "SLOW_FEATURE_S",
    "STEPS_PER_FAST_SCALE",
    "VOLLEY_WINDOW_S",
    "SourcePulses",
    "UnitPulse",
    "Volleys",
    "largest_pulse",
    "shortest_time_scale",
    "superposed",
    "superposed_tstop",
    "time_step",
    "unit_pulse",
    "volley_times",
    "volleys",
]


@dataclass(frozen=True)
class UnitPulse:
    """One pulse of the program, scaled to a peak of 1 (A per A of the programmed peak).

    :param pulse: the template.
    :param delay_s: time before the pulse starts (s), so the cable starts at rest.
    """

    pulse: Pulse
    delay_s: float = 0.1e-3

    def sample(self, t: NDArray[np.float64]) -> NDArray[np.float64]:
        """Current (A at unit amplitude) at times ``t`` (s)."""
        out: NDArray[np.float64] = self.pulse.sample(np.asarray(t, float) - self.delay_s)
        return out / self.pulse.peak

    @property
    def width_s(self) -> float:
        return self.pulse.duration

    def cache_key(self) -> tuple[Any, ...]:
        """What the thresholds under this waveform depend on."""
        return (self.pulse.segments, self.delay_s)


@dataclass(frozen=True)
class SourcePulses:
    """Pulses of several channels that run together, each through its own field: the two
    channels of true interferential current, whose carriers beat only where both fields
    overlap. Scaled to a peak of 1 for the first (main) channel; the others keep their
    amplitude relative to it. ``sample(t)`` gives one row per channel (A at unit amplitude).
    """

    pulses: tuple[Pulse, ...]
    relative_peaks: tuple[float, ...]
    delay_s: float = 0.1e-3

    def sample(self, t: NDArray[np.float64]) -> NDArray[np.float64]:
        tt = np.asarray(t, float) - self.delay_s
        return np.stack([p.sample(tt) / p.peak * r
                         for p, r in zip(self.pulses, self.relative_peaks, strict=True)])

    @property
    def width_s(self) -> float:
        return self.pulses[0].duration

    def cache_key(self) -> tuple[Any, ...]:
        return (tuple(p.segments for p in self.pulses), self.relative_peaks, self.delay_s)


#: A continuous carrier is shown to the fibers for this long (s): many carrier cycles, not
#: the single cycle that its template may hold.
_CARRIER_WINDOW_S = 10e-3


def superposed(stim: Stimulus, others: Sequence[Stimulus]) -> SourcePulses:
    """The unit waveform of ``stim`` with the channels that run together with it (true
    interferential current's other carrier), each keeping its peak relative to ``stim``'s."""
    return SourcePulses(
        (unit_pulse(stim).pulse, *(unit_pulse(st).pulse for st in others)),
        (1.0, *(float(np.max(st.event_peak)) / float(np.max(stim.event_peak))
                for st in others)))


#: The longest stretch of a kHz carrier (s) a fiber is simulated under: a burst or beat is
#: seen whole up to 20 ms (Ward & Lucas-Toumbourou 2007's continuous carrier at 50 Hz, over
#: which people's pain-tolerance threshold still falls), a longer one for its first 20 ms.
CARRIER_RUN_S = 20e-3
#: Time (s) for an action potential started at the end of the waveform to reach the
#: detection node: a C fiber's 2.7 mm at 0.25 m/s (a 0.4 µm axon); myelinated fibers' tens
#: of mm at > 20 m/s.
TRAVEL_S = {"sundt": 12e-3, "mrg": 3e-3}


def carrier_tstop(waveform: UnitPulse | SourcePulses, model: str) -> float:
    """Simulated time (s) of a threshold run under a kHz carrier: its burst (or beat, or the
    running carrier's window), up to :data:`CARRIER_RUN_S`, after the waveform's delay, and
    the travel of an action potential started at its end (:data:`TRAVEL_S`). A fiber's
    default (10 ms, myelinated) cut Russian current's 10 ms bursts: the action potentials
    its last cycles start went unseen, and its twitch read 68.3 mA where the whole burst
    gives 65.9 (8 December 2026).

    >>> from estim.waveforms.segments import Pulse, Segment
    >>> burst = UnitPulse(Pulse((Segment.sine(1.0, 4e3, 0.0, 10e-3),), "burst"))
    >>> round(carrier_tstop(burst, "mrg") * 1e3, 3), round(carrier_tstop(burst, "sundt") * 1e3, 3)
    (13.1, 22.1)
    """
    run = min(waveform.width_s, CARRIER_RUN_S)
    return waveform.delay_s + run + TRAVEL_S.get(model, TRAVEL_S["mrg"])


def superposed_tstop(waveform: SourcePulses) -> float:
    """Simulated time (s) of a threshold run of channels that run together: the carriers
    for :data:`_CARRIER_WINDOW_S`, after the waveform's delay and as long again."""
    return _CARRIER_WINDOW_S + 2 * waveform.delay_s


def unit_pulse(stim: Stimulus) -> UnitPulse:
    """The largest pulse of a stimulus as a unit waveform.

    A template that is one short piece of a continuous sinusoidal carrier (true
    interferential's base channel holds one carrier cycle) is extended to
    :data:`_CARRIER_WINDOW_S`, so a fiber sees the carrier as it runs, not one cycle.
    """
    if len(stim.onsets_s) == 0:
        raise ValueError("unit_pulse: the stimulus delivers nothing")
    pulse = largest_pulse(stim)
    if _continuous_carrier(stim):
        seg = pulse.segments[0]
        pulse = Pulse((Segment(seg.start, _CARRIER_WINDOW_S, seg.coeffs, seg.rates),),
                      pulse.label)
    return UnitPulse(pulse)


def largest_pulse(stim: Stimulus) -> Pulse:
    return stim.pulses[int(stim.template[int(np.argmax(stim.event_peak))])]


def _continuous_carrier(stim: Stimulus) -> bool:
    """Whether the stimulus is one short piece of a continuous sinusoidal carrier repeated
    back to back (true interferential's channels), not separate pulses or bursts."""
    pulse = largest_pulse(stim)
    seg = pulse.segments[0]
    return bool(stim.timing.carrier_hz) and len(pulse.segments) == 1 and seg.linear is None \
        and pulse.duration < _CARRIER_WINDOW_S and stim.cycle_s <= pulse.duration * (1 + 1e-9)


#: The visible-contraction criterion sums the program's motor volleys over its first second
#: (the maximal force it is a fraction of is the peak of a 1 s train).
VOLLEY_WINDOW_S = 1.0
#: Events closer than this make one motor volley: an axon that has fired is refractory for
#: ~1-2 ms (HVPC's twin peaks, 75 µs apart, fire it once).
_REFRACTORY_S = 2e-3


#: Below this volley rate (Hz) a motor unit's twitches do not fuse into one contraction
#: (fusion from about 15-20 Hz in human quadriceps; Binder-Macleod & Kesar 2005).
FUSION_HZ = 15.0
#: A stretch of volleys, each within 1 / FUSION_HZ of the next, this long (s) or longer is a
#: contraction that people see held; a shorter one (burst TENS's 7 pulses in 60 ms) a jerk,
#: a twitch.
FUSED_STRETCH_S = 0.2


@dataclass(frozen=True)
class Volleys:
    """The motor volleys of a program's first :data:`VOLLEY_WINDOW_S`: onsets (s, from the
    first) and each one's peak current relative to the program's largest (amplitude
    modulation)."""

    times_s: tuple[float, ...]
    relative_peak: tuple[float, ...]

    @property
    def fuse(self) -> bool:
        """Whether the volleys make a held contraction at the visible threshold: some
        stretch of them, each within 1 / :data:`FUSION_HZ` of the next, lasts
        :data:`FUSED_STRETCH_S` or more (Russian current's 50 Hz bursts read "muscle
        twitches"; physiotherapist's probe of 7 December 2026). Burst TENS's 60 ms bursts
        twice a second are twitches; 50 Hz on for 0.5 s of each second a contraction.

        >>> Volleys(tuple(k / 50 for k in range(50)), (1.0,) * 50).fuse
        True
        >>> burst = tuple(b / 2 + k / 100 for b in range(2) for k in range(7))
        >>> Volleys(burst, (1.0,) * 14).fuse, Volleys((0.0, 0.5), (1.0, 1.0)).fuse
        (False, False)
        """
        start = None
        for a, b in zip(self.times_s, self.times_s[1:], strict=False):
            if b - a < 1.0 / FUSION_HZ:
                start = a if start is None else start
                if b - start >= FUSED_STRETCH_S - 1e-12:
                    return True
            else:
                start = None
        return False

    @property
    def modulated(self) -> bool:
        """Whether the volleys' peaks differ by more than 0.1 % (a premodulated sweep's
        steps differ by ~1e-4, which no threshold resolves)."""
        return any(r < 1.0 - 1e-3 for r in self.relative_peak)


def volleys(stim: Stimulus, window_s: float = VOLLEY_WINDOW_S) -> Volleys:
    """The program's motor volleys over ``window_s`` from its first pulse at full amplitude
    (past a ramp up; :class:`Volleys`).

    Each pulse, burst or premodulated carrier cycle is one volley (one action potential per
    recruited axon: a Russian-current burst or a premodulated beat cycle fires a motor axon
    about once at these intensities, as the window's fibers show). A continuous carrier (true
    interferential current) fires the axons where the two fields overlap once per beat, so
    its volleys come at the beat frequency, the lowest of the program's band frequencies.
    """
    if len(stim.onsets_s) == 0:
        return Volleys((), ())
    if _continuous_carrier(stim):
        beat = _beat_hz(stim)
        times = (0.0,) if not beat else tuple(
            float(t) for t in np.arange(0.0, window_s, 1.0 / beat))
        return Volleys(times, (1.0,) * len(times))
    # an event that holds several beats of a carrier (a swept interferential step of
    # 0.1 s) fires the axons once per beat: one volley per beat period within it
    onsets = np.asarray(stim.onsets_s, float)
    peaks = np.abs(np.asarray(stim.event_peak, float))
    beat = _beat_hz(stim)
    if beat:
        per = [max(1, math.floor(stim.pulses[int(k)].duration * beat + 1e-9))
               for k in stim.template]
        onsets = np.concatenate([o + np.arange(m) / beat for o, m in zip(onsets, per,
                                                                             strict=True)])
        peaks = np.repeat(peaks, per)
    # from the first event at the program's full amplitude (past a ramp), one more cycle
    n = min(stim.n_cycles, math.ceil(window_s / stim.cycle_s) + 2)
    t = (onsets[None, :] + stim.cycle_s * np.arange(n)[:, None]).ravel()
    peak = np.tile(peaks, n)
    order = np.argsort(t, kind="stable")
    top = float(np.max(peak))  # an output turned to zero keeps its shape: events alike
    t, peak = t[order], (peak[order] / top if top > 0 else np.ones_like(peak))
    first = int(np.argmax(peak >= 1.0 - 1e-9))
    t, peak = t[first:] - t[first], peak[first:]
    kept_t, kept_p = [float(t[0])], [float(peak[0])]
    for x, p in zip(t[1:], peak[1:], strict=True):
        if x >= window_s:
            break
        if x - kept_t[-1] >= _REFRACTORY_S:
            kept_t.append(float(x))
            kept_p.append(float(p))
        else:  # one volley: the stronger event recruits it
            kept_p[-1] = max(kept_p[-1], float(p))
    return Volleys(tuple(kept_t), tuple(kept_p))


def _beat_hz(stim: Stimulus) -> float | None:
    """The lowest rate below a kHz carrier among the program's band frequencies (the beat of
    interferential current, the burst rate of Russian current); None without a carrier."""
    carrier = stim.timing.carrier_hz
    if not carrier:
        return None
    slow = [f for f in stim.timing.band_frequencies_hz if 0 < f < carrier]
    return float(min(slow)) if slow else None


def volley_times(stim: Stimulus, window_s: float = VOLLEY_WINDOW_S) -> tuple[float, ...]:
    """Onsets (s, from the first) of the motor volleys in the program's first ``window_s``
    (:func:`volleys`)."""
    return volleys(stim, window_s).times_s


#: Time step of the threshold runs: the solver's 2 µs (within 1 % of NEURON at 1 µs for
#: pulses of 0.1 ms and up, docs/fibers.md) unless every time scale of the waveform (each
#: segment, gap and 1/|λ| of its exponentials: a decay time, a period over 2π) is at least
#: :data:`SLOW_FEATURE_S`: then :data:`SLOW_DT_S`, in 2.5 × fewer steps (microcurrent's 1 s
#: phases, 1 ms pulses). Its error there against 1 µs, +0.05-0.38 %, is no larger than 2 µs's
#: on a 200 µs pulse, +0.27-0.30 % (tests/integration/test_fibers_time_step.py).
SLOW_FEATURE_S = 1e-3
SLOW_DT_S = 5e-6


def shortest_time_scale(pulses: Sequence[Pulse]) -> float:
    """The shortest time scale of the pulses (s): a segment's duration, a gap between two
    segments, or 1/|λ| of an exponential (a decay time; an oscillation's period over 2π;
    no longer than either for a damped oscillation)."""
    scales = [math.inf]
    for pulse in pulses:
        end = None
        for seg in pulse.segments:
            scales.append(seg.duration)
            if end is not None and seg.start - end > 1e-15:
                scales.append(seg.start - end)
            end = seg.end
            scales.extend(1.0 / abs(lam) for lam in seg.rates if abs(lam) > 0)
    return min(scales)


#: Steps per shortest time scale of a fast waveform: where the solver's 2 µs would give
#: fewer (a pulse or a gap under 20 µs, HVPC's 5 µs decay), the step is that scale over
#: this. Against 0.05-0.1 µs runs, ten steps per scale is +2.0 % on a 20 µs phase (at 2 µs),
#: +2.5 % on a 5 µs one and +0.3 % on a 1 µs one, and HVPC's twin peaks at 0.5 µs are
#: +0.4-1.7 % where 2 µs was +1.5-6.8 % (MRG 6-10 µm, a point source 1-5 mm away; 4
#: December 2026). At 2 µs a biphasic pulse of 1 µs phases averaged to nothing within one
#: step, and 5 µs phases were +15.6 %.
STEPS_PER_FAST_SCALE = 10


def time_step(waveform: UnitWaveform) -> float:
    """The threshold runs' time step for ``waveform`` (s): :data:`SLOW_DT_S` when it is made
    of pulses whose shortest time scale is at least :data:`SLOW_FEATURE_S`; the scale over
    :data:`STEPS_PER_FAST_SCALE` when that is shorter than the solver's default step; else
    (any other waveform too) the solver's default."""
    from estim.fibers.solver import DEFAULT_DT_S

    if isinstance(waveform, UnitPulse):
        pulses: Sequence[Pulse] = (waveform.pulse,)
    elif isinstance(waveform, SourcePulses):
        pulses = waveform.pulses
    else:
        return DEFAULT_DT_S
    scale = shortest_time_scale(pulses)
    if scale >= SLOW_FEATURE_S:
        return SLOW_DT_S
    # a 20 µs phase held as 1.9999999999999998e-05 s keeps the default step
    if scale < STEPS_PER_FAST_SCALE * DEFAULT_DT_S * (1 - 1e-9):
        return scale / STEPS_PER_FAST_SCALE
    return DEFAULT_DT_S
