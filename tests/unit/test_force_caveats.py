"""The force figures' caveats hold for the force model they qualify."""

from __future__ import annotations

import pytest

from estim.effects.muscle import force_frequency
from estim.effects.muscle_params import DING_2003_QUADRICEPS
from estim.report.page import FUSED_HZ, FUSION_HZ, force_caveats


def test_above_full_fusion_more_pulses_add_little_force() -> None:
    """The 200 Hz caveat says more pulses add little force: in Ding et al.'s model the
    fused force at 200 Hz is within 5 % of 100 Hz's (311 and 322 N), where 20 Hz's is
    a quarter below it; a model change that broke this would make the caveat wrong."""
    f20, f100, f200 = force_frequency([20.0, FUSED_HZ, 200.0], params=DING_2003_QUADRICEPS,
                                      backend="python").peak_force_N
    assert f200 / f100 == pytest.approx(1.0, abs=0.05)
    assert f20 / f100 < 0.8


@pytest.mark.parametrize(("rate", "said"), [(1.0, "do not fuse"), (50.0, None),
                                            (100.0, None), (200.0, "long fused")])
def test_the_rate_is_remarked_below_fusion_and_above_full_fusion(rate: float,
                                                                 said: str | None) -> None:
    words = " ".join(force_caveats({"pulse_rate_hz": rate}))
    assert (said in words) if said else words == ""
    assert FUSION_HZ < 50.0 < FUSED_HZ


def test_russian_currents_volleys_are_its_bursts() -> None:
    """"At 10 pulses a second" of Russian current, whose volleys are its bursts (hostile
    probe of 7 December 2026)."""
    said = force_caveats({"pulse_rate_hz": 10.0, "carrier_hz": 2500.0})[0]
    assert said.startswith("At 10 bursts a second the twitches do not fuse: each burst makes")
