"""Exact metrics of a stimulus, from the closed forms of its pulse templates.

Nothing here samples the waveform: charges, r.m.s. and means are sums over the events of one
cycle of exact integrals, so a 30-minute session costs what one cycle costs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from estim.waveforms.stimulus import FloatArray, Stimulus

__all__ = ["Metrics", "max_window_rms", "metrics"]


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
    :param pulses_per_s: average number of pulses per second.
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


def metrics(stim: Stimulus) -> Metrics:
    """Compute every metric of ``stim`` exactly (see :class:`Metrics`)."""
    cycle = stim.cycle_s
    q = stim.event_charge
    q_sq = stim.event_charge_sq
    q_abs = stim.event_charge_abs
    active = np.array([sum(s.duration for s in p.segments) for p in stim.pulses])
    phase = np.array([max((abs(x) for x in p.phase_charges), default=0.0) for p in stim.pulses])
    scale = np.abs(stim.scale)
    per_phase = scale * phase[stim.template]
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
        pulses_per_s=float(np.count_nonzero(stim.scale) / cycle),
        charge_imbalance=float(imbalance.max(initial=0.0)),
        session_charge=float(q.sum() * stim.n_cycles),
    )


def _cumulative_sq(stim: Stimulus, t: FloatArray, onsets: FloatArray,
                   cum_before: FloatArray, template: np.ndarray, scale: FloatArray) -> FloatArray:
    """∫_0^t I² over the given (tiled) events, exactly, for each t."""
    k = np.searchsorted(onsets, t, side="right") - 1
    out = np.zeros_like(t)
    ok = k >= 0
    kk = k[ok]
    partial = np.zeros(kk.shape)
    local = t[ok] - onsets[kk]
    tm = template[kk]
    for j, p in enumerate(stim.pulses):
        m = tm == j
        if np.any(m):
            partial[m] = p.charge_sq_upto(local[m])
    out[ok] = cum_before[kk] + scale[kk] ** 2 * partial
    return out


def max_window_rms(stim: Stimulus, window_s: float) -> float:
    """The largest r.m.s. over any window of ``window_s`` within the session (A or V).

    Windows start at every pulse onset and end at every pulse end (the maximum of a moving
    average of a pulse train sits at such an alignment, up to the slope of one pulse edge),
    over two cycles so that windows that wrap a cycle boundary are included. The window is
    whole cycles plus a remainder; the whole cycles contribute exactly.
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
        reps = 2 if stim.n_cycles > 1 else 1
        onsets = np.concatenate([stim.onsets_s + i * cycle for i in range(reps)])
        template = np.tile(stim.template, reps)
        scale = np.tile(stim.scale, reps)
        e = np.tile(stim.event_charge_sq, reps)
        cum_before = np.concatenate([[0.0], np.cumsum(e)[:-1]])
        # every segment boundary of every event: a window starts at a segment start or ends
        # at a segment end (covers long pulses such as a d.c. plateau, not just pulse edges)
        seg_starts = [np.array([s.start for s in p.segments]) for p in stim.pulses]
        seg_ends = [np.array([s.end for s in p.segments]) for p in stim.pulses]
        b0 = np.concatenate([o + seg_starts[j] for o, j in zip(onsets, template, strict=True)])
        b1 = np.concatenate([o + seg_ends[j] for o, j in zip(onsets, template, strict=True)])
        horizon = reps * cycle
        starts = np.concatenate([b0, b1 - rem])
        starts = starts[(starts >= 0) & (starts + rem <= horizon + 1e-12)]
        if starts.size == 0:
            starts = np.array([0.0])
        f1 = _cumulative_sq(stim, starts + rem, onsets, cum_before, template, scale)
        f0 = _cumulative_sq(stim, starts, onsets, cum_before, template, scale)
        best = float(np.max(f1 - f0))
    return math.sqrt((whole * e_cycle + best) / window) if window > 0 else 0.0
