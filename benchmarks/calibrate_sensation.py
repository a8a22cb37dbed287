"""Calibrate the nine global values of the sensation model on the named human data, once.

    .venv/bin/python benchmarks/calibrate_sensation.py

The configuration is :data:`estim.effects.calibration.CALIBRATION_CONFIGURATION` (the pads
of the bundled ``tens_acupuncture`` program, 5 x 5 cm on the volar forearm; symmetric
biphasic pulses of 100 µs per phase; the default fiber sample, seed 0) and the targets are
:data:`~estim.effects.calibration.CALIBRATION_TARGETS`. Prints the sensory axons' persistent
Na shift (to store in ``estim.fibers.tables.MRG``; calibrated first: the counts depend on
it), the counts to store in ``CALIBRATED_COUNTS``, the thresholds the stored ones give, and
the spread of the per-subject factor (``SUBJECT_EXCITABILITY_CV``: the detection threshold's
SD / mean over 400 virtual subjects, with the anatomy alone and with the stored factor,
against the 254 people's 0.277; ~4 min each on the 2-core machine; ``--no-spread`` skips it),
and the spread of the per-subject factor on pain alone (``PAIN_CRITERION_CV``: the pain
threshold's SD / mean over 400 virtual subjects in ``PAIN_SPREAD_CONFIGURATION``, without and
with the stored factor, against the maximal tolerated current's 0.408 in 22 people; ~1 min).
Then the time constant of the Aδ volleys' temporal summation (``PAIN_SUMMATION_TAU_S``) on
Arendt-Nielsen et al.'s pain current at 20 Hz over 1 Hz, and the intramuscular motor
branches' diameter factor (``MOTOR_BRANCH_DIAMETER_FACTOR``) on Patterson & Lockwood's 55 mA
for 25 % of the quadriceps' MVC over the study's 20-60 cm² electrodes
(:data:`~estim.effects.calibration.MOTOR_CALIBRATION_CONFIGURATION`), with what the stored
factor gives on each size (the study found no difference between sizes). Then the
periosteal Aδ's density per skin Aδ (``estim.effects.anatomy.PERIOSTEAL_DENSITY_RATIO``) on
Hughes et al.'s (2013) window differences lower back − tibia and knee − tibia, under
conventional TENS's pads at their sites (``benchmarks/sensation_window.py --hughes`` shows
the differences at other densities).
"""

from __future__ import annotations

from estim.effects.anatomy import PERIOSTEAL_DENSITY_RATIO
from estim.effects.calibrate import (
    STUDY_PADS_CM,
    calibrate,
    calibrate_motor_branch_factor,
    calibrate_nap_shift,
    calibrate_pain_criterion_cv,
    calibrate_pain_summation_tau,
    calibrate_periosteal_density,
    calibration_window,
    detection_spread,
    pain_current_rate_ratio,
    pain_spread,
    quarter_mvc_current,
)
from estim.effects.calibration import (
    CALIBRATED_COUNTS,
    CALIBRATION_TARGETS,
    MOTOR_BRANCH_DIAMETER_FACTOR,
    PAIN_CRITERION_CV,
    PAIN_SUMMATION_TAU_S,
    SUBJECT_EXCITABILITY_CV,
)
from estim.fibers.tables import MRG


def main() -> None:
    import argparse

    # --help started the whole calibration (docs probe of 6 December 2026)
    parser = argparse.ArgumentParser(description="Calibrate the sensation model's global "
                                     "values on the named human data (a long run: see the "
                                     "module's docstring).")
    parser.add_argument("--no-spread", action="store_true",
                        help="skip the virtual subjects' spreads (~5 min)")
    args = parser.parse_args()
    print("targets:", ", ".join(f"{t.name} {t.value:.3g} {t.unit}" for t in CALIBRATION_TARGETS))
    print(f"sensory persistent Na shift: calibrated {calibrate_nap_shift():.2f} mV, stored "
          f"{float(MRG['sensory_nap_shift']):.2f} mV (the counts below use the stored one)")
    counts = calibrate()
    print("calibrated:", counts)
    print("stored:    ", CALIBRATED_COUNTS)
    win = calibration_window()
    print(f"with the stored values: detection {win.sensory_a * 1e3:.2f} mA, strong "
          f"{win.strong_a * 1e3:.2f} mA, pain {win.pain_a * 1e3:.2f} mA, motor "
          f"{win.motor_a * 1e3:.2f} mA")
    # on the pain fraction just calibrated (the stored one where they agree)
    tau = calibrate_pain_summation_tau(pain_adelta_fraction=counts.pain_adelta_fraction)
    print(f"pain summation time constant: calibrated {tau * 1e3:.2f}"
          f" ms, stored {PAIN_SUMMATION_TAU_S * 1e3:.2f} ms; pain current 20 Hz / 1 Hz with "
          f"the stored one {pain_current_rate_ratio(PAIN_SUMMATION_TAU_S):.4f}", flush=True)
    print(f"motor branch diameter factor: calibrated {calibrate_motor_branch_factor():.3f}, "
          f"stored {MOTOR_BRANCH_DIAMETER_FACTOR:.3f}; 25 % MVC with the stored one at "
          + ", ".join(f"{quarter_mvc_current(None, p) * 1e3:.1f} mA ({p[0]:g} x {p[1]:g} cm)"
                      for p in STUDY_PADS_CM), flush=True)
    print(f"periosteal Aδ per skin Aδ: calibrated {calibrate_periosteal_density():g}, stored "
          f"{PERIOSTEAL_DENSITY_RATIO:g}", flush=True)
    if args.no_spread:
        return
    target = next(t.value for t in CALIBRATION_TARGETS if t.name == "detection_spread")
    anatomy = detection_spread(0.0)
    factor = ((1 + target * target) / (1 + anatomy * anatomy) - 1) ** 0.5
    print(f"detection SD/mean over virtual subjects: anatomy alone {anatomy:.3f}; target "
          f"{target:.3f}; factor CV calibrated {round(factor * 200) / 200:.3f}, stored "
          f"{SUBJECT_EXCITABILITY_CV:.3f}; with the stored factor "
          f"{detection_spread():.3f}", flush=True)
    target = next(t.value for t in CALIBRATION_TARGETS if t.name == "pain_spread")
    print(f"pain SD/mean over virtual subjects: without its own factor {pain_spread(0.0):.3f}; "
          f"target {target:.3f}; its factor's CV calibrated {calibrate_pain_criterion_cv():.3f}, "
          f"stored {PAIN_CRITERION_CV:.3f}; with the stored factor {pain_spread():.3f}",
          flush=True)


if __name__ == "__main__":
    main()
