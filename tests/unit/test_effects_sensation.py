"""Sensation window: criteria as data, ordering, and the motor threshold from the muscle model."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estim.effects import (
    DEFAULT_SENSATION_CRITERIA,
    SENSATION_CRITERIA_TABLE,
    EvidenceLevel,
    Recruitment,
    Sensation,
    classify_sensation,
    motor_threshold_fraction,
    twitch,
)
from estim.effects.sensation import maximal_force_N
from estim.errors import InputError

FMAX = 315.0  # N, order of the Ding 2003 quadriceps fused force


@pytest.mark.parametrize(("recruitment", "force", "expected"), [
    (Recruitment(), 0.0, "no sensation"),
    (Recruitment(abeta=0.01), 0.0, "light tingling"),
    (Recruitment(abeta=0.7), 0.0, "strong tingling, no contraction"),
    (Recruitment(abeta=0.9, motor=0.2), 30.0, "contraction, below pain"),
    (Recruitment(abeta=1.0, adelta=0.2, motor=0.5), 150.0, "painful"),
    (Recruitment(c=0.06), 0.0, "painful"),
])
def test_phrases(recruitment, force, expected):
    r = classify_sensation(recruitment, force_N=force, max_force_N=FMAX)
    assert r.phrase == expected
    assert r.reasons
    assert r.evidence_level is EvidenceLevel.MODEL_PREDICTION


def test_criteria_come_from_the_table():
    for row in SENSATION_CRITERIA_TABLE:
        assert getattr(DEFAULT_SENSATION_CRITERIA, row.name) == row.value
        assert row.source and row.unit == "dimensionless"


def test_without_force_the_motor_fraction_decides():
    below = classify_sensation(Recruitment(abeta=0.8, motor=0.03))
    above = classify_sensation(Recruitment(abeta=0.8, motor=0.2))
    assert below.sensation is Sensation.STRONG_TINGLING
    assert above.sensation is Sensation.CONTRACTION


def test_motor_threshold_from_the_muscle_model():
    frac = motor_threshold_fraction()
    # 2 % of ~311 N over a ~99.5 N full twitch ≈ 0.0625; the table's force-free fallback
    # (0.06) was chosen to match it
    assert frac == pytest.approx(0.0625, abs=0.002)
    # the fraction's definition: its twitch is the visible criterion's share of the maximal
    # force (the rested Ding force is proportional to the axons recruited). The check here
    # used to classify a force built from the fraction itself, true for any fraction
    # (review of 6 December 2026)
    f = twitch(recruited_fraction=frac).peak_force_N
    assert f == pytest.approx(DEFAULT_SENSATION_CRITERIA.visible_force_fraction
                              * maximal_force_N(), rel=1e-9)


def test_bad_input():
    with pytest.raises(InputError, match=r"recruitment\.abeta"):
        Recruitment(abeta=1.2)
    with pytest.raises(InputError, match="max_force_N"):
        classify_sensation(Recruitment(), force_N=10.0)
    with pytest.raises(InputError, match="force_N"):
        classify_sensation(Recruitment(), force_N=-1.0, max_force_N=100.0)


fractions = st.floats(0.0, 1.0)


@settings(max_examples=200, deadline=None)
@given(a=fractions, d=fractions, c=fractions, m=fractions, f=fractions,
       da=fractions, dd=fractions, dc=fractions, dm=fractions, df=fractions)
def test_more_recruitment_never_feels_less(a, d, c, m, f, da, dd, dc, dm, df):
    low = Recruitment(abeta=a, adelta=d, c=c, motor=m)
    high = Recruitment(abeta=min(1.0, a + da), adelta=min(1.0, d + dd), c=min(1.0, c + dc),
                       motor=min(1.0, m + dm))
    s_low = classify_sensation(low, force_N=f * FMAX, max_force_N=FMAX).sensation
    s_high = classify_sensation(high, force_N=min(1.0, f + df) * FMAX,
                                max_force_N=FMAX).sensation
    assert s_high.rank >= s_low.rank


def test_virtual_people_at_an_intensity_each_by_their_own_thresholds():
    """Each subject feels what its own thresholds say, pain first, then a contraction,
    strong and light tingling (classify_sensation's order); a threshold never reached
    (inf) is never crossed."""
    from estim.effects.sensation import Band, ThresholdBands
    from estim.program.options import Sensation

    band = Band(1.0, 2.0, 3.0)
    bands = ThresholdBands(5, band, band, band, band, per_subject={
        "sensory": (1.0, 1.0, 1.0, 5.0, 1.0),
        "strong": (2.0, 3.0, 9.0, 9.0, 2.0),
        "motor": (3.0, 9.0, 9.0, 9.0, math.inf),
        "pain": (9.0, 4.0, 9.0, 9.0, math.inf)})
    # at 4: twitch (motor 3), pain (4 <= 4), light (strong 9), nothing (sensory 5), strong
    assert bands.sensations_at(4.0) == {
        Sensation.NONE: 1, Sensation.LIGHT_TINGLING: 1, Sensation.STRONG_TINGLING: 1,
        Sensation.CONTRACTION: 1, Sensation.PAINFUL: 1}
    assert bands.sensations_at(0.5)[Sensation.NONE] == 5
    assert bands.sensations_at(1e9)[Sensation.PAINFUL] == 4  # the fifth never hurts
    assert ThresholdBands(5, band, band, band, band).sensations_at(4.0) == {}


def test_a_pain_count_with_the_periosteum_is_not_read_as_more_than_all() -> None:
    """'Aδ fibers firing 105 % (skin 97.9 %, periosteum 17 %)' read as more than every fiber
    (probe of 5 December 2026): with a bone's periosteal Aδ it is a count in units of the
    skin's, and says so."""
    from estim.effects.sensation import Recruitment, classify_sensation

    # 0.979 + 0.17 x the stored periosteal density 0.25 (0.4 until 6 December 2026: 105%)
    (why,) = classify_sensation(Recruitment(abeta=1.0, adelta=0.979, periosteal=0.17)).reasons
    assert why.startswith("the pain fibers (Aδ) firing count as 102% of the skin's (97.9% of "
                          "the skin's and 17% of the periosteum's, each counted as 0.25 of "
                          "one)")
    (why,) = classify_sensation(Recruitment(abeta=1.0, adelta=0.9)).reasons
    assert why.startswith("90% of the pain fibers (Aδ) under and around the cathode fire, "
                          "past the")


def test_pain_with_a_contraction_says_both() -> None:
    """The dial at 81.5 mA said "painful" with 42 % of the motor axons firing (phone probe of
    7 December 2026): the words add the contraction, by force where the force is known,
    and the phrase that tables and counts key on stays "painful"."""
    from estim.effects.sensation import DEFAULT_SENSATION_CRITERIA as crit

    hurts = Recruitment(abeta=1.0, adelta=min(1.0, 2 * crit.pain_adelta_fraction), motor=0.42)
    strong = classify_sensation(hurts, force_N=40.0, max_force_N=100.0)
    assert strong.phrase == "painful"
    assert strong.words == "painful, with a visible contraction"
    assert any("of the muscle's maximal force" in r for r in strong.reasons)
    weak = classify_sensation(hurts, force_N=0.001, max_force_N=100.0)  # no visible force
    assert weak.words == "painful" and len(weak.reasons) == 1
