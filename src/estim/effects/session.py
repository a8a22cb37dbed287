"""NMES sessions: duty-cycled pulse trains with ramps, and force and fatigue over a session.

A cycle is ``ramp up -> plateau -> ramp down`` (together ``on_s``) followed by ``off_s`` of
rest; ``on_s`` includes the ramps. The program's real pulse times come from
``estim.waveforms`` later; this helper builds the same pattern for studies and tests.

The device ramps *amplitude*; here the recruited fraction of motor axons is ramped linearly
instead, a simplification until the fiber stage supplies the recruitment curve.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from estim.effects.muscle import ForceResult, simulate_force
from estim.effects.muscle_params import DING_2003_QUADRICEPS, MuscleParams
from estim.errors import InputError
from estim.evidence import EvidenceLevel

__all__ = ["PulseTrain", "SessionResult", "duty_cycle_train", "simulate_session"]


@dataclass(frozen=True, eq=False)
class PulseTrain:
    """Pulse onsets with the fraction of motor axons each recruits.

    :param times_s: pulse onsets (s), increasing.
    :param recruited_fraction: per-pulse recruited fraction (1), 0..1.
    :param cycle_starts_s: start of each on-period (s).
    :param period_s: on + off time (s).
    """

    times_s: NDArray[np.float64]
    recruited_fraction: NDArray[np.float64]
    cycle_starts_s: NDArray[np.float64]
    period_s: float
    duration_s: float

    def __repr__(self) -> str:
        return (f"PulseTrain({self.times_s.size} pulses, {self.cycle_starts_s.size} cycles, "
                f"{self.duration_s:g} s)")


def _check(name: str, value: float, lo: float, hi: float, what: str) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not (ok and math.isfinite(value) and lo <= value <= hi):
        raise InputError(name, value, what)
    return float(value)


def duty_cycle_train(
    frequency_hz: float,
    *,
    on_s: float,
    off_s: float,
    duration_s: float,
    ramp_up_s: float = 0.0,
    ramp_down_s: float = 0.0,
    peak_fraction: float = 1.0,
) -> PulseTrain:
    """Pulse train of an NMES session.

    :param frequency_hz: pulse rate during the on-time (Hz), 0 < f <= 10 kHz.
    :param on_s: stimulation time per cycle, ramps included (s).
    :param off_s: rest time per cycle (s), >= 0.
    :param duration_s: session length (s); the last cycle is cut at this time.
    :param ramp_up_s: linear rise of the recruited fraction at the start of each on-time (s).
    :param ramp_down_s: linear fall at the end of each on-time (s).
    :param peak_fraction: recruited fraction on the plateau (1), 0..1.
    :raises InputError: values out of range, or ramps longer than the on-time.
    """
    f = _check("frequency_hz", frequency_hz, 1e-6, 1e4, "a frequency in (0, 10 kHz]")
    on = _check("on_s", on_s, 1e-6, 3600.0, "an on-time in (0, 1 h]")
    off = _check("off_s", off_s, 0.0, 3600.0, "an off-time in [0, 1 h]")
    dur = _check("duration_s", duration_s, 1e-6, 24 * 3600.0, "a duration in (0, 24 h]")
    up = _check("ramp_up_s", ramp_up_s, 0.0, on, f"a ramp in [0, on_s = {on:g} s]")
    down = _check("ramp_down_s", ramp_down_s, 0.0, on, f"a ramp in [0, on_s = {on:g} s]")
    if up + down > on * (1 + 1e-12):
        raise InputError("ramp_up_s + ramp_down_s", up + down,
                         f"ramps that fit in the on-time ({on:g} s)")
    peak = _check("peak_fraction", peak_fraction, 0.0, 1.0, "a fraction in [0, 1]")
    period = on + off
    starts = np.arange(0.0, dur, period)
    n_per_on = math.ceil(on * f - 1e-9)
    t_in = np.arange(n_per_on) / f  # pulse times within an on-period
    frac = np.full(t_in.shape, peak)
    if up > 0:
        frac = np.minimum(frac, peak * t_in / up)
    if down > 0:
        frac = np.minimum(frac, peak * (on - t_in) / down)
    times = (starts[:, None] + t_in[None, :]).reshape(-1)
    fracs = np.tile(frac, starts.size)
    keep = (times < dur) & (fracs > 0)
    times_kept = times[keep]
    fracs_kept = fracs[keep]
    for arr in (times_kept, fracs_kept, starts):
        arr.flags.writeable = False
    return PulseTrain(times_s=times_kept, recruited_fraction=fracs_kept,
                      cycle_starts_s=starts, period_s=period, duration_s=dur)


@dataclass(frozen=True, eq=False)
class SessionResult:
    """Force and fatigue over a session.

    :param force: the full force and state traces.
    :param contraction_peak_force_N: peak force in each cycle (N).
    :param fatigue_ratio: last cycle's peak / first cycle's peak (1); 1 = no fatigue.
    """

    force: ForceResult
    train: PulseTrain
    contraction_peak_force_N: NDArray[np.float64]
    fatigue_ratio: float
    evidence_level: EvidenceLevel
    evidence: str

    def __repr__(self) -> str:
        return (f"SessionResult({self.contraction_peak_force_N.size} contractions, first peak "
                f"{self.contraction_peak_force_N[0]:.4g} N, fatigue ratio "
                f"{self.fatigue_ratio:.3f})")


def simulate_session(
    train: PulseTrain,
    *,
    params: MuscleParams = DING_2003_QUADRICEPS,
    dt_s: float = 1e-3,
    output_stride: int = 1,
) -> SessionResult:
    """Force over a session with fatigue: per-contraction peaks and the fatigue ratio.

    :param train: from :func:`duty_cycle_train` (or any pulse times with fractions).
    :param dt_s: integration step (s); see :func:`estim.effects.simulate_force`.
    :param output_stride: keep every n-th sample of the traces (the peaks are taken from
        the kept samples: stride x dt_s should stay <= 5 ms for peaks within ~0.1 %).
    """
    if train.times_s.size == 0:
        raise InputError("train", train, "a train with at least one pulse")
    t_end = max(train.duration_s, float(train.times_s[-1]))
    res = simulate_force(train.times_s, params=params,
                         recruited_fraction=train.recruited_fraction,
                         t_end_s=t_end, dt_s=dt_s, output_stride=output_stride)
    idx = np.searchsorted(res.time_s, train.cycle_starts_s, side="left")
    idx = idx[idx < res.time_s.size]
    peaks = np.maximum.reduceat(res.force_N, idx) if idx.size else np.zeros(0)
    ratio = float(peaks[-1] / peaks[0]) if peaks.size and peaks[0] > 0 else float("nan")
    peaks.flags.writeable = False
    return SessionResult(force=res, train=train, contraction_peak_force_N=peaks,
                         fatigue_ratio=ratio, evidence_level=res.evidence_level,
                         evidence=res.evidence)
