"""Threshold search logic and strength–duration fit (fast: Sweeney, short fibers)."""

from __future__ import annotations

import numpy as np
import pytest

from estim.errors import InputError
from estim.fibers import (
    RectangularPulse,
    find_thresholds,
    fit_strength_duration,
    make_fiber,
    point_source_potential,
    recruitment,
    simulate,
)


def _pot(r: float):
    return lambda p: point_source_potential(p, (0.0, r, 0.0), 0.2)


def test_threshold_brackets_activation() -> None:
    fiber = make_fiber("sweeney", 10e-6, n_nodes=21)
    res = find_thresholds(fiber, _pot(1e-3), RectangularPulse(1e-4), precision=0.01)
    thr, lo = res.threshold_a[0], res.lower_a[0]
    assert lo < thr <= lo * 1.0101
    sim = simulate(fiber, _pot(1e-3), RectangularPulse(1e-4), [lo, thr])
    np.testing.assert_array_equal(sim.activated[0], [False, True])


def test_batching_fibers_gives_the_same_thresholds() -> None:
    fibers = [make_fiber("sweeney", d, n_nodes=21) for d in (8e-6, 12e-6)]
    both = find_thresholds(fibers, _pot(1e-3), RectangularPulse(1e-4)).threshold_a
    one = [find_thresholds(f, _pot(1e-3), RectangularPulse(1e-4)).threshold_a[0]
           for f in fibers]
    np.testing.assert_allclose(both, one, rtol=1e-12)
    assert both[1] < both[0]


def test_threshold_scales_with_distance_and_precision() -> None:
    fiber = make_fiber("sweeney", 10e-6, n_nodes=21)
    near = find_thresholds(fiber, _pot(0.5e-3), RectangularPulse(1e-4), precision=0.002)
    far = find_thresholds(fiber, _pot(1e-3), RectangularPulse(1e-4), precision=0.002)
    assert near.threshold_a[0] < far.threshold_a[0]
    with pytest.raises(InputError):
        find_thresholds(fiber, _pot(1e-3), RectangularPulse(1e-4), precision=0.0)


def test_weiss_fit_recovers_parameters() -> None:
    d = np.array([20e-6, 50e-6, 100e-6, 500e-6])
    b, c = fit_strength_duration(d, 2e-5 * (1 + 150e-6 / d))
    assert b == pytest.approx(2e-5)
    assert c == pytest.approx(150e-6)


def test_recruitment_is_monotone() -> None:
    fibers = [make_fiber("sweeney", d, n_nodes=21) for d in (6e-6, 9e-6, 12e-6)]
    rec = recruitment(fibers, _pot(1e-3), RectangularPulse(1e-4))
    assert rec.fraction[0] == 0.0 and rec.fraction[-1] == 1.0
    assert np.all(np.diff(rec.fraction) >= 0)


def test_a_fiber_that_never_fires_is_given_up_at_a_kilovolt() -> None:
    """A potential that is the same all along the fiber drives no current through it: the
    scan climbs without exciting and gives up once the applied potential reaches 1 kV (no
    stimulator puts that on a fiber; far beyond, the membrane equations leave any physical
    range), not at 1 kA."""
    fiber = make_fiber("sweeney", 10e-6, n_nodes=21)

    def flat(p: np.ndarray) -> np.ndarray:
        return np.full(len(np.atleast_2d(p)), 100.0)  # V/A at every compartment

    res = find_thresholds(fiber, flat, RectangularPulse(1e-4))
    assert np.isnan(res.threshold_a[0])
    assert res.lower_a[0] * 100.0 <= 1e3  # no run above 1 kV (here: none at all)


def test_a_capped_search_keeps_the_fibers_below_the_cap_and_gives_up_on_the_rest() -> None:
    """Fibers of 16, 10 and 4 µm 1 mm from a point source: capped between the thick ones'
    thresholds and the thin one's, the thick ones' thresholds are the uncapped search's and
    the thin one's is NaN, found in fewer runs; a cap just above a threshold that the scan
    would step over still finds it (the scan tries the cap itself)."""
    fibers = [make_fiber("sweeney", d, n_nodes=21) for d in (16e-6, 10e-6, 4e-6)]
    pot = _pot(1e-3)
    pulse = RectangularPulse(1e-4)
    free = find_thresholds(fibers, pot, pulse)
    thr = free.threshold_a
    assert thr[0] < thr[1] < thr[2]
    cap = 0.5 * (thr[1] + thr[2])
    capped = find_thresholds(fibers, pot, pulse, max_amplitude_a=cap)
    np.testing.assert_array_equal(capped.threshold_a[:2], thr[:2])
    assert np.isnan(capped.threshold_a[2])
    assert capped.n_simulations[2] < free.n_simulations[2]
    # a cap 0.1 % above the middle fiber's threshold: found at the cap or below it
    tight = find_thresholds(fibers[1], pot, pulse, max_amplitude_a=thr[1] * 1.001)
    assert free.lower_a[1] < tight.threshold_a[0] <= thr[1] * 1.001
    with pytest.raises(InputError, match="max_amplitude_a"):
        find_thresholds(fibers[0], pot, pulse, max_amplitude_a=0.0)


def _scripted(monkeypatch: pytest.MonkeyPatch, respond, runs: list[tuple[int, float]]):
    """Replace the kernel by ``respond(fiber, amplitude) -> (class, depolarisation mV)``
    (class 0 quiet, 1 excited short of the detection node, 2 propagated) and log every
    run as (fiber, amplitude)."""
    import estim.fibers.thresholds as T
    from estim.fibers.solver import detect_position, initial_state

    def run_group(fibers, phis, which, amps, wave, options, rest=None):
        f0 = fibers[0]
        act = f0.active_index
        det = detect_position(f0, options.detect_fraction)
        v_ss = initial_state(fibers)[0][:, act]
        n_cross = np.zeros((len(which), act.size), dtype=np.int64)
        peak = np.empty((len(which), act.size))
        for k, (i, a) in enumerate(zip(which, amps, strict=True)):
            runs.append((int(i), float(a)))
            cls, dv = respond(int(i), float(a))
            peak[k] = v_ss[i] + dv
            if cls == 2:
                n_cross[k, :] = 1
            elif cls == 1:
                n_cross[k, (det + act.size // 2) % act.size] = 1  # away from detection
        t_cross = np.where(n_cross > 0, 1e-4, np.nan)
        return {"t_cross": t_cross, "n_cross": n_cross, "peak": peak,
                "steps": np.zeros(len(which))}

    monkeypatch.setattr(T, "run_group", run_group)


def test_the_search_never_repeats_or_climbs_past_what_it_has_seen(monkeypatch) -> None:
    """Fiber 0's linear probe overshoots (its first step excites it); fiber 1 excites
    short of the detection node from 1.00 and propagates from 1.01, so its bisection for
    excitation sees propagation above the bracket it closes on. Each amplitude is run once,
    and once a fiber has reached what the search looks for no later run goes above it; the
    thresholds are those of the scripted responses within the precision (the old search
    ran fiber 0's first amplitude again and climbed fiber 1 to 1.25 x for propagation)."""
    def respond(fiber: int, a: float) -> tuple[int, float]:
        x = a / 1e-3  # threshold-relative amplitude (mA scale)
        if fiber == 0:  # sub-linear: the 1 mV probe extrapolates to 10 mV far too high
            return (2 if x >= 1.0 else 0), 2.0 * x
        cls = 2 if x >= 1.01 else 1 if x >= 1.0 else 0
        return cls, min(30.0, 10.0 * x / 0.55)  # scans 0.55 -> 1.1, which propagates

    runs: list[tuple[int, float]] = []
    _scripted(monkeypatch, respond, runs)
    fibers = [make_fiber("sweeney", 10e-6, n_nodes=21) for _ in range(2)]
    # the probe's amplitude is 1 mV over the largest |φ| (V/A): make it 0.05 mA
    phis = [np.full(f.n_compartments, 1e-3 / 0.05e-3) for f in fibers]
    res = find_thresholds(fibers, phis, RectangularPulse(1e-4), precision=0.02)
    assert 1e-3 <= res.threshold_a[0] <= 1.02e-3
    assert 1.01e-3 <= res.threshold_a[1] <= 1.01e-3 * 1.02
    for f in (0, 1):
        amps = [a for i, a in runs if i == f]
        assert len(set(amps)) == len(amps), f"fiber {f} ran an amplitude twice: {amps}"
        # after each propagating run, nothing goes above the lowest propagation seen
        for k, a in enumerate(amps):
            fired = [b for b in amps[:k] if respond(f, b)[0] == 2]
            assert not fired or a < min(fired), f"fiber {f} climbed past {min(fired)}: {amps}"


def test_a_climb_for_propagation_tries_the_cap(monkeypatch) -> None:
    """Excited short of the detection node from 1.00 mA, propagating from 1.05, searched up
    to 1.1 mA: the first step (1.002) excites, the step back up lands just below it, so the
    seen amplitude closes the excitation bracket without a run and the climb for
    propagation starts at once; it must try the cap (1.1) rather than step past it to
    1.25 x and give up (it did, before the climb re-checked the cap)."""
    def respond(fiber: int, a: float) -> tuple[int, float]:
        x = a / 1e-3
        cls = 2 if x >= 1.05 else 1 if x >= 1.0 else 0
        return cls, (0.5 / 1.002 if x < 0.1 else 20 / 1.99)

    runs: list[tuple[int, float]] = []
    _scripted(monkeypatch, respond, runs)
    fiber = make_fiber("sweeney", 10e-6, n_nodes=21)
    phi = [np.full(fiber.n_compartments, 1e-3 / 0.05e-3)]
    capped = find_thresholds(fiber, phi, RectangularPulse(1e-4), precision=0.01,
                             max_amplitude_a=1.1e-3)
    assert 1.05e-3 <= capped.threshold_a[0] <= 1.05e-3 * 1.01
    assert max(a for _, a in runs) <= 1.1e-3 * (1 + 1e-12)
    # its lowest excitation died out: one local response
    assert len(capped.block_windows_a[0]) >= 1
