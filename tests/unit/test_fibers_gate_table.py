"""The gating table: the kernel advances each gate with interpolated steady states and
decay factors instead of evaluating the rate formulas at every node and step. Within its
grid the interpolation is as close to the formulas as the grid's curvature allows; outside
it (or at a potential that is not finite) the formulas are used."""

from __future__ import annotations

import math

import numpy as np
import pytest

from estim.fibers.kinetics import (
    GATE_TABLE_LOW_MV,
    GATE_TABLE_STEP_MV,
    MAX_STATES,
    MODEL_CODES,
    N_STATES,
    gate_table,
    gates,
    kinetic_constants,
    kinetic_table,
    step_gates,
)

DT_MS = 2e-3


def _exact(code: int, v: float, kin: np.ndarray, st: np.ndarray) -> np.ndarray:
    gs = gates(code, v, kin)
    return np.array([gs[q] + (st[q] - gs[q]) * math.exp(-DT_MS * gs[MAX_STATES + q])
                     for q in range(st.size)])


@pytest.mark.parametrize("model", sorted(MODEL_CODES))
def test_interpolated_gates_follow_the_formulas(model: str) -> None:
    """Linear interpolation on a 0.05 mV grid: its error is h²/8 times the curvature. Over
    200,001 potentials from -149.9 to 149.9 mV, a gate at 0.5 after one 2 µs step was at most
    6.1e-7 from the formulas (Sundt near -120 mV; MRG 1.2e-8, HH 1.5e-7, Sweeney 4.8e-7);
    5e-6 bounds that with room for random states, and it is not exact (worst > 0)."""
    code = MODEL_CODES[model]
    kin = kinetic_table({code: kinetic_constants(code, 37.0)})
    table = gate_table(np.array([code]), kin, DT_MS)
    rng = np.random.default_rng(7)
    ns = N_STATES[code]
    worst = 0.0
    for v in rng.uniform(-149.0, 149.0, 2000):
        st = rng.uniform(0.0, 1.0, ns)
        got = st.copy()
        step_gates(code, float(v), kin[code], table, DT_MS, got, ns)
        worst = max(worst, float(np.max(np.abs(got - _exact(code, float(v), kin[code], st)))))
    assert 0.0 < worst < 5e-6, worst


@pytest.mark.parametrize("v", [-300.0, 151.0, 400.0, math.nan, math.inf])
def test_outside_the_grid_the_formulas_are_used(v: float) -> None:
    code = MODEL_CODES["mrg"]
    kin = kinetic_table({code: kinetic_constants(code, 37.0)})
    table = gate_table(np.array([code]), kin, DT_MS)
    st = np.array([0.1, 0.2, 0.7, 0.3])
    got = st.copy()
    step_gates(code, v, kin[code], table, DT_MS, got, 4)
    want = _exact(code, v, kin[code], st)
    assert np.array_equal(got, want, equal_nan=True)


def test_on_a_grid_point_the_table_is_the_formula() -> None:
    code = MODEL_CODES["sundt"]
    kin = kinetic_table({code: kinetic_constants(code, 37.0)})
    table = gate_table(np.array([code]), kin, DT_MS)
    v = GATE_TABLE_LOW_MV + 1234 * GATE_TABLE_STEP_MV
    st = np.array([0.2, 0.5, 0.4, 0.9])
    got = st.copy()
    step_gates(code, v, kin[code], table, DT_MS, got, 4)
    assert got == pytest.approx(_exact(code, v, kin[code], st), rel=1e-12, abs=1e-15)


def test_the_table_is_kept_per_constants_and_step() -> None:
    code = MODEL_CODES["mrg"]
    kin = kinetic_table({code: kinetic_constants(code, 37.0)})
    a = gate_table(np.array([code]), kin, DT_MS)
    assert gate_table(np.array([code, code]), kin.copy(), DT_MS) is a
    assert gate_table(np.array([code]), kin, 2 * DT_MS) is not a
    warm = kinetic_table({code: kinetic_constants(code, 38.0)})
    assert gate_table(np.array([code]), warm, DT_MS) is not a
