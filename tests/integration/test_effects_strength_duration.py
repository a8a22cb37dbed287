"""Strength–duration of the predicted sensory and motor thresholds against human data
(Mogyoros, Kiernan & Burke 1996: median nerve, sensory τ = 665 ± 182 µs, motor 459 ± 126 µs).

What the model gets right and wrong is asserted, so that a change in either direction is
noticed and the documentation (docs/effects.md) is updated with it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from estim.effects.strength_duration import weiss_fit, window_strength_duration

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_weiss_fit_recovers_a_known_law():
    d = np.array([50e-6, 100e-6, 200e-6, 500e-6, 1e-3])
    b, tau = 2e-3, 400e-6
    assert weiss_fit(d, b * (1 + tau / d)) == pytest.approx((b, tau), rel=1e-12)


def test_sensory_and_motor_time_constants_against_mogyoros_1996():
    from estim.fields.program import fields_for_program
    from estim.program import load_program
    from tests.conftest import EXAMPLES

    program = load_program(next(p for p in EXAMPLES if p.stem == "tens_acupuncture"))
    pf = fields_for_program(program)  # forearm, 5 x 5 cm pads over the volar forearm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # clamped fiber diameters: documented model limit
        sd = window_strength_duration(pf.channels[0], site=pf.site,
                                      counts={"abeta": 24, "motor": 24}, seed=1)
    cmp = sd.comparison()
    # Both thresholds fall with pulse width (strength-duration holds).
    assert np.all(np.diff(sd.sensory_a) < 0) and np.all(np.diff(sd.motor_a) < 0)
    # Motor τ: within 2 SD of the human mean (measured: ~0.5 ms).
    assert abs(cmp["motor"]["z_score"]) < 2.0
    # Sensory τ: the model DISAGREES. Human sensory axons have a longer τ than motor (more
    # persistent Na+ conductance, Bostock & Rothwell 1997); the MRG model gives sensory and
    # motor axons the same membrane, and the sensory fibers lie next to the electrode, which
    # shortens their τ. The model's sensory τ is below the human mean and below its own
    # motor τ; if this assertion ever fails, the model has improved: update docs/effects.md.
    assert cmp["sensory"]["model_time_constant_s"] < cmp["sensory"]["human_mean_s"]
    assert cmp["sensory"]["model_time_constant_s"] < cmp["motor"]["model_time_constant_s"]
