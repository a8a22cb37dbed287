"""Exact metrics of a stimulus, from the closed forms of its pulse templates.

Nothing here samples the waveform: charges, r.m.s. and means are sums over the events of one
cycle of exact integrals, so a 30-minute session costs what one cycle costs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from estim.waveforms.stimulus import FloatArray, Stimulus

__all__ = ["Metrics", "max_window_rms", "metrics", "pulses_per_event"]


@dataclass(frozen=True)
class Metrics:
    """Output metrics of one channel (A for current control; V for voltage control).

    :param peak: largest |I| of the session.
    :param max_phase_charge: largest |charge| of one phase of one pulse (C).
    :param max_net_charge_per_pulse: largest |net charge| of one pulse (C).
    :param mean: d.c. component, the signed average over a cycle.
    :param mean_abs: average of |I| over a cycle (the "average current" of a 510(k) table).
    :param rms: r.m.s. over a whole cycle (the long-run r.m.s.).
    :param rms_max_1s: r.m.s. over the worst 1 s window (the IEC 60601-2-10 measure).
    :param duty: fraction of the time the output is not zero.
    :param pulses_per_s: average number of pulses per second; a running sine carrier's
        pulses are its cycles (:func:`pulses_per_event`).
    :param charge_imbalance: |net charge| / |largest phase charge| of the worst pulse.
    :param session_charge: net charge over the session (C).
    """

    peak: float
    max_phase_charge: float
    max_net_charge_per_pulse: float
    mean: float
    mean_abs: float
    rms: float
    rms_max_1s: float
    duty: float
    pulses_per_s: float
    charge_imbalance: float
    session_charge: float


#: Relative charge imbalance below which a pulse is balanced (float rounding of its phases).
_ROUNDING = 1e-12


def metrics(stim: Stimulus) -> Metrics:
    """Compute every metric of ``stim`` exactly (see :class:`Metrics`)."""
    if not isinstance(stim, Stimulus):  # None was an AttributeError from inside (probe)
        from estim.errors import InputError

        raise InputError("stim", type(stim).__name__, "one channel's Stimulus "
                         "(estim.stimuli_for(program)[0])")
    cycle = stim.cycle_s
    q = stim.event_charge
    q_sq = stim.event_charge_sq
    q_abs = stim.event_charge_abs
    active = np.array([sum(s.duration for s in p.segments) for p in stim.pulses])
    phase = np.array([max((abs(x) for x in p.phase_charges), default=0.0) for p in stim.pulses])
    scale = np.abs(stim.scale)
    per_phase = scale * phase[stim.template]
    # a balanced pulse's phases cancel to float rounding (~1e-16 of a phase): its net charge
    # is 0, not the "4.2e-28 µC" and "1.81 × 10⁻¹⁴ %" a check printed (no stimulator is
    # balanced to 1e-12 of a phase)
    q = np.where(np.abs(q) < _ROUNDING * per_phase, 0.0, q)
    imbalance = np.divide(np.abs(q), per_phase, out=np.zeros_like(q), where=per_phase > 0)
    return Metrics(
        peak=stim.peak,
        max_phase_charge=float(per_phase.max(initial=0.0)),
        max_net_charge_per_pulse=float(np.abs(q).max(initial=0.0)),
        mean=float(q.sum() / cycle),
        mean_abs=float(q_abs.sum() / cycle),
        rms=math.sqrt(float(q_sq.sum()) / cycle),
        rms_max_1s=max_window_rms(stim, 1.0),
        duty=float(active[stim.template][stim.scale != 0].sum() / cycle),
        pulses_per_s=float(pulses_per_event(stim)[stim.scale != 0].sum() / cycle),
        charge_imbalance=float(imbalance.max(initial=0.0)),
        session_charge=float(q.sum() * stim.n_cycles),
    )


def pulses_per_event(stim: Stimulus) -> FloatArray:
    """How many pulses each event of a cycle holds: one, except for a stretch of a running
    sine carrier (one constant-amplitude sine that the next event takes up where it ends,
    as the swept channel of true interferential current is built), which holds its
    cycles, as the same carrier delivered one cycle per event would count them. A burst
    (Russian current) or a beat (premodulated interferential) stays one pulse; a stretch of
    two summed carriers of equal amplitude (a swept premodulated beat's step) holds its
    beats (it read "mean 10 beats/s", its 0.1 s steps, where the beat swept 1.87-114 Hz;
    probe of 6 December 2026)."""
    n = len(stim.onsets_s)
    out = np.ones(n)
    if n == 0:
        return out
    durations = stim.template_durations[stim.template]
    following = np.append(stim.onsets_s[1:], stim.onsets_s[0] + stim.cycle_s)
    runs_on = np.abs(stim.onsets_s + durations - following) <= 1e-9 * stim.cycle_s
    for k in np.flatnonzero(runs_on):
        segments = stim.pulses[stim.template[k]].segments
        if len(segments) != 1 or segments[0].linear is not None:
            continue
        rates = [complex(r) for r in segments[0].rates]
        if any(r.real != 0.0 or r.imag == 0.0 for r in rates):
            continue
        if len(rates) == 1:  # a sine of constant amplitude
            out[k] = durations[k] * abs(rates[0].imag) / (2.0 * math.pi)
        elif len(rates) == 2 and math.isclose(*(abs(c) for c in segments[0].coeffs)):
            # two carriers of one amplitude: their beats, |f1 - f2| per second
            out[k] = durations[k] * abs(rates[0].imag - rates[1].imag) / (2.0 * math.pi)
    return out


#: Events handled at once by :func:`max_window_rms` (bounds its memory to a few tens of MB).
_CHUNK = 1 << 17


@dataclass(frozen=True)
class _Cumulative:
    """``F(t) = ∫_0^t I²`` over ``reps`` repetitions of a cycle, exactly, for any t.

    Per template: the start and end of each segment (padded with NaN to the longest template)
    and ``∫ f²`` from the pulse onset to each of them, so that ``F`` at a segment boundary is a
    table look-up; only times inside a pulse need the closed form.
    """

    stim: Stimulus
    energy: FloatArray  # ∫I² of each event of the cycle
    before: FloatArray  # ∫I² of the cycle's events before event k (length n + 1)
    seg_start: FloatArray  # (templates, segments) local segment starts (s), NaN padded
    seg_end: FloatArray
    sq_at_start: FloatArray  # ∫_0^{start} f², per unit amplitude (s)
    sq_at_end: FloatArray

    @classmethod
    def of(cls, stim: Stimulus) -> _Cumulative:
        width = max(len(p.segments) for p in stim.pulses)
        shape = (len(stim.pulses), width)
        s0, s1 = np.full(shape, np.nan), np.full(shape, np.nan)
        q0, q1 = np.full(shape, np.nan), np.full(shape, np.nan)
        for j, p in enumerate(stim.pulses):
            acc = 0.0
            for i, seg in enumerate(p.segments):
                s0[j, i], q0[j, i] = seg.start, acc
                acc += seg.integral_sq()
                s1[j, i], q1[j, i] = seg.end, acc
        energy = stim.event_charge_sq
        return cls(stim, energy, np.concatenate([[0.0], np.cumsum(energy)]), s0, s1, q0, q1)

    def at(self, t: FloatArray) -> FloatArray:
        """F(t) for times t (s) in [0, reps · cycle]."""
        stim = self.stim
        cycle = stim.cycle_s
        rep = np.floor(t / cycle)
        local_t = t - rep * cycle
        k = np.searchsorted(stim.onsets_s, local_t, side="right") - 1
        kk = np.maximum(k, 0)
        out = rep * self.before[-1] + self.before[kk]
        tm = stim.template[kk]
        local = local_t - stim.onsets_s[kk]
        full = self.energy[kk]
        inside = (k >= 0) & (local < stim.template_durations[tm])
        out += np.where((k >= 0) & ~inside, full, 0.0)
        idx = np.nonzero(inside)[0]
        if idx.size:
            # inside a pulse: the closed form of its template, evaluated template by template
            order = idx[np.argsort(tm[idx], kind="stable")]
            bounds = np.searchsorted(tm[order], np.arange(len(stim.pulses) + 1))
            for j, p in enumerate(stim.pulses):
                sel = order[bounds[j]:bounds[j + 1]]
                if sel.size:
                    out[sel] += stim.scale[kk[sel]] ** 2 * p.charge_sq_upto(local[sel])
        return out


def max_window_rms(stim: Stimulus, window_s: float) -> float:
    """The largest r.m.s. over any window of ``window_s`` within the session (A or V).

    Windows start at every segment start and end at every segment end of every pulse (the
    maximum of a moving average of a pulse train sits at such an alignment, up to the slope
    of one pulse edge); windows that wrap a cycle boundary are included. The window is whole
    cycles plus a remainder; the whole cycles contribute exactly.

    Cost: O(n·s·log n) time for n events per cycle of at most s segments each, and memory
    bounded by a chunk of events (a 2-million-pulse cycle takes seconds).
    """
    if len(stim.scale) == 0:
        return 0.0
    window = min(window_s, stim.duration_s)
    cycle = stim.cycle_s
    whole = math.floor(window / cycle) if stim.n_cycles > 1 else 0
    rem = window - whole * cycle
    e_cycle = float(stim.event_charge_sq.sum())
    best = 0.0
    if rem > 0:
        horizon = (2 if stim.n_cycles > 1 else 1) * cycle
        cum = _Cumulative.of(stim)
        best = max(_best_window(cum, rem, horizon, k0, min(k0 + _CHUNK, len(stim.scale)))
                   for k0 in range(0, len(stim.scale), _CHUNK))
        if stim.n_cycles > 1:  # windows ending in the second cycle, past its first events
            n_wrap = int(np.searchsorted(stim.onsets_s, rem, side="right"))
            best = max([best, *(_best_window(cum, rem, horizon, k0, min(k0 + _CHUNK, n_wrap),
                                             rep=1)
                                for k0 in range(0, n_wrap, _CHUNK))])
    return math.sqrt((whole * e_cycle + best) / window) if window > 0 else 0.0


def _best_window(cum: _Cumulative, rem: float, horizon: float, k0: int, k1: int, *,
                 rep: int = 0) -> float:
    """The most ∫I² of a window of ``rem`` seconds that starts at a segment start or ends at a
    segment end of events ``k0:k1`` of cycle ``rep`` (0: windows start in the first cycle or
    end in it; 1: windows that end in the second cycle)."""
    stim = cum.stim
    ks = np.arange(k0, k1)
    tm = stim.template[ks]
    onset = (stim.onsets_s[ks] + rep * stim.cycle_s)[:, None]
    sc2 = (stim.scale[ks] ** 2)[:, None]
    base = (cum.before[ks] + rep * cum.before[-1])[:, None]
    best = 0.0
    ends = onset + cum.seg_end[tm]
    f_end = base + sc2 * cum.sq_at_end[tm]
    ok = (ends - rem >= 0) & (ends - rem < stim.cycle_s)  # NaN padding compares False
    if np.any(ok):
        best = max(best, float(np.max(f_end[ok] - cum.at(ends[ok] - rem))))
    if rep == 0:
        starts = onset + cum.seg_start[tm]
        f_start = base + sc2 * cum.sq_at_start[tm]
        ok = starts + rem <= horizon + 1e-12
        if np.any(ok):
            best = max(best, float(np.max(cum.at(np.minimum(starts[ok] + rem, horizon))
                                          - f_start[ok])))
    return best
