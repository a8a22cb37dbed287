"""Thresholds and conduction velocities against NEURON (PyFibers 0.13 / NEURON 9.0.2).

Tolerances: 3 % on thresholds, 5 % on velocities, at estim's default time step and 1 %
precision. NEURON reports the upper bound of a 1 % bisection run at dt = 1 µs; ours is the
upper bound of our own 1 % bisection at dt = 2 µs, so up to ~1 % of the 3 % is bracket
placement and ~0.5 % is time step (docs/fibers.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from estim.fibers import (
    RectangularPulse,
    conduction_velocity,
    find_thresholds,
    make_fiber,
    point_source_potential,
    simulate,
    strength_duration,
)
from estim.fibers.tables import HH
from tests.conftest import REFERENCE_DIR

REF_PATH = REFERENCE_DIR / "neuron_fibers.json"
REF = json.loads(REF_PATH.read_text())


def _pot(distance_m: float):
    return lambda p: point_source_potential(p, (0.0, distance_m, 0.0), 0.2)


def _case_id(c: dict) -> str:
    return f"{c['model']}-{c['diameter_um']}um-{c['pulse_width_ms']}ms"


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=_case_id(c),
                  marks=[pytest.mark.slow] if c["model"] == "SUNDT" else [])
     for c in REF["cases"]],
)
def test_threshold_matches_neuron(case: dict) -> None:
    fiber = make_fiber(case["model"].lower(), case["diameter_um"] * 1e-6)
    res = find_thresholds(fiber, _pot(case["distance_um"] * 1e-6),
                          RectangularPulse(case["pulse_width_ms"] * 1e-3))
    thr_ua = res.threshold_a[0] * 1e6
    assert thr_ua == pytest.approx(case["threshold_uA"], rel=0.03)
    assert res.lower_a[0] < res.threshold_a[0] <= res.lower_a[0] * 1.0101


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=f"{c['model']}-{c['diameter_um']}um",
                  marks=[pytest.mark.slow] if c["model"] == "SUNDT" else [])
     for c in REF["conduction_velocity_m_per_s"]],
)
def test_conduction_velocity_matches_neuron(case: dict) -> None:
    cv = conduction_velocity(make_fiber(case["model"].lower(), case["diameter_um"] * 1e-6))
    assert cv == pytest.approx(case["cv"], rel=0.05)


def test_hodgkin_huxley_velocity_is_the_classic_value() -> None:
    # HH1952 computed 18.8 m/s for the 238 µm-radius axon at 18.5 °C; 5 % tolerance covers
    # the spatial (100 µm) and temporal (2 µs) discretisation.
    fiber = make_fiber("hh", 2 * float(HH["radius"]) * 1e-6)
    assert conduction_velocity(fiber) == pytest.approx(float(HH["cv_computed"]), rel=0.05)


def test_virtual_anode_block_window_and_lowest_threshold() -> None:
    fiber = make_fiber("mrg", 10e-6)
    pot = _pot(1e-3)
    amps = np.array([0.05, 0.1, 0.2, 0.4, 0.7, 1.0, 1.5, 2.0]) * 1e-3
    r = simulate(fiber, pot, RectangularPulse(1e-3), amps)
    np.testing.assert_array_equal(r.activated[0], [1, 1, 1, 1, 1, 0, 0, 1])
    np.testing.assert_array_equal(r.blocked[0], [0, 0, 0, 0, 0, 1, 1, 0])
    # in the block window only the nodes under the electrode (24–26) fire
    fired = np.flatnonzero(r.n_crossings[0, 5] > 0)
    assert set(fiber.active_index[fired]) <= set(fiber.node_index[[24, 25, 26]])
    res = find_thresholds(fiber, pot, RectangularPulse(1e-3), probe_block=True)
    assert res.threshold_a[0] < 0.05e-3
    assert res.initiation_nodes[0] == [25]
    (lo, hi), = res.block_windows_a[0]
    assert 0.7e-3 < lo <= hi < 2.0e-3


def test_interpolated_diameters_are_continuous() -> None:
    # 10 µm uses the table row; 9.95 and 10.05 µm use the interpolation fits. The same
    # 3 % bar holds across the seam.
    pot = _pot(1e-3)
    fibers = [make_fiber("mrg", d) for d in (9.95e-6, 10e-6, 10.05e-6)]
    thr = find_thresholds(fibers, pot, RectangularPulse(1e-4)).threshold_a
    assert thr[0] == pytest.approx(thr[1], rel=0.03)
    assert thr[2] == pytest.approx(thr[1], rel=0.03)
    assert thr[0] > thr[2]  # thicker fibers have lower thresholds


def test_strength_duration_is_consistent_with_the_reference() -> None:
    fiber = make_fiber("mrg", 10e-6)
    pws = np.array([0.05, 0.1, 0.2, 0.5]) * 1e-3
    sd = strength_duration(fiber, _pot(1e-3), pws)
    ref = {c["pulse_width_ms"]: c["threshold_uA"] for c in REF["cases"]
           if c["model"] == "MRG" and c["diameter_um"] == 10.0}
    for pw, thr in zip(pws, sd.thresholds_a, strict=True):
        assert thr * 1e6 == pytest.approx(ref[pw * 1e3], rel=0.03)
    assert np.all(np.diff(sd.thresholds_a) < 0)
    assert 0 < sd.rheobase_a < sd.thresholds_a[-1]
    assert 30e-6 < sd.chronaxie_s < 400e-6
    # the Weiss line is a fit, not the model: it stays within 8 % over 50–500 µs
    np.testing.assert_allclose(sd.predict(pws), sd.thresholds_a, rtol=0.08)


EXTRA = json.loads((Path(__file__).resolve().parents[1] / "data" /
                    "pyfibers_extra_points.json").read_text())


@pytest.mark.parametrize("case", EXTRA["cases"],
                         ids=lambda c: f"{c['model']}-{c['diameter_um']}um-{c['pulse_width_ms']}ms")
def test_threshold_off_the_reference_grid(case):
    """An interpolated diameter at another distance and width, against PyFibers/NEURON run
    by benchmarks/fibers.py (3 %: the issue's tolerance; NEURON's value is the upper bound
    of a 1 % bisection, estim's default precision is 1 %)."""
    fiber = make_fiber(case["model"].lower(), case["diameter_um"] * 1e-6)
    res = find_thresholds(fiber, _pot(case["distance_um"] * 1e-6),
                          RectangularPulse(case["pulse_width_ms"] * 1e-3))
    assert res.threshold_a[0] * 1e6 == pytest.approx(case["threshold_uA"], rel=0.03)
