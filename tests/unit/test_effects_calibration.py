"""The arithmetic behind the calibration targets (estim.effects.calibration)."""

from __future__ import annotations

import numpy as np
import pytest

from estim.effects.calibration import CALIBRATION_TARGETS, pooled_cv


def test_pooled_cv_is_the_cv_of_the_pooled_sample():
    """Two groups given as (n, mean, SD) pool to the SD / mean of all their values together:
    built from samples with exactly those moments, compared with numpy."""
    rng = np.random.default_rng(3)

    def sample(n: int, mean: float, sd: float) -> np.ndarray:
        x = rng.normal(size=n)
        return mean + sd * (x - x.mean()) / x.std(ddof=1)  # exactly mean, SD (n - 1)

    a, b = sample(205, 8.78, 2.11), sample(49, 11.20, 3.29)
    both = np.concatenate([a, b])
    expected = both.std(ddof=1) / both.mean()
    # the same sums of squares in another order: float rounding only
    assert pooled_cv(((205, 8.78, 2.11), (49, 11.20, 3.29))) == pytest.approx(expected,
                                                                               rel=1e-12)


def test_pooled_cv_of_one_group_and_of_equal_groups():
    assert pooled_cv(((10, 5.0, 1.0),)) == pytest.approx(0.2, rel=1e-12)
    # two groups with the same mean and SD: only the n - 1 denominators differ
    n = 10
    assert pooled_cv(((n, 5.0, 1.0), (n, 5.0, 1.0))) == pytest.approx(
        0.2 * np.sqrt(2 * (n - 1) / (2 * n - 1)), rel=1e-12)


def test_detection_spread_target_is_the_254_people():
    target = next(t for t in CALIBRATION_TARGETS if t.name == "detection_spread")
    # 2.56 mA / 9.25 mA, worked by hand from the two groups' means and SDs
    assert target.value == pytest.approx(0.27696, abs=5e-5)


def test_a_count_beyond_the_afferents_under_the_pad_is_flagged():
    from estim.effects.calibration import (
        CALIBRATED_COUNTS,
        counts_out_of_range,
        criteria_from_counts,
    )

    # 5 x 5 cm forearm pads: 377 Aβ under and around the cathode, both counts reachable
    assert counts_out_of_range(CALIBRATED_COUNTS, {"abeta": 377.0}) == []
    # 2.5 x 2.5 cm: 94 Aβ, fewer than either count: both capped at all of them, both said
    notes = counts_out_of_range(CALIBRATED_COUNTS, {"abeta": 94.0})
    assert len(notes) == 2 and all("94" in n and "outside" in n for n in notes)
    crit = criteria_from_counts(CALIBRATED_COUNTS, {"abeta": 94.0, "adelta": 94.0})
    assert crit.sensory_abeta_fraction == crit.strong_abeta_fraction == 1.0
    # between the two counts (167 and 318): only strong tingling is out of range
    only = counts_out_of_range(CALIBRATED_COUNTS, {"abeta": 185.0})
    assert len(only) == 1 and only[0].startswith("strong tingling")


def test_calibration_runs_on_the_draw_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """``seed=`` reaches the fibers of every calibration (the sensation window of the
    forearm, the motor axons of the thigh), so a draw other than the stored values' seed 0
    can be calibrated on its own (``benchmarks/sensation_window.py --seeds N
    --recalibrate``); the default is seed 0, whose values are stored."""
    from types import SimpleNamespace

    import estim.effects.populations as populations
    import estim.effects.program as program
    import estim.effects.window as window
    from estim.effects.calibrate import calibration_window, quarter_mvc_current

    seen: list[int] = []
    # no field is solved: the pads' field is not what this checks
    setup = SimpleNamespace(channels=[SimpleNamespace(cathode=None)], site=None)
    monkeypatch.setattr(program, "channel_setup", lambda *a, **k: (setup, None, None, None))

    class Stop(Exception):
        pass

    def record(*args: object, seed: int = 0, **kwargs: object) -> None:
        seen.append(seed)
        raise Stop

    monkeypatch.setattr(window, "sensation_window", record)
    monkeypatch.setattr(populations, "sample_fiber_populations", record)
    for call in (lambda: calibration_window(seed=3), calibration_window,
                 lambda: quarter_mvc_current(seed=4), quarter_mvc_current):
        with pytest.raises(Stop):
            call()
    assert seen == [3, 0, 4, 0]
