"""The sensation criteria, calibrated once on named human data and then fixed.

Sensory axons are not motor axons: their strength-duration time constant is ~45 % longer
(Mogyoros, Kiernan & Burke 1996), which Bostock & Rothwell (1997) traced to more persistent
Na⁺ current at rest. ``estim.fibers`` has a sensory MRG axon whose nodal persistent Na
activation is shifted toward rest by one value calibrated on that ratio
(:func:`estim.effects.calibrate.calibrate_nap_shift`); the window's afferents do not use it (see
``docs/effects.md``, strength-duration).

A person does not feel one afferent fire. Detection and strong tingling are **counts** of
Aβ afferents firing under and around the cathode, one action potential per pulse: touch and
electrocutaneous detection sum over the skin (the current threshold falls as the electrodes
grow, at least up to 15 mm: "Electrocutaneous spatial integration at threshold: the effects
of electrode size", Perception & Psychophysics). Pain is a **fraction** of the Aδ afferents
under and around the cathode, a local density: pain sums over area far less than touch, so
a count would make large NMES pads painful at a fraction of the current people tolerate
(an assumption of estim, stated as such). But it is never fewer nociceptors than the
calibration's pain took: a pad smaller than the calibration's 3.5 cm has its nociceptor
sample grown until it holds as many Aδ
(:data:`estim.effects.placement.NOCICEPTOR_SAMPLE_AFFERENTS`, derived), so that pain does not
fall with the pad's area below it. These three values are global:
they were calibrated once, on the data in :data:`CALIBRATION_TARGETS`, with
``benchmarks/calibrate_sensation.py`` (the counts on one configuration: the volar forearm,
5 × 5 cm pads, 100 µs symmetric biphasic pulses at 100 Hz; the Aδ fraction on the same
forearm with the 3.5 × 3.5 cm pads assumed for the intolerance study, whose ratio of two
thresholds was measured on its own pads), and are the same for every
site, electrode and program. Everything else the
window reports is prediction; :mod:`docs/effects.md <estim.effects>` compares it with
further published data.

A count becomes a fraction of the afferents the window samples through the site's
innervation density (:func:`estim.effects.anatomy.innervation_density`) times the area
sampled: bigger pads need a smaller fraction of their afferents, as spatial summation
requires. The motor axons are intramuscular branches thinner than their trunk axons by one
factor (:data:`MOTOR_BRANCH_DIAMETER_FACTOR`), calibrated on the current that makes 25 % of
the quadriceps' maximal force (Patterson & Lockwood 1993). The visible-contraction criterion
is a force (2 % of the muscle's maximal force, an assumption) and C-fiber pain stays a
fraction (5 %, an assumption): no human data that would calibrate either was found.

Where a bone lies under thin tissue, its periosteal Aδ count toward pain with the skin's,
each as :data:`~estim.effects.anatomy.PERIOSTEAL_DENSITY_RATIO` of a skin Aδ. No count per
area of periosteum was found, so that density is calibrated once too, on Hughes et al.'s
(2013) window differences lower back − tibia and knee − tibia
(:data:`HUGHES_CALIBRATION_PAIRS`; :func:`estim.effects.calibrate.calibrate_periosteal_density`);
their two differences against the forearm stay validation.

People differ by more than their anatomy: the same pads give thresholds ±30-40 % apart,
and skin, fat and innervation density (:mod:`estim.effects.subjects`) explain only part of
it. What is left (the excitability of a person's axons, the electrode-skin contact, the
person's own criterion) is one log-normal factor per virtual subject on every fiber's
threshold, whose spread :data:`SUBJECT_EXCITABILITY_CV` is calibrated once so that the
detection threshold varies between virtual subjects, in the calibration configuration, as
much as it did between the 254 people of the detection study (its pooled SD / mean).

Where the pain fraction sits (``benchmarks/sensation_window.py --pain``): the Aδ afferents
end in unmyelinated free endings (:data:`estim.effects.placement.ADELTA_ENDING`), which makes
them fire at a median 5 x the detection threshold under a 5 x 5 cm cathode (2.3 x when the
ending was a myelinated node), so Dölker's 3.94 is met on the body of the Aδ recruitment
curve, not only on its last fibers. The fraction depends strongly on the pads it is
calibrated on (at the study's 150 µs: 0.781 on 3.5 cm, 0.599 on 4 cm, 0.370
on 5 cm): pain grows with the pad's area from 3.5 cm up, where Dölker found no size effect
over their 1.5-4 cm electrodes; below it the nociceptors' floor holds it within 1.7 x
(``docs/effects.md``).

Pain sums over time as well as space: the counts and the pain fraction hold at the
calibration's 100 pulses/s, and a slower program needs more of the Aδ afferents for pain,
by the temporal summation of their volleys (:data:`PAIN_SUMMATION_TAU_S`, calibrated on
Arendt-Nielsen et al. 2000's pain current at 20 Hz against 1 Hz): 1.113 x as many at 1-2 Hz,
which is why acupuncture-like TENS at 2 Hz tolerates more current than conventional TENS
(Hughes et al. 2013 found the window wider at 2 pulses/s than at 30 or 80). A visible
contraction sums too: its criterion is a force, made by the program's own train of motor
volleys (:func:`estim.effects.window.motor_threshold`).

What the calibration does **not** cover: temporal summation of detection and of strong
tingling (their counts hold at 100 pulses/s; at a few pulses per second people report
detection a little higher, which the model does not reproduce: Hughes et al. found the
rate's effect on detection weaker than on the window).

Pain varies between people more than detection: besides the anatomy and the excitability
factor it shares with every threshold, each virtual subject draws a factor on its pain
threshold alone, whose spread :data:`PAIN_CRITERION_CV` is calibrated once so that pain
varies as the maximal tolerated current of wide-pulse NMES did in 22 people (SD / mean
0.408, pooled over sexes as the detection spread is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from estim.effects.sensation import DEFAULT_SENSATION_CRITERIA, SensationCriteria

__all__ = [
    "CALIBRATED_COUNTS",
    "CALIBRATION_CONFIGURATION",
    "CALIBRATION_RATE_HZ",
    "CALIBRATION_TARGETS",
    "HUGHES_CALIBRATION_PAIRS",
    "HUGHES_SITES",
    "HUGHES_WINDOW_DIFFERENCES",
    "INTOLERANCE_PAD_CM",
    "INTOLERANCE_PHASE_S",
    "MOTOR_BRANCH_DIAMETER_FACTOR",
    "MOTOR_CALIBRATION_CONFIGURATION",
    "PAIN_CRITERION_CV",
    "PAIN_SPREAD_CONFIGURATION",
    "PAIN_SUMMATION_TAU_S",
    "SUBJECT_EXCITABILITY_CV",
    "CalibrationTarget",
    "SensationCounts",
    "calibrated_values",
    "counts_out_of_range",
    "criteria_from_counts",
    "pain_rate_factor",
    "pooled_cv",
]


@dataclass(frozen=True, slots=True)
class CalibrationTarget:
    """One published human figure that a global criterion was calibrated on.

    :param name: the criterion it sets.
    :param value: the figure (mA for a threshold, dimensionless for a ratio).
    :param unit: ``"mA"`` or ``"ratio"``.
    """

    name: str
    value: float
    unit: str
    source: str
    note: str = ""


_SEX_STUDY = ("'The effects of sex, women's body composition and monthly cycle phases on the "
              "sensory threshold of upper limb to transcutaneous electrical nerve stimulation "
              "in healthy subjects' (205 women, 49 men; abstract): biphasic, 100 µs, 100 Hz; "
              "women 8.78 ± 2.11 mA, men 11.20 ± 3.29 mA")
_DOLKER = ("Dölker E-M, Lau S, Bernhard MA, Haueisen J (2022) Perception thresholds and "
           "qualitative perceptions for electrocutaneous stimulation. Sci Rep 12:7335 "
           "(81 people, upper arm, biphasic rectangular pulses of 20-2000 µs, square "
           "electrodes of 15 x 15 to 40 x 40 mm² with no significant influence of their "
           "size; medians at 150 µs: 3.5 mA perception, 6.9 mA attention, 13.8 mA "
           "intolerance; abstract, its pulse width and sizes as TU Ilmenau's news of "
           "29 June 2022 restates it)")

_MOGYOROS = ("Mogyoros I, Kiernan MC, Burke D (1996) Strength-duration properties of human "
             "peripheral nerve. Brain 119:439 (median nerve, 20 people: τSD 665 ± 182 µs for "
             "compound sensory potentials, 459 ± 126 µs for compound muscle potentials)")

_ARENDT_NIELSEN = ("Arendt-Nielsen L, Sonnenborg FA, Andersen OK (2000) Facilitation of the "
                   "withdrawal reflex by repeated transcutaneous electrical stimulation. Eur J "
                   "Appl Physiol 81:165 (abstract): repeated stimuli at 0.5-20 Hz became painful "
                   "by temporal summation at 0.8 x the reflex threshold at 1 Hz and at 0.6 x at "
                   "20 Hz")

_PATTERSON = ("Patterson RP, Lockwood JS (1993) The influence of electrode size and type on "
              "surface stimulation of the quadriceps. IEEE Trans Rehabil Eng 1:59 (10 able-bodied "
              "men and 3 with SCI; constant current, 300 µs, 40 Hz; gel and garment electrodes "
              "of 20-60 cm²; abstract: the current for 25 % of MVC was about 55 mA and did not "
              "differ between sizes; the two smaller electrodes were rated more painful)")


_HUGHES = ("Hughes N, Bennett MI, Johnson MI (2013) An investigation into the magnitude of "
           "the current window and perception of transcutaneous electrical nerve stimulation "
           "(TENS) sensation at various frequencies and body sites in healthy human "
           "participants. Clin J Pain 29:146 (abstract: the window, pain threshold minus "
           "detection threshold, differed between sites: lower back − tibia +12.10 mA, 95 % CI "
           "1.65 to 22.52; knee − tibia +12.76, 4.25 to 21.28; lower back − forearm +9.65, "
           "1.06 to 18.24; knee − forearm +10.33, 2.62 to 18.40; pads and pulse width not in "
           "it)")

#: Hughes et al.'s differences between sites' windows (mA): (site, site, mean, 95 % CI low,
#: high). The two against the tibia, bone under thin tissue, calibrate the periosteal Aδ's
#: density (:data:`HUGHES_CALIBRATION_PAIRS`); the two against the forearm are validation.
HUGHES_WINDOW_DIFFERENCES: tuple[tuple[str, str, float, float, float], ...] = (
    ("lower back", "tibia", 12.10, 1.65, 22.52),
    ("knee", "tibia", 12.76, 4.25, 21.28),
    ("lower back", "forearm", 9.65, 1.06, 18.24),
    ("knee", "forearm", 10.33, 2.62, 18.40),
)
#: The differences that set :data:`~estim.effects.anatomy.PERIOSTEAL_DENSITY_RATIO`.
HUGHES_CALIBRATION_PAIRS: tuple[tuple[str, str], ...] = (("lower back", "tibia"),
                                                         ("knee", "tibia"))

#: Hughes et al.'s sites as estim sites, under the pads and pulses of the bundled
#: ``tens_conventional`` (5 x 5 cm, 7.5 cm apart, 200 µs; theirs are not in the abstract):
#: label -> (site, the site's overrides, anode placement, cathode placement). The tibia
#: (their "bone" site) and the waist (their "fat") are the generic patch with assumed layers:
#: 3 mm of subcutaneous tissue on the bone of the shin, 20 mm of fat at the waist.
HUGHES_SITES: dict[str, tuple[str, str, str, str]] = {
    "tibia": ("patch", 'fat_thickness = "3 mm"\nmuscle_thickness = "0.5 mm"\n'
              'bone_thickness = "20 mm"\n', "patch_upper", "patch_lower"),
    "knee": ("knee", "", "knee_anterior_proximal", "knee_anterior_distal"),
    "lower back": ("lower_back", "", "lumbar_left_upper", "lumbar_left_lower"),
    "forearm": ("forearm", "", "forearm_volar_proximal", "forearm_volar_distal"),
    "waist": ("patch", 'fat_thickness = "20 mm"\n', "patch_upper", "patch_lower"),
}


def pooled_cv(groups: tuple[tuple[int, float, float], ...]) -> float:
    """SD / mean of the pooled sample of several groups, each (n, mean, SD): within-group
    plus between-group variance, with n - 1 denominators."""
    n = sum(g[0] for g in groups)
    mean = sum(g[0] * g[1] for g in groups) / n
    ss = sum((k - 1) * sd * sd + k * (m - mean) ** 2 for k, m, sd in groups)
    return float((ss / (n - 1)) ** 0.5 / mean)


#: The 254-person detection study: (people, mean mA, SD mA) of women and of men.
_SEX_STUDY_GROUPS = ((205, 8.78, 2.11), (49, 11.20, 3.29))

_WPHF = ("'Wide-Pulse High-Frequency Neuromuscular Electrical Stimulation ...', Sports 2022, "
         "10(9):134 (22 people; abstract): the elbow flexors, 1 ms pulses at 100 Hz, maximal "
         "tolerated current 16.2 ± 6.3 mA in 12 men and 12.0 ± 4.5 mA in 10 women")
#: Its groups: (people, mean mA, SD mA) of men and of women.
_WPHF_GROUPS = ((12, 16.2, 6.3), (10, 12.0, 4.5))

#: The data the nine global values were calibrated on.
CALIBRATION_TARGETS: tuple[CalibrationTarget, ...] = (
    CalibrationTarget(
        "sensory_tau_ratio", 665.0 / 459.0, "ratio", _MOGYOROS,
        note="sets the sensory axons' persistent Na shift (estim.fibers MRG "
             "'sensory_nap_shift'): a 10 µm sensory and a 10 µm motor MRG axon 3 mm from a "
             "point source in 0.3 S/m, monophasic pulses of 20 µs to 1 ms, Weiss fit"),
    CalibrationTarget(
        "detection", (205 * 8.78 + 49 * 11.20) / 254, "mA", _SEX_STUDY,
        note="the mean of both sexes weighted by their numbers (9.25 mA); electrode size and "
             "site on the upper limb not stated in the abstract: 5 × 5 cm pads on the volar "
             "forearm assumed"),
    CalibrationTarget(
        "strong", 6.9 / 3.5, "ratio", _DOLKER,
        note="'attention' over perception: a tingling strong enough to hold attention"),
    CalibrationTarget(
        "pain", 13.8 / 3.5, "ratio", _DOLKER,
        note="intolerance over perception, both in the study's own configuration (the "
             "model's detection threshold there, not the 9.25 mA target); intolerance is at "
             "or above the pain threshold, so the pain criterion is a 'no longer tolerable' "
             "criterion. The medians are at 150 µs (INTOLERANCE_PHASE_S, taken per phase); "
             "the study's square electrodes ran from 1.5 to 4 cm with no significant "
             "influence, and the size of the medians' pads is not in the abstract, so square "
             "pads of INTOLERANCE_PAD_CM = 3.5 cm are assumed (of the study's sizes that "
             "8 pairs around an upper arm of about 30 cm hold, the largest, which gives the "
             "lowest fraction: smaller pads give more); the fraction rests on it "
             "(estim.effects.calibrate.pain_fraction_for_ratio)"),
    CalibrationTarget(
        "nmes_quarter_mvc", 55.0, "mA", _PATTERSON,
        note="sets the diameter of the intramuscular motor branches "
             "(MOTOR_BRANCH_DIAMETER_FACTOR): the current at which the quadriceps' recruited "
             "fraction, through the Ding force model at 40 Hz, is 25 % of the maximal force, "
             "averaged over pads of 20, 40 and 60 cm² (the study's range; its ~55 mA held "
             "for every size) over the quadriceps' proximal and distal motor points, 300 µs "
             "symmetric biphasic pulses (the pulse shape is not in the abstract)"),
    CalibrationTarget(
        "pain_rate", 0.6 / 0.8, "ratio", _ARENDT_NIELSEN,
        note="pain current at 20 Hz over that at 1 Hz, same pulses and pads; sets the time "
             "constant of the temporal summation of Aδ volleys (PAIN_SUMMATION_TAU_S) in the "
             "intolerance configuration (the study's foot, electrodes and pulse are not in "
             "the abstract read)"),
    CalibrationTarget(
        "detection_spread", pooled_cv(_SEX_STUDY_GROUPS), "ratio", _SEX_STUDY,
        note="SD / mean of the detection threshold over all 254 people (women and men "
             "pooled: 2.56 / 9.25 mA = 0.277); sets the spread of the per-subject factor on "
             "every threshold (SUBJECT_EXCITABILITY_CV)"),
    CalibrationTarget(
        "pain_spread", pooled_cv(_WPHF_GROUPS), "ratio", _WPHF,
        note="SD / mean of the maximal tolerated current over all 22 people (men and women "
             "pooled, as the detection spread is: 0.408); sets the spread of the per-subject "
             "factor on the pain threshold alone (PAIN_CRITERION_CV), in "
             "PAIN_SPREAD_CONFIGURATION; the study's pads are not in the abstract"),
    # Hughes et al.'s two differences against the tibia, as HUGHES_WINDOW_DIFFERENCES holds them
    *(CalibrationTarget(
        f"window_{a.replace(' ', '_')}_minus_{b}", mean, "mA", _HUGHES,
        note=f"95 % CI {lo:g} to {hi:g} mA; the two differences against the tibia set the "
             "periosteal Aδ's density per skin Aδ "
             "(estim.effects.anatomy.PERIOSTEAL_DENSITY_RATIO): the density whose model "
             "differences are nearest the study's means, each weighted by its CI "
             "(estim.effects.calibrate.calibrate_periosteal_density); the sites are "
             "HUGHES_SITES under conventional TENS's pads and 200 µs pulses")
      for a, b, mean, lo, hi in HUGHES_WINDOW_DIFFERENCES if (a, b) in HUGHES_CALIBRATION_PAIRS),
)

#: Where the calibration is computed (``benchmarks/calibrate_sensation.py``).
CALIBRATION_CONFIGURATION: dict[str, str] = {
    "program": "tens_acupuncture",  # its pads: 5 x 5 cm on the volar forearm
    "pulse": "symmetric biphasic, 100 µs per phase",
    "rate": "100 Hz",
    "pain": "the same program with 3.5 x 3.5 cm pads (INTOLERANCE_PAD_CM) and 150 µs per "
            "phase (INTOLERANCE_PHASE_S)",
}

#: Where the motor branches' diameter is calibrated (``benchmarks/calibrate_sensation.py``):
#: the NMES program's thigh and motor-point placements with Patterson & Lockwood's pulses.
MOTOR_CALIBRATION_CONFIGURATION: dict[str, str] = {
    "program": "nmes_quadriceps",  # its placements: quadriceps_proximal / quadriceps_distal
    "pads": "4.5 x 4.5, 5 x 8 and 6 x 10 cm (20, 40 and 60 cm²; the mean of the three)",
    "pulse": "symmetric biphasic, 300 µs per phase",
    "rate": "40 Hz",
    "force": "25 % of the maximal (100 Hz, all units) Ding force",
}

#: The window's motor axons are the intramuscular branches of the muscle under the pads, where
#: surface stimulation excites them (the motor point is where the nerve enters the muscle),
#: not the trunk axons of :data:`estim.effects.populations.FIBER_CLASS_TABLE`: inside the
#: muscle an α-axon divides and tapers toward its hundreds of muscle fibers. How much thinner
#: the excited branches are is not measured; this factor on the trunk diameters (9-16 µm) is
#: calibrated once, on Patterson & Lockwood's current for 25 % of the quadriceps' MVC
#: (:func:`estim.effects.calibrate.calibrate_motor_branch_factor`); with the trunk diameters
#: the model made that force at 21 mA instead of 55. 0.49 gives 55.3 mA averaged over the
#: study's 20, 40 and 60 cm² pads (50.1, 56.0 and 59.8 mA each; 240 motor axons, the thigh's
#: fat 10 mm as measured; 0.485 with the unsourced 15 mm on 3-4 December 2026, and 0.555
#: before that with 120 axons, whose draw's mid-range axons were less excitable).
#: Nerve-trunk models (:mod:`estim.effects.nerve_trunk`, Mogyoros's median nerve) keep the
#: trunk diameters.
MOTOR_BRANCH_DIAMETER_FACTOR = 0.49

#: Time constant (s) of the temporal summation of Aδ volleys toward pain
#: (:func:`estim.effects.sensation.nociceptive_summation`): pain needs a fraction of the Aδ
#: afferents that falls as the volleys come faster, up to
#: :data:`~estim.effects.sensation.NOCICEPTIVE_FOLLOWING_HZ`. Calibrated once so that, in the
#: intolerance configuration, the pain current at 20 Hz is 0.75 of that at 1 Hz
#: (Arendt-Nielsen et al. 2000; :func:`estim.effects.calibrate.calibrate_pain_summation_tau`).
#: The pain fraction (``pain_adelta_fraction``) is calibrated at 100 pulses/s, so at 2 Hz pain
#: needs :func:`pain_rate_factor` = 1.113 x as many of them (1.102 at 10 Hz, 1 from 20 Hz).
#: 23.06 ms (1.129 x at 2 Hz) until 6 December 2026, when the intolerance configuration
#: took the study's 150 µs: its pain fraction rose, 0.768 -> 0.781.
PAIN_SUMMATION_TAU_S = 0.02187

#: The rate of the calibration configuration's pulses (Hz): its counts and pain fraction hold
#: at this rate.
CALIBRATION_RATE_HZ = 100.0

#: Side (cm) of the square pads on which Dölker et al.'s intolerance ÷ perception ratio is
#: calibrated: their 8 electrode pairs were distributed around the upper arm, whose
#: circumference (~28-33 cm in adults) leaves at most ~3.7 cm per position; 3.5 cm is the
#: largest square pad that fits, and of the sizes that fit it gives the lowest pain fraction
#: (the fraction rises as the pads shrink), so the assumption errs toward earlier pain.
#: Before the Aδ free ending the 5 x 5 cm pads of the detection configuration were assumed,
#: which 8 positions around an upper arm cannot hold.
INTOLERANCE_PAD_CM = 3.5

#: Per phase (s), the symmetric biphasic pulse of Dölker et al.'s medians (the study swept
#: 20-2000 µs; its 3.5 / 6.9 / 13.8 mA are at 150 µs, as TU Ilmenau's news of the paper
#: restates its abstract). 100 µs was assumed until 6 December 2026 (the abstract's figures
#: were not read): the Aδ fraction was 0.768 there, 0.781 at 150 µs.
INTOLERANCE_PHASE_S = 150e-6


@dataclass(frozen=True, slots=True)
class SensationCounts:
    """Aβ afferents that must fire (one action potential per pulse) for detection and for a
    strong tingling, and the fraction of the Aδ afferents under and around the cathode that
    must fire for pain."""

    detection_abeta: float
    strong_abeta: float
    pain_adelta_fraction: float


#: The result of :func:`estim.effects.calibrate.calibrate`
#: (``benchmarks/calibrate_sensation.py``) on
#: :data:`CALIBRATION_TARGETS` (seed 0, 60 fibers per class);
#: ``tests/integration/test_sensation_calibration.py`` checks that they still reproduce the
#: targets.
CALIBRATED_COUNTS = SensationCounts(detection_abeta=168.6, strong_abeta=317.4,
                                    pain_adelta_fraction=0.781)


#: Coefficient of variation of the per-subject factor on every fiber's threshold (log-normal,
#: mean 1): what the virtual subjects' anatomy (skin, fat, innervation density) leaves of
#: the detection study's spread, ``sqrt((1 + 0.277²) / (1 + CV_anatomy²) - 1)`` with
#: CV_anatomy the spread of the calibration window's detection threshold over 400 virtual
#: subjects without the factor, 0.194 with the fat's CV of 0.40 (0.191 with 0.25; both give
#: 0.195; :func:`estim.effects.calibrate.calibrate_excitability_cv`,
#: ``benchmarks/calibrate_sensation.py``).
SUBJECT_EXCITABILITY_CV = 0.195

#: Where the pain factor's spread is calibrated: the maximal tolerated current's study
#: (:data:`CALIBRATION_TARGETS` ``pain_spread``), its pulses over the biceps; its pads are
#: not in the abstract.
PAIN_SPREAD_CONFIGURATION: dict[str, str] = {
    "site": "upper_arm",
    "pads": "5 x 5 cm at biceps_proximal (anode) and biceps_distal (cathode), assumed",
    "pulse": "symmetric biphasic, 1 ms per phase",
    "rate": "100 Hz",
}

#: Coefficient of variation of a per-subject factor on the pain threshold alone (log-normal,
#: mean 1), beyond the anatomy and the excitability factor that move every threshold: what
#: a person calls intolerable varies more between people (SD / mean 0.41 for maximal
#: tolerated NMES) than their detection does (0.277), which the shared sources give pain
#: only 0.18-0.23 of. ``sqrt((1 + 0.408²) / (1 + CV_shared²) - 1)`` with CV_shared the spread
#: of the pain threshold over 400 virtual subjects without it in
#: :data:`PAIN_SPREAD_CONFIGURATION` (:func:`estim.effects.calibrate.calibrate_pain_criterion_cv`,
#: ``benchmarks/calibrate_sensation.py``): 0.340 since 6 December 2026, when the pain
#: fraction was calibrated again at the intolerance study's 150 µs (0.345 before).
PAIN_CRITERION_CV = 0.340


def criteria_from_counts(counts: SensationCounts, available: Mapping[str, float], *,
                         pain_rate_factor: float = 1.0) -> SensationCriteria:
    """The fractions of the sampled afferents that the calibrated Aβ counts amount to, for
    ``available`` afferents of each class (capped at the whole sample: a count larger than
    the afferents there is never reached), and the calibrated Aδ fraction for pain times
    ``pain_rate_factor`` (:func:`pain_rate_factor`: the program's rate; capped at all of
    them)."""
    def frac(n: float, k: str) -> float:
        return min(1.0, n / available[k]) if available.get(k, 0.0) > 0 else 1.0

    base = DEFAULT_SENSATION_CRITERIA
    return SensationCriteria(
        sensory_abeta_fraction=frac(counts.detection_abeta, "abeta"),
        strong_abeta_fraction=frac(counts.strong_abeta, "abeta"),
        visible_force_fraction=base.visible_force_fraction,
        motor_fraction_without_force=base.motor_fraction_without_force,
        pain_adelta_fraction=min(1.0, counts.pain_adelta_fraction * pain_rate_factor),
        pain_c_fraction=base.pain_c_fraction)


def pain_rate_factor(volleys_s: tuple[float, ...], tau_s: float | None = None) -> float:
    """How many times the calibrated fraction of Aδ afferents pain needs at a program's train
    of volleys (onsets, s: :func:`estim.effects.drive.volley_times`) than at the calibration's
    :data:`CALIBRATION_RATE_HZ`: the ratio of their temporal summation
    (:func:`estim.effects.sensation.nociceptive_summation`, time constant ``tau_s``, None:
    :data:`PAIN_SUMMATION_TAU_S`). 1 at 20 Hz and above; 1.113 at 1-2 Hz."""
    import numpy as np

    from estim.effects.sensation import nociceptive_summation

    tau = PAIN_SUMMATION_TAU_S if tau_s is None else tau_s
    reference = nociceptive_summation(np.arange(0.0, 1.0, 1.0 / CALIBRATION_RATE_HZ), tau)
    own = nociceptive_summation(volleys_s, tau)
    return reference / own if own > 0 else 1.0


def counts_out_of_range(counts: SensationCounts, available: Mapping[str, float]) -> list[str]:
    """Notes for each calibrated Aβ count larger than the afferents under and around the
    cathode: there the criterion is capped at all of them (:func:`criteria_from_counts`), so
    that threshold is the last afferent's, not a count reached; small pads are outside the
    range the counts were calibrated in (5 × 5 cm)."""
    have = float(available.get("abeta", 0.0))
    out = []
    for what, n in (("detection", counts.detection_abeta),
                    ("strong tingling", counts.strong_abeta)):
        if n > have:
            out.append(f"{what} needs {n:.0f} Aβ afferents firing but only {have:.0f} lie under "
                       "and around the cathode (pads smaller than the 5 x 5 cm the count was "
                       f"calibrated on): the {what} threshold is taken where all of them fire, "
                       "outside the model's calibrated range")
    return out


def calibrated_values() -> tuple[tuple[str, object], ...]:
    """Every stored global value of the sensation model, by name: what a result computed
    earlier rests on besides its own inputs. A sweep keys its finished points on it
    (:mod:`estim.sweep.plan`), so that a sweep resumed after a value was calibrated again
    redoes its points instead of mixing answers of two models."""
    from estim.effects.anatomy import PERIOSTEAL_DENSITY_RATIO
    from estim.fibers.tables import MRG

    return (("counts", CALIBRATED_COUNTS),
            ("motor_branch_diameter_factor", MOTOR_BRANCH_DIAMETER_FACTOR),
            ("pain_summation_tau_s", PAIN_SUMMATION_TAU_S),
            ("subject_excitability_cv", SUBJECT_EXCITABILITY_CV),
            ("pain_criterion_cv", PAIN_CRITERION_CV),
            ("periosteal_density_ratio", PERIOSTEAL_DENSITY_RATIO),
            ("sensory_nap_shift_mv", float(MRG["sensory_nap_shift"].value)))
