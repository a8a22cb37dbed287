"""The global sensation criteria reproduce the human data they were calibrated on, and only
that: they are the same for every site and program (estim.effects.calibration)."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import pytest

from estim.effects.calibrate import calibrate, calibration_window
from estim.effects.calibration import (
    CALIBRATED_COUNTS,
    CALIBRATION_TARGETS,
    INTOLERANCE_PAD_CM,
    INTOLERANCE_PHASE_S,
)

pytestmark = pytest.mark.slow


def test_stored_criteria_are_what_the_calibration_gives(monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh = calibrate()
    # Stored rounded to 0.1 afferent and 0.001 of a fraction; a fiber-model or anatomy
    # change that moves them must re-run benchmarks/calibrate_sensation.py.
    assert fresh.detection_abeta == pytest.approx(CALIBRATED_COUNTS.detection_abeta, abs=0.11)
    assert fresh.strong_abeta == pytest.approx(CALIBRATED_COUNTS.strong_abeta, abs=0.11)
    assert fresh.pain_adelta_fraction == pytest.approx(CALIBRATED_COUNTS.pain_adelta_fraction,
                                                       abs=0.0011)
    # One pass, not leaning on the stored counts: the pain fraction is calibrated on the
    # detection threshold the count just found gives on the intolerance study's pads. It
    # used to take the stored count's, so that a wider Aβ sample (--abeta-margin 2.5:
    # detection 168.6 -> 308.9 Aβ) calibrated pain at 0.367 instead of its own 0.718.
    # (In this test, not a test of its own: the second pass reuses the first's fibers.)
    from estim.effects import window

    monkeypatch.setattr(window, "CALIBRATED_COUNTS",
                        replace(CALIBRATED_COUNTS,
                                detection_abeta=1.5 * CALIBRATED_COUNTS.detection_abeta))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = calibrate()
    assert again.detection_abeta == fresh.detection_abeta
    assert again.pain_adelta_fraction == fresh.pain_adelta_fraction
    # a count beyond the afferents sampled round the intolerance study's pads (185) is
    # calibrated on the sample's last afferent, and says so
    from estim.effects.calibrate import pain_fraction_for_ratio
    from estim.errors import ModelRangeWarning

    with pytest.warns(ModelRangeWarning, match="more than the 185 afferents"):
        pain_fraction_for_ratio(detection_abeta=200.0)


def test_calibration_configuration_reproduces_the_targets():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        win = calibration_window()
    target = {t.name: t.value for t in CALIBRATION_TARGETS}
    # 1 %: the rounding of the stored values moves a threshold along the interpolated
    # recruitment curve by less than that (0.4 % for pain).
    assert win.sensory_a * 1e3 == pytest.approx(target["detection"], rel=0.01)
    assert win.strong_a / win.sensory_a == pytest.approx(target["strong"], rel=0.01)
    # and the window is ordered as people report it on the forearm at 100 µs
    assert win.sensory_a < win.motor_a < win.pain_a
    # Pain is calibrated on the intolerance study's own (assumed) pads and its 150 µs, on
    # the model's own detection threshold there: the same 1 % (the stored fraction's
    # rounding).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = calibration_window(INTOLERANCE_PHASE_S, INTOLERANCE_PAD_CM)
    assert small.pain_a / small.sensory_a == pytest.approx(target["pain"], rel=0.01)


def test_sensory_axon_strength_duration_against_mogyoros_1996():
    """The sensory MRG axon's τSD is 1.45 x the motor axon's in the same geometry (the
    calibration target); the stored shift is what the calibration gives."""
    from estim.effects.calibrate import calibrate_nap_shift, nap_shift_tau_ratio
    from estim.fibers.tables import MRG

    target = next(t.value for t in CALIBRATION_TARGETS if t.name == "sensory_tau_ratio")
    # 2 %: thresholds are bracketed to 0.2 %, and the shift is stored to 0.05 mV, which
    # moves the ratio by ~1.3 % near 8.85 mV (the ratio rises 0.027 per 0.1 mV there).
    assert nap_shift_tau_ratio(float(MRG["sensory_nap_shift"])) == pytest.approx(target,
                                                                                  rel=0.02)
    assert calibrate_nap_shift() == pytest.approx(float(MRG["sensory_nap_shift"]), abs=0.051)


def test_subject_factor_scales_every_threshold_of_a_subject_alike():
    """The per-subject factor (excitability, contact, criterion) multiplies every threshold
    of one virtual subject by the same number, and leaves its anatomy as it was: the ratio
    with / without it is one number per subject for detection, strong tingling, motor and
    pain, and its spread is the stored one."""
    import numpy as np

    from estim.effects.calibration import SUBJECT_EXCITABILITY_CV
    from estim.effects.program import channel_setup
    from estim.effects.subjects import subject_thresholds
    from estim.program.bundled import resolve_program
    from estim.waveforms.build import stimuli_for

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        win = calibration_window()
    program = resolve_program("tens_acupuncture")[0]
    cf = channel_setup(program, stimuli_for(program))[0]
    kw = dict(counts=win.counts, criteria=win.criteria, available=win.available or {},
              n_subjects=40, pain_cv=0.0)
    with_factor = subject_thresholds(win.classes, cf.channels[0], cf.site, **kw)
    without = subject_thresholds(win.classes, cf.channels[0], cf.site, excitability_cv=0.0,
                                 **kw)
    assert with_factor is not None and without is not None
    ratio = with_factor[0]["sensory"] / without[0]["sensory"]
    for which in ("strong", "motor", "pain"):
        # the same factor on every fiber: the thresholds scale exactly (float rounding)
        np.testing.assert_allclose(with_factor[0][which] / without[0][which], ratio,
                                   rtol=1e-9)
    # log-normal with a mean of 1 and CV 0.20: 40 draws put the sample CV within ±0.05
    # (about 2.3 standard errors, 0.20 / sqrt(80) = 0.022) and the mean within ±0.08
    assert np.std(ratio, ddof=1) / np.mean(ratio) == pytest.approx(SUBJECT_EXCITABILITY_CV,
                                                                   abs=0.05)
    assert np.mean(ratio) == pytest.approx(1.0, abs=0.08)


def test_subject_spread_reproduces_the_detection_study():
    """Detection varies between 100 virtual subjects (anatomy and the calibrated factor) as
    it did between the 254 people it was calibrated on: SD / mean 0.277."""
    from estim.effects.calibrate import detection_spread

    target = next(t.value for t in CALIBRATION_TARGETS if t.name == "detection_spread")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spread = detection_spread(n_subjects=100)
    # The calibration drew 400 subjects; 100 give the CV to about 0.277 / sqrt(200) = 0.02
    # (one standard error), so 0.05 is 2.5 of them.
    assert spread == pytest.approx(target, abs=0.05)


def test_pain_factor_scales_pain_alone_and_reproduces_the_tolerance_study():
    """The per-subject pain factor moves a subject's pain threshold and nothing else, by the
    subject's own draw; with it, pain varies between 100 virtual subjects as the maximal
    tolerated current did between the 22 people it was calibrated on (SD / mean 0.408)."""
    import numpy as np

    from estim.effects.calibrate import pain_spread, pain_spread_window
    from estim.effects.calibration import PAIN_CRITERION_CV, SUBJECT_EXCITABILITY_CV
    from estim.effects.subjects import _draws, subject_thresholds

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        win, channel, site = pain_spread_window()
        kw = dict(counts=win.counts, criteria=win.criteria, available=win.available or {},
                  n_subjects=40)
        with_factor = subject_thresholds(win.classes, channel, site, **kw)
        without = subject_thresholds(win.classes, channel, site, pain_cv=0.0, **kw)
        spread = pain_spread(n_subjects=100)
        shared = pain_spread(0.0, n_subjects=100)
    assert with_factor is not None and without is not None
    for which in ("sensory", "strong", "motor"):
        np.testing.assert_array_equal(with_factor[0][which], without[0][which])
    own = _draws(40, 0, SUBJECT_EXCITABILITY_CV, PAIN_CRITERION_CV).pain
    np.testing.assert_allclose(with_factor[0]["pain"] / without[0]["pain"], own, rtol=1e-12)
    assert len(set(own.round(9))) == 40  # one draw per subject
    target = next(t.value for t in CALIBRATION_TARGETS if t.name == "pain_spread")
    # the stored factor composed with what pain shares with every threshold gives the
    # study's spread: to 0.015 (the factor is stored to 0.005, and 100 subjects give the
    # shared part to ~0.01 of the calibration's 400); a factor of 0.31 or 0.38 would fail
    composed = math.sqrt((1 + shared**2) * (1 + PAIN_CRITERION_CV**2) - 1)
    assert composed == pytest.approx(target, abs=0.015)
    # and the drawn factors give it too, to sampling: 100 subjects give the CV to about
    # 0.41 / sqrt(200) = 0.03 (one standard error), so 0.07 (2.4 of them)
    assert spread == pytest.approx(target, abs=0.07)


def test_pain_fraction_depends_on_the_assumed_pads_of_the_intolerance_study():
    """The stored Aδ fraction is what Dölker's intolerance ÷ perception gives on the
    3.5 x 3.5 cm pads assumed for that study (test above), and it rests on that pad size:
    the fraction that gives the same ratio falls as the pads grow (the Aδ under a larger
    cathode need more current over detection), so on the 5 x 5 cm pads of the detection
    configuration the stored fraction puts pain above Dölker's ratio. How strongly is why
    the pain threshold is uncertain while the study's pad sizes are unknown
    (docs/effects.md)."""
    from estim.effects.calibrate import pain_fraction_for_ratio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_as_detection = pain_fraction_for_ratio(5.0, INTOLERANCE_PHASE_S)
        larger = pain_fraction_for_ratio(7.5, INTOLERANCE_PHASE_S)
    # strictly ordered by more than one sampled fiber (1/60 = 0.017) each step
    assert CALIBRATED_COUNTS.pain_adelta_fraction > same_as_detection + 0.017
    assert same_as_detection > larger + 0.017


def test_pain_hardly_moves_over_the_intolerance_studys_own_pad_sizes():
    """Dölker et al. 2022 found no significant effect of electrode size on intolerance over
    their 1.5-4 cm square electrodes. Pain is a fraction of the Aδ under and round the
    cathode, calibrated on 3.5 cm pads; before the nociceptors' sample held at least the
    calibration's afferents (NOCICEPTOR_SAMPLE_AFFERENTS) it was 5.4 mA on 1.5 cm pads and
    39 mA on 4 cm ones (7.2 x). Measured now: 23.3, 36.0, 29.9 and 39.2 mA on 1.5, 2.5, 3.5
    and 4 cm (150 µs, seed 0). The bound, 2 x, is what the model reaches (1.7 x), not what
    their data allow: the study's medians per size are not in the text read, and a
    within-subject study might have resolved 1.7 x (docs/effects.md says so)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pain = [calibration_window(INTOLERANCE_PHASE_S, pad).pain_a
                for pad in (1.5, 2.5, INTOLERANCE_PAD_CM, 4.0)]
    assert all(math.isfinite(p) for p in pain)
    assert max(pain) / min(pain) < 2.0
    # the smallest pad no longer the most painful by far: not below half the calibration's
    assert pain[0] > 0.5 * pain[2]


def test_motor_branches_reproduce_patterson_and_lockwood():
    """The stored intramuscular-branch factor gives 25 % of the quadriceps' maximal force at
    Patterson & Lockwood's 55 mA averaged over their electrode sizes, to within its 0.005
    rounding (the root search and the brackets either side are in
    ``benchmarks/calibrate_sensation.py``: 0.485 gives 56.1 mA and 0.495 gives 54.4 mA; each
    is nine cold solves of 240 axons, too slow to repeat here)."""
    from estim.effects.calibrate import study_quarter_mvc_current

    target = next(t.value for t in CALIBRATION_TARGETS if t.name == "nmes_quarter_mvc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stored = study_quarter_mvc_current() * 1e3
    # 1 %: a step of 0.005 in the factor moves the current by ~1.7 %, so a value within 1 %
    # of the target is the nearest step to the root (55.3 mA measured)
    assert stored == pytest.approx(target, rel=0.01)


def test_motor_calibration_holds_for_each_pad_size_of_the_study():
    """A prediction, not a fit: Patterson & Lockwood found the current for 25 % MVC the same
    with every electrode size (20-60 cm²); the factor is calibrated on the mean of the three
    sizes, so each size alone is the check. 'No difference' in 13 people: NMES currents
    vary between people by 20-30 % of the mean, so such a study could not have seen a mean
    difference below ~15 %; the model's must stay within that."""
    from estim.effects.calibrate import STUDY_PADS_CM, quarter_mvc_current

    target = next(t.value for t in CALIBRATION_TARGETS if t.name == "nmes_quarter_mvc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for pads in STUDY_PADS_CM:
            assert quarter_mvc_current(None, pads) * 1e3 == pytest.approx(target, rel=0.15)


def test_pain_summation_reproduces_arendt_nielsen():
    """The stored time constant of the Aδ volleys' temporal summation gives Arendt-Nielsen et
    al.'s (2000) pain current at 20 Hz over that at 1 Hz, 0.6 / 0.8, in the intolerance
    configuration, and is the calibration's root to its 0.01 ms rounding: 0.01 ms either
    side gives ratios on either side of the target (a longer constant sums slow volleys
    less)."""
    from estim.effects.calibrate import pain_current_rate_ratio
    from estim.effects.calibration import PAIN_SUMMATION_TAU_S

    target = next(t.value for t in CALIBRATION_TARGETS if t.name == "pain_rate")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stored = pain_current_rate_ratio(PAIN_SUMMATION_TAU_S)
        longer = pain_current_rate_ratio(PAIN_SUMMATION_TAU_S + 1e-5)
        shorter = pain_current_rate_ratio(PAIN_SUMMATION_TAU_S - 1e-5)
    # 1 %: a 0.01 ms step moves the ratio by ~0.2 % (at the pain fraction 0.781 the 1 Hz pain
    # lies in the Aδ's slow tail, where it is steep); the stored value is within one step. This
    # checks the calibration's arithmetic: the target itself is 0.6 / 0.8 of a study that
    # stepped its intensities by 0.1 of the reflex threshold, far coarser.
    assert stored == pytest.approx(target, rel=0.01)
    assert longer < target < shorter
