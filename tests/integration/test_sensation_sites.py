"""Bony and fleshy sites against people (issue 8): Hughes, Bennett & Johnson (2013, Clin J
Pain 29:146) found the TENS current window (pain threshold − detection threshold) wider over
the muscle of the lower back than over the bone of the tibia, by 12.10 mA (95 % CI 1.65 to
22.52), and wider over the knee than over the tibia, by 12.76 mA (4.25 to 21.28). The
model's window narrows over the shin because its periosteal Aδ, under 3.5 mm of soft
tissue, add to the skin's when pain is counted; without them the two sites' windows differ
by less than half as much (34.7 against 41.2 mA, +6.5; +16.1 with them). How many
periosteal Aδ there are per skin
Aδ is calibrated on those two differences (docs/effects.md, "Bony and fleshy sites")."""

from __future__ import annotations

import warnings
from functools import cache

import pytest

from estim.effects.anatomy import PERIOSTEAL_DENSITY_RATIO
from estim.effects.calibrate import (
    calibrate_periosteal_density,
    hughes_program,
    hughes_window_differences,
)
from estim.effects.calibration import HUGHES_CALIBRATION_PAIRS, HUGHES_WINDOW_DIFFERENCES
from estim.effects.window import SensationWindow, pain_threshold
from estim.simulate import simulate

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@cache
def _window(label: str) -> SensationWindow:
    """The window of conventional TENS's pads and pulses at one of Hughes et al.'s sites."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fx = simulate(hughes_program(label)).effects
    assert fx is not None and fx.window is not None
    return fx.window


def _window_ma(w: SensationWindow, periosteal_ratio: float | None = None) -> float:
    pain = pain_threshold(w.classes, w.criteria, periosteal_ratio=periosteal_ratio)
    return (pain - w.sensory_a) * 1e3  # [A -> mA]


def test_the_window_over_the_shin_is_narrower_than_over_the_back_because_of_the_bone():
    """Without the periosteum (a density of 0) the shin's window is narrower than the
    back's by less than half of what it is with it (34.7 against 41.2 mA, +6.5: the skin's
    own thresholds differ between a patch on bone and the back's layers; with the
    periosteum +16.1), so most of the site's difference is the bone's; with it the shin's
    window narrows by more than half Hughes's difference. The back's bone, 62 mm deep,
    changes nothing there at any density. (Until 6 December 2026, with the pain fraction
    0.768, the bare shin was within 15 % of the back, 34.7 against 38.0 mA: one more
    sampled Aδ of the back's 60 at 0.781 widened its window by 3.2 mA.)"""
    back, tibia = _window("lower back"), _window("tibia")
    mean = HUGHES_WINDOW_DIFFERENCES[0][2]
    assert HUGHES_WINDOW_DIFFERENCES[0][:2] == ("lower back", "tibia")
    bare = _window_ma(tibia, 0.0)
    assert _window_ma(back) - bare < 0.5 * (_window_ma(back) - _window_ma(tibia)), (back, bare)
    assert bare - _window_ma(tibia) > 0.5 * mean, (bare, _window_ma(tibia))
    assert _window_ma(back, 0.0) == pytest.approx(_window_ma(back, 2.0), rel=1e-9)


def test_stored_periosteal_density_is_what_hughes_gives():
    """The stored density is what the calibration on Hughes's two differences against the
    tibia gives (to its 0.05), and with it both lie inside the study's 95 % CIs. The two
    against the forearm are validation and not asserted: the model's forearm window is too
    wide (docs/effects.md, "Still wrong: the forearm")."""
    windows = {label: _window(label) for pair in HUGHES_CALIBRATION_PAIRS for label in pair}
    assert calibrate_periosteal_density(windows) == PERIOSTEAL_DENSITY_RATIO
    got = hughes_window_differences(windows)
    for a, b, _, lo, hi in HUGHES_WINDOW_DIFFERENCES:
        if (a, b) in HUGHES_CALIBRATION_PAIRS:
            assert lo < got[(a, b)] < hi, (a, b, got[(a, b)])
