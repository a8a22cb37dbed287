"""Pulse width against the window, as people show it (issue 8): sensory < motor < pain at
every width from 50 µs to 1 ms, and the window (pain ÷ sensory) wider for shorter pulses
(Alon, Allin & Inbar 1983), at a fleshy site (the lower back) and over the forearm's
nerves, under the bundled programs' own pads at the calibration's 100 pulses/s.

With 960 afferents instead of the run's 60 both sites widen too (+11 % and +5 %; the knee
narrows, the model's own trend: docs/effects.md, "Where the model still disagrees"), so
this holds of the model, not of seed 0's draw alone."""

from __future__ import annotations

import warnings

import pytest

from estim.effects.calibration import CALIBRATION_RATE_HZ
from estim.effects.program import channel_setup
from estim.effects.window import sensation_window
from estim.program.bundled import resolve_program
from estim.program.options import PulseShape
from estim.waveforms.build import biphasic_pulse, regular_train, stimuli_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: The ends of the range: the middle widths are in docs/effects.md's table (the benchmark);
#: each width is a cold window of every class, so the test keeps to the two that bound it.
WIDTHS_S = (50e-6, 1000e-6)


def _windows(example: str) -> list[tuple[float, float, float]]:
    program = resolve_program(example)[0]
    pf = channel_setup(program, stimuli_for(program))[0]
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for width in WIDTHS_S:
            stim = regular_train(biphasic_pulse(PulseShape.SYMMETRIC_BIPHASIC, width),
                                 CALIBRATION_RATE_HZ)
            w = sensation_window("pw", stim, pf.channels[0], 1.0, site=pf.site)
            out.append((w.sensory_a, w.motor_a, w.pain_a))
    return out


@pytest.mark.parametrize("example", ["tens_conventional", "tens_acupuncture"])
def test_order_and_alon_across_pulse_widths(example):
    rows = _windows(example)
    for (sensory, motor, pain), width in zip(rows, WIDTHS_S, strict=True):
        assert sensory < motor < pain, (example, width, sensory, motor, pain)
    short, long = (pain / sensory for sensory, _, pain in rows)
    # Alon et al.: the window narrows as the pulse lengthens. Measured (docs/effects.md):
    # 10.36 at 50 µs and 8.18 at 1 ms at the back, 14.40 and 6.65 over the forearm (since
    # the pain criterion's recalibration at 150 µs, 6 December 2026); a sampled fiber moves
    # a ratio by ~2 %, so the narrowing must be more. The knee and the thigh go the other
    # way (docs/effects.md, "Where the model still disagrees"), not tested here: two widths
    # of every example are ~20 cold runs.
    assert long < short * 0.98, (example, short, long)
