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
    from estim.effects.program import channel_setup
    from estim.program import load_program
    from estim.waveforms import stimuli_for
    from tests.conftest import EXAMPLES

    program = load_program(next(p for p in EXAMPLES if p.stem == "tens_acupuncture"))
    # forearm, 5 x 5 cm pads over the volar forearm, with the skin interface of estim run
    pf, _, _, _ = channel_setup(program, stimuli_for(program))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # clamped fiber diameters: documented model limit
        sd = window_strength_duration(pf.channels[0], site=pf.site,
                                      counts={"abeta": 24, "motor": 24}, seed=1)
    cmp = sd.comparison()
    # Both thresholds fall with pulse width (strength-duration holds).
    assert np.all(np.diff(sd.sensory_a) < 0) and np.all(np.diff(sd.motor_a) < 0)
    # Both time constants lie within 2 SD of the human means (measured with the skin
    # interface of estim run: sensory ~0.50 ms, z = -0.9; motor ~0.48 ms, z = +0.2).
    assert abs(cmp["motor"]["z_score"]) < 2.0
    assert abs(cmp["sensory"]["z_score"]) < 2.0
    # The model DISAGREES on the difference: humans show sensory τ ~45 % longer than motor
    # (more persistent Na+ conductance in sensory axons, Bostock & Rothwell 1997); the MRG
    # membrane is the same for both, and the model's ratio is close to 1. If this assertion
    # ever fails, the model has improved: update docs/effects.md.
    human_ratio = cmp["sensory"]["human_mean_s"] / cmp["motor"]["human_mean_s"]
    model_ratio = (cmp["sensory"]["model_time_constant_s"]
                   / cmp["motor"]["model_time_constant_s"])
    assert model_ratio < 0.5 * (1.0 + human_ratio)
