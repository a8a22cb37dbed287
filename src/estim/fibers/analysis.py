"""Derived measures: conduction velocity, strength–duration curves, recruitment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from estim.errors import InputError
from estim.fibers.cable import Fiber
from estim.fibers.protocols import Potentials, Waveform
from estim.fibers.solver import (
    RectangularPulse,
    SolverOptions,
    _default_tstop,
    detect_position,
    run_group,
    sample_waveform,
)
from estim.fibers.thresholds import find_thresholds

__all__ = [
    "Recruitment",
    "StrengthDuration",
    "conduction_velocity",
    "fit_strength_duration",
    "recruitment",
    "strength_duration",
]


def conduction_velocity(fiber: Fiber, *, options: SolverOptions | None = None,
                        stim_fraction: float = 0.1, start: float = 0.25, end: float = 0.75,
                        pulse_width_s: float = 1e-4) -> float:
    """Conduction velocity (m/s), as the reference set-up measures it.

    An intracellular pulse (``pulse_width_s``) at the node ``stim_fraction`` along the fiber;
    the velocity is the distance between the nodes at ``start`` and ``end`` over the
    difference of their -30 mV crossing times. The smallest of a geometric ladder of
    amplitudes (10 pA–100 µA) that propagates to ``end`` is used.

    :raises InputError: when no amplitude of the ladder propagates.
    """
    options = replace(options or SolverOptions(), detect_fraction=end)
    tstop = options.tstop_s or _default_tstop(fiber)
    n_steps = round(tstop / options.dt_s)
    inj = sample_waveform(RectangularPulse(pulse_width_s, cathodic=False), options.dt_s, n_steps)
    amps = 10.0 ** np.arange(-11.0, -3.9, 0.5)  # [A]
    comp = int(fiber.node_index[fiber.node_at(stim_fraction)])
    out = run_group([fiber], [np.zeros(fiber.n_compartments)], np.zeros(amps.size, np.int64),
                    amps, np.zeros(n_steps), options, inj_comp=comp, inj_wave=inj)
    j0 = detect_position(fiber, start)
    j1 = detect_position(fiber, end)
    ok = np.flatnonzero(np.isfinite(out["t_cross"][:, j1]) & np.isfinite(out["t_cross"][:, j0]))
    if ok.size == 0:
        raise InputError("conduction_velocity", fiber, "a fiber in which an AP propagates")
    b = ok[0]
    dt_ms = out["t_cross"][b, j1] - out["t_cross"][b, j0]
    x = fiber.positions_m[fiber.active_index[[j0, j1]]]
    return float(abs(x[1] - x[0]) / (dt_ms * 1e-3))  # [ms -> s]


@dataclass(frozen=True, eq=False)
class StrengthDuration:
    """Thresholds over pulse widths and the Weiss/Lapicque fit I = b (1 + c / d).

    :ivar pulse_widths_s: pulse widths (s).
    :ivar thresholds_a: threshold at each (A).
    :ivar rheobase_a: b (A).
    :ivar chronaxie_s: c (s).
    """

    pulse_widths_s: np.ndarray
    thresholds_a: np.ndarray
    rheobase_a: float
    chronaxie_s: float

    def predict(self, pulse_width_s: np.ndarray | float) -> np.ndarray:
        """Fitted threshold (A) at pulse widths (s)."""
        return self.rheobase_a * (1.0 + self.chronaxie_s / np.asarray(pulse_width_s, float))


def fit_strength_duration(pulse_widths_s: np.ndarray, thresholds_a: np.ndarray,
                          ) -> tuple[float, float]:
    """Least-squares fit of I = b (1 + c/d) (Weiss): linear in 1/d. Returns (b A, c s)."""
    d = np.asarray(pulse_widths_s, float)
    i = np.asarray(thresholds_a, float)
    # a 0 width printed LAPACK's messages and a negative one gave a negative chronaxie
    # (researcher's probe of 7 December 2026)
    if d.shape != i.shape or d.ndim != 1 or not np.all(np.isfinite(d) & (d > 0)):
        raise InputError("pulse_widths", pulse_widths_s, "finite pulse widths above 0 s, "
                         "one per threshold")
    ok = np.isfinite(i) & (i > 0)
    if ok.sum() < 2 or np.unique(d[ok]).size < 2:
        raise InputError("thresholds", i, "at least two finite thresholds above 0, at two "
                         "pulse widths, to fit")
    slope, intercept = np.polyfit(1.0 / d[ok], i[ok], 1)
    return float(intercept), float(slope / intercept)


def strength_duration(fiber: Fiber, potentials: Potentials,
                      pulse_widths_s: Sequence[float] | np.ndarray, *,
                      cathodic: bool = True, precision: float = 0.01,
                      options: SolverOptions | None = None) -> StrengthDuration:
    """Thresholds of monophasic rectangular pulses of each width, with the Weiss fit."""
    pws = np.asarray(pulse_widths_s, dtype=float)
    if pws.size < 2 or np.any(pws <= 0):
        raise InputError("pulse_widths", pulse_widths_s, "two or more positive durations (s)")
    thr = np.array([
        find_thresholds(fiber, potentials, RectangularPulse(float(pw), cathodic=cathodic),
                        precision=precision, options=options).threshold_a[0]
        for pw in pws
    ])
    b, c = fit_strength_duration(pws, thr)
    return StrengthDuration(pulse_widths_s=pws, thresholds_a=thr, rheobase_a=b, chronaxie_s=c)


@dataclass(frozen=True, eq=False)
class Recruitment:
    """Fraction of a population activated at each amplitude (A)."""

    amplitudes_a: np.ndarray
    fraction: np.ndarray
    thresholds_a: np.ndarray


def recruitment(fibers: Sequence[Fiber], potentials: Potentials, waveform: Waveform,
                amplitudes_a: Sequence[float] | None = None, *, precision: float = 0.01,
                options: SolverOptions | None = None,
                ceiling_a: float | None = None) -> Recruitment:
    """Recruitment curve: thresholds of every fiber, then the fraction at or below each
    amplitude (default: 50 amplitudes spanning the thresholds geometrically).

    :param ceiling_a: where the search gave up (A): a population none of which fires below
        it gets a curve flat at 0 up to it (without it, that is an error)."""
    res = find_thresholds(fibers, potentials, waveform, precision=precision, options=options)
    thr = res.threshold_a
    if amplitudes_a is None:
        finite = thr[np.isfinite(thr)]
        if finite.size:
            amps = np.geomspace(finite.min() * 0.8, finite.max() * 1.2, 50)
        elif ceiling_a is not None and ceiling_a > 0:
            amps = np.geomspace(ceiling_a * 1e-2, ceiling_a, 50)
        else:
            raise InputError("fibers", len(thr), "a population with at least one activation")
    else:
        amps = np.asarray(amplitudes_a, dtype=float)
    frac = np.array([np.mean(np.where(np.isfinite(thr), thr, np.inf) <= a) for a in amps])
    return Recruitment(amplitudes_a=amps, fraction=frac, thresholds_a=thr)
