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
