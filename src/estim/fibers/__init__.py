"""Nerve fibers: cable models (MRG, Sweeney, Sundt C fiber, Hodgkin–Huxley), a batched
implicit solver compiled with numba, thresholds, strength–duration and recruitment.

Nothing is compiled at import; the kernels compile (and cache) on first use.
"""

from estim.fibers.analysis import (
    Recruitment,
    StrengthDuration,
    conduction_velocity,
    fit_strength_duration,
    recruitment,
    strength_duration,
)
from estim.fibers.cable import Fiber, FiberModel, make_fiber
from estim.fibers.solver import (
    DEFAULT_DT_S,
    RectangularPulse,
    SimulationResult,
    SolverOptions,
    point_source_potential,
    simulate,
)
from estim.fibers.thresholds import ThresholdResult, find_thresholds

__all__ = [
    "DEFAULT_DT_S",
    "Fiber",
    "FiberModel",
    "Recruitment",
    "RectangularPulse",
    "SimulationResult",
    "SolverOptions",
    "StrengthDuration",
    "ThresholdResult",
    "conduction_velocity",
    "find_thresholds",
    "fit_strength_duration",
    "make_fiber",
    "point_source_potential",
    "recruitment",
    "simulate",
    "strength_duration",
]
