"""Calibrate the three global sensation criteria on the named human data, once.

    .venv/bin/python benchmarks/calibrate_sensation.py

The configuration is :data:`estim.effects.calibration.CALIBRATION_CONFIGURATION` (the pads
of the bundled ``tens_acupuncture`` program, 5 x 5 cm on the volar forearm; symmetric
biphasic pulses of 100 µs per phase; the default fiber sample, seed 0) and the targets are
:data:`~estim.effects.calibration.CALIBRATION_TARGETS`. Prints the counts to store in
``CALIBRATED_COUNTS`` and the thresholds the stored ones give.
"""

from __future__ import annotations

from estim.effects.calibration import (
    CALIBRATED_COUNTS,
    CALIBRATION_TARGETS,
    calibrate,
    calibration_window,
)


def main() -> None:
    print("targets:", ", ".join(f"{t.name} {t.value:.3g} {t.unit}" for t in CALIBRATION_TARGETS))
    print("calibrated:", calibrate())
    print("stored:    ", CALIBRATED_COUNTS)
    win = calibration_window()
    print(f"with the stored values: detection {win.sensory_a * 1e3:.2f} mA, strong "
          f"{win.strong_a * 1e3:.2f} mA, pain {win.pain_a * 1e3:.2f} mA, motor "
          f"{win.motor_a * 1e3:.2f} mA")


if __name__ == "__main__":
    main()
