"""Mogyoros, Kiernan & Burke (1996) in their own configuration: the median nerve at the wrist
under a surface cathode, compound sensory and motor thresholds at 30 % of the axons, Weiss
fits (estim.effects.nerve_trunk; docs/strength_duration.md).

Issue 8's bar: each τSD within 1 SD of Mogyoros's mean, the sensory one the longer.
"""

from __future__ import annotations

import doctest
from dataclasses import replace

import numpy as np
import pytest

from estim.effects import nerve_trunk
from estim.effects.nerve_trunk import (
    MOTOR_AXONS,
    SENSORY_AXONS,
    AxonClass,
    MedianNerveAtWrist,
    median_nerve_strength_duration,
)
from estim.errors import InputError

pytestmark = [pytest.mark.integration]


def test_docstring_example_runs():
    result = doctest.testmod(nerve_trunk, verbose=False)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(("changes", "field"), [
    ({"criterion_fraction": 1.3}, "criterion_fraction"),
    ({"nerve_depth_m": 1e-3}, "nerve_depth_m"),
    ({"pulse_widths_s": (1e-3, 5e-4, 2e-4)}, "pulse_widths_s"),
    ({"electrode_diameter_m": 0.5}, "electrode_diameter_m"),
])
def test_bad_configuration_names_the_field(changes, field):
    with pytest.raises(InputError, match=field):
        MedianNerveAtWrist(**changes)


def test_bad_axon_class_names_the_field():
    with pytest.raises(InputError, match=r"motor\.diameter_range_m"):
        AxonClass("motor", False, (9e-6, 30e-6), 12e-6, 1e-6, 24, "")
    with pytest.raises(InputError, match=r"sensory\.count"):
        AxonClass("sensory", True, (7e-6, 14e-6), 10e-6, 1e-6, 2, "")


@pytest.fixture(scope="module")
def predicted(tmp_path_factory):
    # 16 sensory and 16 motor axons (seed 0), thresholds to 1 %: the test's cache is cold,
    # so this is the FEM solve (~20 s) and 192 threshold searches: 67-81 s in all on the
    # 2-core development machine while other jobs ran. The documented prediction
    # (docs/strength_duration.md) uses 24 + 24 axons to 0.5 % (sensory 805 µs, motor
    # 527 µs) and 64 + 64 give 788 and 514 µs; 16 axons, seeds 0-3, give sensory 823, 835,
    # 814, 818 µs and motor 515, 531, 514, 531 µs: the small sample reads the sensory τ
    # 26-47 µs longer than 64 axons do, a quarter of the human SD at most.
    # (a module fixture is set up before the per-test cache isolation of conftest: point
    # it at the test run's own cache folder here, never at the user's)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ESTIM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        return median_nerve_strength_duration(MedianNerveAtWrist(
            sensory=replace(SENSORY_AXONS, count=16), motor=replace(MOTOR_AXONS, count=16),
            precision=0.01))


@pytest.mark.slow
def test_time_constants_against_mogyoros_in_their_configuration(predicted):
    cmp = predicted.comparison(n_bootstrap=500)
    for name in ("sensory", "motor"):
        c = getattr(predicted, name)
        # strength-duration holds: the compound threshold falls with every longer pulse
        assert np.all(np.diff(c.compound_a) < 0), name
        # the nearer axons fire first: threshold rises with depth in the nerve (the nerve
        # is 3.4 mm across, a third of the cathode distance; measured r = 0.78-0.86)
        r = np.corrcoef(c.depth_m, np.log(c.axon_a[:, 2]))[0, 1]
        assert r > 0.5, (name, r)
    # The bar is 1 SD of the human values, the between-subject spread Mogyoros
    # measured: a prediction inside it is as close to the mean as a typical person is.
    # Measured: sensory z = +0.87 (823 µs), motor z = +0.44 (515 µs); the sensory margin
    # is 0.13 SD, about the sampling bias of 16 axons (see the fixture).
    assert abs(cmp["sensory"]["z_score"]) < 1.0, cmp["sensory"]
    assert abs(cmp["motor"]["z_score"]) < 1.0, cmp["motor"]
    # The sensory axons have the longer τ, as in people (665 / 459 = 1.45; here 1.60). The
    # sensory node was calibrated on that ratio for one axon near a point source; the
    # bundle under a surface cathode is a different geometry, so this is a check.
    assert cmp["ratio"] > 1.2, cmp["ratio"]
    # Resampling the axons (bootstrap) moves τ by well under the human SD: measured 29 µs
    # (sensory) and 8 µs (motor) here, 26-56 and 8-11 µs over seeds 0-3 of 16 axons.
    for name in ("sensory", "motor"):
        assert cmp[name]["bootstrap_sd_s"] < cmp[name]["human_sd_s"] / 3, cmp[name]
