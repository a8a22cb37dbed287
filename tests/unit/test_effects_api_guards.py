"""The effects results refuse what they would misread from a Python caller (a researcher's
probe of 7 December 2026: NaN and -1 had no virtual subject feeling anything, a NaN
fraction gave the first fiber's threshold; a result's repr ran to 2.5 million
characters)."""

from __future__ import annotations

import numpy as np
import pytest

from estim.effects.populations import FiberClass
from estim.effects.sensation import Band, ThresholdBands, checked_current
from estim.effects.window import ClassThresholds
from estim.errors import InputError


def _class() -> ClassThresholds:
    thr = np.array([3e-3, 1e-3, np.inf, 2e-3])
    return ClassThresholds(FiberClass.A_BETA, thr, np.full(4, 1e-3), np.full(4, 8e-6), "mrg",
                           points_m=tuple(np.zeros((500, 3)) for _ in range(4)))


def test_amplitude_for_a_fraction_and_its_refusals() -> None:
    c = _class()
    assert c.amplitude_for(0.0) == pytest.approx(1e-3)  # the first fiber's threshold
    assert c.amplitude_for(0.5) == pytest.approx(2e-3)  # 2 of 4
    assert c.amplitude_for(1.0) == np.inf  # the fourth is never reached
    for bad in (float("nan"), -0.5, "0.5"):
        with pytest.raises(InputError, match=r"fraction: got .*expected a fraction of the "
                                             r"class, 0 or more"):
            c.amplitude_for(bad)  # type: ignore[arg-type]


def test_a_class_reads_in_one_line() -> None:
    text = repr(_class())
    assert text == "ClassThresholds('abeta', 4 fibers, mrg, 3 reached, lowest 1 mA)", text


@pytest.mark.parametrize("amps", [float("nan"), -1.0, "25 mA", True])
def test_a_sensation_question_takes_a_current_in_amperes(amps: object) -> None:
    band = Band(1e-3, 2e-3, 3e-3)
    bands = ThresholdBands(2, band, band, band, band,
                           per_subject={k: (2e-3, 3e-3) for k in ("sensory", "strong",
                                                                  "motor", "pain")})
    with pytest.raises(InputError, match=r"amplitude_a: got .*expected a peak current in A"):
        bands.sensations_at(amps)  # type: ignore[arg-type]
    assert checked_current(0.0) == 0.0
    assert sum(bands.sensations_at(0.0025).values()) == 2
