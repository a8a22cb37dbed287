"""Cable solver: compiled kernel against its plain-numpy twin, rest state, inputs."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from estim.errors import InputError
from estim.fibers import (
    RectangularPulse,
    SolverOptions,
    make_fiber,
    point_source_potential,
    simulate,
)
from estim.fibers.kernel import run_batch, run_batch_numpy
from estim.fibers.solver import _stack, initial_state, sample_waveform


def _both(fiber, amps, *, n_steps=60, dt_ms=0.002, inj=False):
    rest = initial_state([fiber])
    phi = point_source_potential(fiber.points(), (0, 1e-3, 0), 0.2)[None, :] * 1e3
    wave = sample_waveform(RectangularPulse(4e-5), dt_ms * 1e-3, n_steps)
    inj_wave = wave * -1e9 if inj else np.zeros(n_steps)
    comp = int(fiber.node_index[10]) if inj else -1
    amps = np.asarray(amps, float)
    fib = np.zeros(amps.size, np.int64)
    args = (fiber.code, fiber.kinetic_constants(), dt_ms, n_steps, fiber.v_rest_mv,
            _stack([fiber]), fiber.active_index, 0, fib, amps, phi, wave, comp, inj_wave)
    states = [tuple(np.ascontiguousarray(x[fib]) for x in rest) for _ in range(2)]
    out_c = run_batch(*args, *states[0], quiet_step=n_steps + 1, quiet_mv=np.inf,
                      stop_on_detect=False, thresh=-30.0)
    out_p = run_batch_numpy(*args, *states[1], thresh=-30.0)
    return states, out_c, out_p


@pytest.mark.parametrize(("model", "d", "inj"), [("mrg", 10e-6, False), ("mrg", 7.3e-6, True),
                                                 ("sweeney", 10e-6, False)])
def test_kernel_matches_numpy_twin(model: str, d: float, inj: bool) -> None:
    fiber = make_fiber(model, d, n_nodes=11)
    amps = [300e-6, 2e-3] if not inj else [1e-9, 5e-9]
    (c, p), out_c, out_p = _both(fiber, amps, inj=inj)
    # a direct banded solve and block Thomas agree to round-off on a well-conditioned system
    np.testing.assert_allclose(c[0], p[0], rtol=0, atol=1e-8)  # Vm (mV)
    np.testing.assert_allclose(c[1], p[1], rtol=0, atol=1e-8)  # periaxonal (mV)
    np.testing.assert_allclose(c[2], p[2], rtol=0, atol=1e-10)  # gates
    np.testing.assert_allclose(out_c["peak"], out_p["peak"], atol=1e-8)
    np.testing.assert_array_equal(out_c["n_cross"], out_p["n_cross"])
    assert np.max(out_c["peak"]) > -30.0 or inj  # the strong case really excites


def test_rest_state_is_stationary() -> None:
    fiber = make_fiber("mrg", 10e-6, n_nodes=11)
    r = simulate(fiber, np.zeros(fiber.n_compartments), RectangularPulse(1e-4), [0.0],
                 options=SolverOptions(tstop_s=1e-3, early_stop=False), record_every=100)
    assert r.traces_mv is not None
    drift = np.ptp(r.traces_mv[0, 0], axis=0)
    assert np.max(drift) < 1e-3  # mV over 1 ms


def test_point_source_is_inverse_distance() -> None:
    pts = np.array([[0.0, 1e-3, 0.0], [0.0, 2e-3, 0.0]])
    v = point_source_potential(pts, (0, 0, 0), 0.2)
    assert v[0] == pytest.approx(1 / (4 * np.pi * 0.2 * 1e-3))
    assert v[0] / v[1] == pytest.approx(2.0)


def test_bad_inputs_raise_input_error() -> None:
    with pytest.raises(InputError):
        make_fiber("frog", 10e-6)
    with pytest.raises(InputError):
        make_fiber("mrg", 30e-6)
    with pytest.raises(InputError):
        point_source_potential(np.zeros((1, 3)), (0, 0, 0), -1.0)
    fiber = make_fiber("sweeney", 10e-6, n_nodes=11)
    with pytest.raises(InputError):
        simulate(fiber, np.zeros(3), RectangularPulse(1e-4), [1e-3])
    with pytest.raises(InputError):
        simulate(fiber, np.zeros(fiber.n_compartments), RectangularPulse(1e-4), [1e-3],
                 options=SolverOptions(detect_fraction=1.0))  # passive end node


def test_nothing_is_compiled_at_import() -> None:
    code = ("import estim.fibers as f, estim.fibers.kernel as k;"
            "print(len(k._run_batch_compiled.signatures), len(k._chunk.signatures))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["0", "0"]


def test_fiber_layout_matches_reference_setup() -> None:
    f = make_fiber("mrg", 10e-6)
    assert f.n_compartments == 551 and f.n_nodes == 51
    assert f.positions_m[f.node_index[25]] == 0.0
    assert f.node_at(0.9) == 45
    # node spacing is the published 1150 µm
    assert np.diff(f.positions_m[f.node_index])[3] == pytest.approx(1150e-6)
    assert f.double_cable
    s = make_fiber("sundt", 1e-6)
    assert s.n_compartments == 1201 and not s.double_cable


def test_two_sources_superpose_and_match_the_numpy_twin() -> None:
    """Ve = Σ_s φ_s · I_s(t): two sources with the same waveform are one source with the
    summed potential (exactly: the kernel adds them before the solve); two sources with
    different waveforms agree with the numpy twin."""
    fiber = make_fiber("mrg", 10e-6, n_nodes=11)
    rest = initial_state([fiber])
    n_steps, dt_ms = 80, 0.002
    phi1 = point_source_potential(fiber.points(), (0, 1e-3, 0), 0.2) * 1e3
    phi2 = point_source_potential(fiber.points(), (2e-3, 1.5e-3, 0), 0.2) * 1e3
    w1 = sample_waveform(RectangularPulse(4e-5), dt_ms * 1e-3, n_steps)
    w2 = sample_waveform(RectangularPulse(6e-5, delay_s=2e-5, cathodic=False),
                         dt_ms * 1e-3, n_steps)
    fib = np.zeros(2, np.int64)
    amps = np.array([0.5e-3, 3e-3])
    base = (fiber.code, fiber.kinetic_constants(), dt_ms, n_steps, fiber.v_rest_mv,
            _stack([fiber]), fiber.active_index, 0, fib, amps)

    def fresh():
        return tuple(np.ascontiguousarray(x[fib]) for x in rest)

    kw = {"quiet_step": n_steps + 1, "quiet_mv": np.inf, "stop_on_detect": False,
          "thresh": -30.0}
    one, two = fresh(), fresh()
    run_batch(*base, (phi1 + 0.7 * phi2)[None, :], w1, -1, np.zeros(n_steps), *one, **kw)
    run_batch(*base, np.stack([phi1, 0.7 * phi2])[None], np.stack([w1, w1]), -1,
              np.zeros(n_steps), *two, **kw)
    np.testing.assert_allclose(two[0], one[0], rtol=0, atol=1e-9)
    c, p = fresh(), fresh()
    sources = np.stack([phi1, phi2])[None]
    out_c = run_batch(*base, sources, np.stack([w1, w2]), -1, np.zeros(n_steps), *c, **kw)
    out_p = run_batch_numpy(*base, sources, np.stack([w1, w2]), -1, np.zeros(n_steps), *p,
                            thresh=-30.0)
    np.testing.assert_allclose(c[0], p[0], rtol=0, atol=1e-8)
    np.testing.assert_allclose(out_c["peak"], out_p["peak"], atol=1e-8)
    assert np.max(out_c["peak"]) > -30.0  # the strong case fires


def test_mismatched_sources_are_refused() -> None:
    from estim.fibers.kernel import as_sources

    with pytest.raises(ValueError, match="2 potential sources but 3 waveforms"):
        as_sources(np.zeros((1, 2, 5)), np.zeros((3, 10)))


@pytest.mark.parametrize("model", ["mrg", "sweeney"])
def test_a_member_is_integrated_as_if_alone(model: str) -> None:
    """The kernel runs several members side by side on a thread (lanes), and a lane whose
    member stops early takes the next. A member's result must not depend on its
    companions: a batch of 11 members on 3 fibers (more than the lanes, stopping at
    different steps, with recording) gives bit for bit what each member gives alone."""
    from estim.fibers.kernel import LANES

    fibers = [make_fiber(model, d, n_nodes=11) for d in (7.3e-6, 10e-6, 12e-6)]
    rest = initial_state(fibers)
    n_steps, dt_ms = 400, 0.002
    phis = np.stack([point_source_potential(f.points(), (0, 1e-3, 0), 0.2) * 1e3
                     for f in fibers])
    wave = sample_waveform(RectangularPulse(6e-5), dt_ms * 1e-3, n_steps)
    amps = np.geomspace(0.1e-3, 5e-3, 11)
    fib = np.arange(amps.size, dtype=np.int64) % 3
    assert amps.size > LANES

    def go(members: np.ndarray) -> dict[str, np.ndarray]:
        f0 = fibers[0]
        state = [np.ascontiguousarray(x[fib[members]]) for x in rest]
        out = run_batch(f0.code, f0.kinetic_constants(), dt_ms, n_steps, f0.v_rest_mv,
                        _stack(fibers), f0.active_index, 5, fib[members], amps[members],
                        phis, wave, -1, np.zeros(n_steps), *state, quiet_step=60,
                        quiet_mv=5.0, stop_on_detect=True, thresh=-30.0, rec_every=7,
                        n_rec=n_steps // 7)
        return {**out, "vm": state[0], "w": state[1], "st": state[2]}

    batch = go(np.arange(amps.size))
    assert len(set(batch["steps"].tolist())) > 3  # members stop at different steps
    for b in range(amps.size):
        alone = go(np.array([b]))
        for key, val in alone.items():
            np.testing.assert_array_equal(batch[key][b], val[0], err_msg=f"{key}, member {b}")


def test_a_run_that_leaves_the_finite_range_is_an_error_not_a_silent_result() -> None:
    """Far beyond any stimulator (1e307 A on a point source) the cable equations overflow.
    The kernel divides without raising (a zero divisor gives inf, as IEEE does), so a
    diverging member must not pass for one that simply did not fire: the run is refused,
    naming the amplitude and how many of the batch's runs diverged; the same fiber at a
    finite amplitude still fires."""
    fiber = make_fiber("mrg", 10e-6, n_nodes=11)
    ok = simulate(fiber, lambda p: point_source_potential(p, (0, 1e-3, 0), 0.2),
                  RectangularPulse(1e-4), [2e-3])
    with pytest.raises(InputError, match=r"amplitude.*1e\+307 A.*1 of 2 runs"):
        simulate(fiber, lambda p: point_source_potential(p, (0, 1e-3, 0), 0.2),
                 RectangularPulse(1e-4), [2e-3, 1e307])
    assert ok.activated.all()


def test_gating_rates_are_hodgkin_huxleys_closed_forms() -> None:
    """The kernel advances each gate as inf + (s - inf)·exp(-dt·k) with k = α + β
    (:func:`estim.fibers.kinetics.gates`). At rest (-65 mV, φ = 1 at 6.3 °C) Hodgkin &
    Huxley 1952 give α_m = 2.5/(e^2.5 - 1), β_m = 4; α_h = 0.07, β_h = 1/(e^3 + 1);
    α_n = 0.1/(e - 1), β_n = 0.125, written out here apart from the code. 1e-12: the same
    arithmetic up to rounding."""
    from estim.fibers.kinetics import gates, kinetic_constants, rates

    e = np.exp
    ab = [(2.5 / (e(2.5) - 1.0), 4.0), (0.07, 1.0 / (e(3.0) + 1.0)), (0.1 / (e(1.0) - 1.0), 0.125)]
    kin = kinetic_constants(3, 6.3)
    g = gates(3, -65.0, kin)
    for q, (a, b) in enumerate(ab):
        assert g[q] == pytest.approx(a / (a + b), rel=1e-12)
        assert g[4 + q] == pytest.approx(a + b, rel=1e-12)
    inf, tau = np.empty(4), np.empty(4)
    rates(3, -65.0, kin, inf, tau)
    np.testing.assert_allclose(tau[:3], [1.0 / (a + b) for a, b in ab], rtol=1e-12)


def test_a_time_constant_that_underflows_is_an_infinite_rate_not_an_error() -> None:
    """Far above rest Sundt's K-DR time constant underflows to 0 (its exp clips at -100):
    the rate is infinite, the gate takes its steady state, and nothing raises (a raise
    inside a ``prange`` thread would leave that thread's members unintegrated)."""
    from estim.fibers.kinetics import gates, kinetic_constants

    g = gates(2, 3000.0, kinetic_constants(2, 32.0))
    assert np.isinf(g[6]) and g[2] == 1.0  # exp(-dt·inf) = 0: one step lands on inf


def test_thresholds_do_not_depend_on_the_thread_count() -> None:
    """The tests run one numba thread per xdist worker (tests/conftest.py), so the kernel's
    split of a batch between threads is checked here, in a process of its own with two:
    the same six fibers' thresholds with one thread and with two are the same numbers
    (each fiber is integrated alone, whichever thread's chunk holds it)."""
    code = """
import numba, numpy as np
from estim.fibers import RectangularPulse, find_thresholds, make_fiber, point_source_potential
fibers = [make_fiber("mrg", d, n_nodes=21) for d in (5.7e-6, 7.3e-6, 8.7e-6, 10e-6, 11.5e-6,
                                                      12.8e-6)]
phis = [point_source_potential(f.points(), (0.0, 1.5e-3 + 2e-4 * k, 0.0), 0.2)
        for k, f in enumerate(fibers)]
out = []
for n in (1, 2):
    numba.set_num_threads(n)
    out.append(find_thresholds(fibers, phis, RectangularPulse(1e-4)).threshold_a)
print(numba.get_num_threads(), np.array_equal(out[0], out[1]), np.all(np.isfinite(out[0])))
"""
    env = {**os.environ, "NUMBA_NUM_THREADS": "2"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env)
    assert done.stdout.split() == ["2", "True", "True"], done.stderr[-2000:]
