"""The hybrid fiber: an MRG axon ending in an unmyelinated Sundt terminal (the free ending of
an Aδ afferent). One cable, two channel sets: the kernel reads a model code per active
compartment."""

from __future__ import annotations

import numpy as np
import pytest

from estim.errors import InputError
from estim.fibers import (
    RectangularPulse,
    SolverOptions,
    conduction_velocity,
    find_thresholds,
    make_fiber,
    point_source_potential,
    simulate,
)
from estim.fibers.cable import Terminal
from estim.fibers.kernel import run_batch, run_batch_numpy
from estim.fibers.kinetics import MODEL_CODES, kinetic_table
from estim.fibers.solver import _stack, initial_state, sample_waveform

_KW = {"quiet_step": 10**9, "quiet_mv": np.inf, "stop_on_detect": False, "thresh": -30.0}


def _hybrid(length_m: float = 150e-6, n_nodes: int = 7, d: float = 3e-6):
    return make_fiber("mrg", d, n_nodes=n_nodes, passive_end_nodes=(0, 1),
                      terminal=Terminal(length_m=length_m))


def _tip_source(fiber, height_m: float = 100e-6) -> np.ndarray:
    """φ (V/A) of a point source ``height_m`` beside the terminal's tip (compartment 0)."""
    return point_source_potential(fiber.points(), (fiber.positions_m[0], height_m, 0.0), 0.2)


def test_mixed_code_kernel_matches_numpy_twin() -> None:
    fiber = _hybrid()
    assert set(fiber.active_codes[: fiber.terminal.n_sections]) == {MODEL_CODES["sundt"]}
    assert set(fiber.active_codes[fiber.terminal.n_sections:]) == {MODEL_CODES["mrg"]}
    rest = initial_state([fiber])
    n_steps, dt_ms = 80, 0.002
    phi = _tip_source(fiber)[None, :] * 1e3  # [V/A -> mV/A]
    wave = sample_waveform(RectangularPulse(1e-4), dt_ms * 1e-3, n_steps)
    amps = np.array([20e-6, 400e-6])
    fib = np.zeros(amps.size, np.int64)
    args = (fiber.active_codes, fiber.kinetic_table(), dt_ms, n_steps, fiber.v_rest_mv,
            _stack([fiber]), fiber.active_index, 0, fib, amps, phi, wave, -1,
            np.zeros(n_steps))
    c, p = ([np.ascontiguousarray(x[fib]) for x in rest] for _ in range(2))
    out_c = run_batch(*args, *c, **_KW)
    out_p = run_batch_numpy(*args, *p, thresh=-30.0)
    # block Thomas against a direct banded solve: round-off on a well-conditioned system
    np.testing.assert_allclose(c[0], p[0], rtol=0, atol=1e-8)  # Vm (mV)
    np.testing.assert_allclose(c[1], p[1], rtol=0, atol=1e-8)  # periaxonal (mV)
    np.testing.assert_allclose(c[2], p[2], rtol=0, atol=1e-10)  # gates of both models
    np.testing.assert_array_equal(out_c["n_cross"], out_p["n_cross"])
    # the strong member fires in the terminal (Sundt compartments), the weak one nowhere
    assert out_c["n_cross"][1, 0] > 0 and not out_c["n_cross"][0].any()


def test_per_compartment_codes_equal_the_single_model_path_bit_for_bit() -> None:
    """A plain MRG fiber run with one code per active compartment and a constants table
    gives exactly the numbers of the one-model call: the mixed-code path costs a plain
    fiber nothing in accuracy. And ``terminal=None`` is the plain fiber."""
    fiber = make_fiber("mrg", 5.7e-6, n_nodes=11, passive_end_nodes=(0, 1), terminal=None)
    plain = make_fiber("mrg", 5.7e-6, n_nodes=11, passive_end_nodes=(0, 1))
    for key, val in plain.cable.items():
        np.testing.assert_array_equal(fiber.cable[key], val)
    assert not fiber.active_codes.any()  # all MRG (code 0)
    rest = initial_state([fiber])
    n_steps, dt_ms = 300, 0.002
    phi = _tip_source(fiber, 300e-6)[None, :] * 1e3  # [V/A -> mV/A]
    wave = sample_waveform(RectangularPulse(1e-4), dt_ms * 1e-3, n_steps)
    amps = np.array([50e-6, 1e-3])
    fib = np.zeros(amps.size, np.int64)
    tail = (_stack([fiber]), fiber.active_index, 0, fib, amps, phi, wave, -1,
            np.zeros(n_steps))
    one = [np.ascontiguousarray(x[fib]) for x in rest]
    per = [np.ascontiguousarray(x[fib]) for x in rest]
    out_one = run_batch(fiber.code, fiber.kinetic_constants(), dt_ms, n_steps,
                        fiber.v_rest_mv, *tail, *one, **_KW)
    table = kinetic_table({0: fiber.kinetic_constants(), 2: np.ones(16)})  # row 2 unused
    out_per = run_batch(fiber.active_codes, table, dt_ms, n_steps,
                        np.full(fiber.active_index.size, fiber.v_rest_mv), *tail, *per, **_KW)
    for a, b in zip(one, per, strict=True):
        np.testing.assert_array_equal(a, b)
    for key in ("t_cross", "peak", "n_cross"):
        np.testing.assert_array_equal(out_one[key], out_per[key])
    assert out_one["n_cross"][1].any()  # the strong member fires


def test_rest_state_of_a_hybrid_is_stationary() -> None:
    """The terminal (Sundt rest -60 mV) and the MRG node (-80 mV) settle to one rest."""
    fiber = _hybrid()
    r = simulate(fiber, np.zeros(fiber.n_compartments), RectangularPulse(1e-4), [0.0],
                 options=SolverOptions(tstop_s=5e-3, early_stop=False), record_every=500)
    assert r.traces_mv is not None
    assert np.max(np.ptp(r.traces_mv[0, 0], axis=0)) < 1e-3  # mV over 5 ms
    v_tip = r.traces_mv[0, 0, 0, 0]
    assert -80.0 < v_tip < -60.0  # between the two models' own rests


def test_long_terminal_conducts_at_the_sundt_velocity() -> None:
    """An AP started on the myelinated axon runs down a 4 mm terminal at the velocity of a
    pure Sundt fiber of the terminal's diameter and sections. Measured 1.0-2.5 mm from the
    tip: 1 mm (two passive length constants of ~0.5 mm) from the sealed tip and 1.5 mm from
    the junction. Measured 0.4889 vs 0.4900 m/s; 2 % allows for the ends' residual loading,
    not for a wrong membrane (velocity goes as 1/sqrt(Ra): a 2x error in Ra is 30 %)."""
    term = Terminal(length_m=4e-3, diameter_m=1e-6, section_length_m=25e-6)
    fiber = make_fiber("mrg", 3e-6, n_nodes=11, passive_end_nodes=(0, 1), terminal=term)
    node = fiber.node_index[6]
    phi = point_source_potential(fiber.points(), (fiber.positions_m[node], 0.3e-3, 0.0), 0.2)
    thr = find_thresholds(fiber, [phi], RectangularPulse(1e-4)).threshold_a[0]
    r = simulate(fiber, [phi], RectangularPulse(1e-4), [2 * thr],
                 options=SolverOptions(tstop_s=15e-3, early_stop=False))
    x = fiber.positions_m[fiber.active_index] - fiber.positions_m[0]  # from the tip (m)
    i0, i1 = (int(np.argmin(np.abs(x[: term.n_sections] - s))) for s in (1.0e-3, 2.5e-3))
    t = r.first_crossing_s[0, 0]
    cv_terminal = (x[i1] - x[i0]) / (t[i0] - t[i1])  # the AP runs toward the tip
    sundt = make_fiber("sundt", 1e-6, length_m=6e-3, section_length_m=25e-6)
    assert cv_terminal == pytest.approx(conduction_velocity(sundt), rel=0.02)


def test_bad_terminals_are_refused() -> None:
    with pytest.raises(InputError, match=r"terminal\.length_m"):
        Terminal(length_m=-1e-6)
    with pytest.raises(InputError, match=r"terminal\.diameter_m"):
        Terminal(diameter_m=5e-6)
    with pytest.raises(InputError, match="terminal"):
        make_fiber("sweeney", 3e-6, passive_end_nodes=(0, 1), terminal=Terminal())
    with pytest.raises(InputError, match="terminal"):
        make_fiber("mrg", 3e-6, terminal=Terminal())  # a passive first node


def test_hybrids_batch_only_with_their_own_kind() -> None:
    plain = make_fiber("mrg", 3e-6, n_nodes=7, passive_end_nodes=(0, 1))
    assert _hybrid().topology_key() != plain.topology_key()
    assert "terminal=150 µm" in repr(_hybrid())
