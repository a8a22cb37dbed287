"""Calibrate the four global values of the sensation model on the named human data, once.

    .venv/bin/python benchmarks/calibrate_sensation.py

The configuration is :data:`estim.effects.calibration.CALIBRATION_CONFIGURATION` (the pads
of the bundled ``tens_acupuncture`` program, 5 x 5 cm on the volar forearm; symmetric
biphasic pulses of 100 µs per phase; the default fiber sample, seed 0) and the targets are
:data:`~estim.effects.calibration.CALIBRATION_TARGETS`. Prints the sensory axons' persistent
Na shift (to store in ``estim.fibers.tables.MRG``; calibrated first: the counts depend on
it), the counts to store in ``CALIBRATED_COUNTS`` and the thresholds the stored ones give.
"""

from __future__ import annotations

from estim.effects.calibrate import calibrate, calibrate_nap_shift, calibration_window
from estim.effects.calibration import CALIBRATED_COUNTS, CALIBRATION_TARGETS
from estim.fibers.tables import MRG


def main() -> None:
    print("targets:", ", ".join(f"{t.name} {t.value:.3g} {t.unit}" for t in CALIBRATION_TARGETS))
    print(f"sensory persistent Na shift: calibrated {calibrate_nap_shift():.2f} mV, stored "
          f"{float(MRG['sensory_nap_shift']):.2f} mV (the counts below use the stored one)")
    print("calibrated:", calibrate())
    print("stored:    ", CALIBRATED_COUNTS)
    win = calibration_window()
    print(f"with the stored values: detection {win.sensory_a * 1e3:.2f} mA, strong "
          f"{win.strong_a * 1e3:.2f} mA, pain {win.pain_a * 1e3:.2f} mA, motor "
          f"{win.motor_a * 1e3:.2f} mA")


if __name__ == "__main__":
    main()
