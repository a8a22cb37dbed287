"""A channel's output as pulse events, repeated cycle by cycle: a 30-minute session without
sampling it.

A :class:`Stimulus` holds a few distinct pulse templates and, for one *cycle* (a burst
period, an on/off cycle, a modulation or sweep period), the onset, template and amplitude of
every pulse. The session is that cycle repeated ``n_cycles`` times. Metrics come from the
templates' closed-form integrals; :meth:`Stimulus.sample` evaluates the exact waveform at any
times (for plots and the fiber solver).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from estim.program.model import Control
from estim.waveforms.segments import Pulse

__all__ = ["Stimulus", "Timing"]

FloatArray = NDArray[np.float64]


#: Most segment starts a sampling grid adds (beyond them the grid alone is drawn).
_MAX_STARTS = 100_000

@dataclass(frozen=True)
class Timing:
    """What the output specification table says about timing (all in s or Hz; None = n/a).

    :param shape: the waveform in words ("symmetric biphasic rectangular", ...).
    :param pulse_width_s: duration of the leading phase.
    :param pulse_duration_s: the whole pulse (all phases and gaps).
    :param frequency_hz: pulse repetition (or carrier) frequency.
    :param band_frequencies_hz: frequencies the IEC band limits are judged at (a carrier and
        its burst or beat rate; the strictest band applies).
    :param frequency_max_hz: a swept carrier's top frequency (true interferential's beat
        channel); None where the frequency does not sweep.
    :param beat_hz: interferential: the beat (the envelope's frequency), the lowest of a
        sweep as delivered; ``beat_max_hz`` its highest (None without a sweep).
    :param symmetric_phases: a multiphasic waveform: whether its phases mirror each other
        (a symmetric biphasic pulse, a sine carrier); None for a monophasic one or d.c.
    :param interphase_s: a biphasic pulse's gap between its phases (0 without one); None
        where the waveform has no such gap (monophasic, a carrier, d.c.).
    """

    shape: str
    pulse_width_s: float | None = None
    pulse_duration_s: float | None = None
    frequency_hz: float | None = None
    band_frequencies_hz: tuple[float, ...] = ()
    carrier_hz: float | None = None
    burst_frequency_hz: float | None = None
    pulses_per_burst: int | None = None
    burst_duration_s: float | None = None
    on_time_s: float | None = None
    off_time_s: float | None = None
    ramp_up_s: float | None = None
    ramp_down_s: float | None = None
    frequency_max_hz: float | None = None
    beat_hz: float | None = None
    beat_max_hz: float | None = None
    symmetric_phases: bool | None = None
    interphase_s: float | None = None


@dataclass(frozen=True, eq=False)
class Stimulus:
    """One channel's output.

    :param pulses: distinct pulse templates (per unit amplitude).
    :param onsets_s: onset of every event in one cycle (s, sorted, in [0, cycle_s)).
    :param template: index into ``pulses`` for every event.
    :param scale: amplitude of every event (A for current control, V for voltage; signed).
    :param cycle_s: cycle length (s).
    :param n_cycles: how many cycles the session holds.
    :param control: what the amplitude is (current or voltage).
    :param timing: table fields.
    :param label: a short description.
    """

    pulses: tuple[Pulse, ...]
    onsets_s: FloatArray
    template: NDArray[np.intp]
    scale: FloatArray
    cycle_s: float
    n_cycles: int
    control: Control
    timing: Timing
    label: str = ""
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        n = len(self.onsets_s)
        if not (len(self.template) == n == len(self.scale)):
            raise ValueError("onsets, template and scale must have one entry per event")
        if n and (np.any(np.diff(self.onsets_s) < 0) or self.onsets_s[0] < 0):
            raise ValueError("onsets must be sorted and non-negative")
        ends = self.onsets_s + self.template_durations[self.template]
        if n and (np.any(ends[:-1] > self.onsets_s[1:] + 1e-12)
                  or ends[-1] > self.cycle_s * (1 + 1e-12)):
            raise ValueError("pulses overlap or run past the cycle")

    def __repr__(self) -> str:
        return (f"Stimulus({self.label!r}, {len(self.onsets_s)} pulses per {self.cycle_s:g} s "
                f"cycle x {self.n_cycles}, {len(self.pulses)} templates, "
                f"{self.control.value}-controlled)")

    # -- structure ----------------------------------------------------------------------------
    @property
    def duration_s(self) -> float:
        """Session length (s): whole cycles."""
        return self.cycle_s * self.n_cycles

    @property
    def unit(self) -> str:
        return "A" if self.control is Control.CURRENT else "V"

    @property
    def template_durations(self) -> FloatArray:
        return np.array([p.duration for p in self.pulses], dtype=float)

    def with_scale(self, factor: float) -> Stimulus:
        """The same program at ``factor`` times the amplitude."""
        return Stimulus(self.pulses, self.onsets_s, self.template, self.scale * factor,
                        self.cycle_s, self.n_cycles, self.control, self.timing, self.label)

    def with_pulses(self, pulses: tuple[Pulse, ...]) -> Stimulus:
        """The same events with other templates of the same durations (e.g. clipped ones)."""
        return Stimulus(pulses, self.onsets_s, self.template, self.scale, self.cycle_s,
                        self.n_cycles, self.control, self.timing, self.label)

    def normalized(self) -> Stimulus:
        """Scaled so the largest pulse peak is 1 (per unit amplitude, for the fiber solver)."""
        peak = self.peak
        return self.with_scale(1.0 / peak) if peak > 0 else self

    # -- per-event closed forms -----------------------------------------------------------------
    def _per_template(self, name: str) -> FloatArray:
        key = "t_" + name
        if key not in self._memo:
            self._memo[key] = np.array([getattr(p, name) for p in self.pulses], dtype=float)
        out: FloatArray = self._memo[key]
        return out

    @property
    def event_charge(self) -> FloatArray:
        """Net charge of every event in a cycle (C, or V·s for voltage control)."""
        return self.scale * self._per_template("charge")[self.template]

    @property
    def event_charge_sq(self) -> FloatArray:
        """∫ I² dt of every event (A²·s; × R gives J)."""
        return self.scale**2 * self._per_template("charge_sq")[self.template]

    @property
    def event_charge_abs(self) -> FloatArray:
        return np.abs(self.scale) * self._per_template("charge_abs")[self.template]

    @property
    def event_peak(self) -> FloatArray:
        return np.abs(self.scale) * self._per_template("peak")[self.template]

    @property
    def peak(self) -> float:
        """Largest |I| (or |V|) in the session."""
        return float(np.max(self.event_peak)) if len(self.scale) else 0.0

    def max_phase_charge(self) -> float:
        """Largest |charge| of any single phase of any pulse (C)."""
        per = np.array([max((abs(q) for q in p.phase_charges), default=0.0)
                        for p in self.pulses])
        return float(np.max(np.abs(self.scale) * per[self.template])) if len(self.scale) else 0.0

    # -- sampling -------------------------------------------------------------------------------
    def sample(self, t: FloatArray | float) -> FloatArray:
        """The exact output at times ``t`` (s from the session start), in A (or V).

        Zero before 0 and after the session. Cost is O(len(t) log(events per cycle)).
        """
        t = np.atleast_1d(np.asarray(t, dtype=float))
        out = np.zeros_like(t)
        inside = (t >= 0) & (t < self.duration_s)
        if not np.any(inside) or len(self.onsets_s) == 0:
            return out
        ti = t[inside]
        tc = np.mod(ti, self.cycle_s)
        k = np.searchsorted(self.onsets_s, tc, side="right") - 1
        valid = k >= 0
        vals = np.zeros_like(ti)
        kk = k[valid]
        local = tc[valid] - self.onsets_s[kk]
        tmpl = self.template[kk]
        sub = np.zeros_like(local)
        for j, p in enumerate(self.pulses):
            m = tmpl == j
            if np.any(m):
                sub[m] = p.sample(local[m])
        vals[valid] = sub * self.scale[kk]
        out[inside] = vals
        return out

    def sample_grid(self, t0: float, t1: float, *, points_per_feature: int = 20,
                    max_points: int = 2_000_000) -> tuple[FloatArray, FloatArray]:
        """Times and values on a grid fine enough to show every phase between t0 and t1 (s)."""
        finest = min((s.duration for p in self.pulses for s in p.segments), default=t1 - t0)
        fastest = max((abs(r.imag) / (2 * math.pi) for p in self.pulses for s in p.segments
                       for r in s.rates), default=0.0)
        step = finest / points_per_feature
        if fastest > 0:
            step = min(step, 1.0 / (fastest * points_per_feature))
        n = int(min(max_points, max(200, math.ceil((t1 - t0) / step) + 1)))
        t = np.linspace(t0, t1, n)
        # every segment's start in the window is a grid point too, so that a jump is drawn
        # to its full height (a 5 µs decay sampled from its start's first microsecond after
        # read 136 V of HVPC's 150)
        starts = self._segment_starts(t0, t1, _MAX_STARTS)
        if starts.size:
            # the start and a hair after it: a start a later cycle's rounding puts a hair
            # before the jump still has the jump's own value beside it
            t = np.union1d(t, np.concatenate([starts, starts + 1e-12 * self.cycle_s]))
        return t, self.sample(t)

    def _segment_starts(self, t0: float, t1: float, most: int) -> FloatArray:
        """The start of every segment between ``t0`` and ``t1`` (s), at most ``most`` of
        them (none if more)."""
        if len(self.onsets_s) == 0 or t1 <= t0:
            return np.zeros(0)
        first, last = math.floor(max(t0, 0.0) / self.cycle_s), math.floor(t1 / self.cycle_s)
        per_cycle = sum(len(self.pulses[j].segments) for j in self.template)
        if (last - first + 1) * per_cycle > most:
            return np.zeros(0)
        local = np.concatenate([o + np.array([sg.start for sg in self.pulses[j].segments])
                                for o, j in zip(self.onsets_s, self.template, strict=True)])
        cycles = np.arange(first, last + 1) * self.cycle_s
        out = (cycles[:, None] + local[None, :]).ravel()
        return out[(out >= t0) & (out <= t1)]
