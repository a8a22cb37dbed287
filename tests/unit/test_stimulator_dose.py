"""The iontophoresis dial's dose at a setting, worded for the dial (no simulation needed)."""

from __future__ import annotations

import pytest

from estim.program import parse_program
from estim.program.bundled import bundled_examples
from estim.stimulator.engine import _dose_at


def _program(**replace: str):  # type: ignore[no-untyped-def]
    text = bundled_examples()["iontophoresis_dexamethasone"].read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return parse_program(text)


def test_a_setting_refused_by_the_dose_says_which_settings_work() -> None:
    """"dose: got '40 mA*min', expected a dose that 10 µA delivers within 24 h" pointed at
    the dose where the user had turned the dial (review of 6 December 2026)."""
    low, dose = _dose_at(_program(), 10e-6)
    # 2.4 C over a day less half the two 30 s ramps: 27.8 µA, said just above it
    assert dose is None and "below 27.9 µA the 40 mA·min take more than a day" in low[0]
    small = _program(**{'dose = "40 mA*min"': 'dose = "2 mA*min"',
                        'amplitude = "4 mA"': 'amplitude = "1 mA"'})
    high, _ = _dose_at(small, 4.5e-3)
    # the ramps deliver half their current for 60 s: 0.12 C / 30 s = 4 mA
    assert "above 3.98 mA the ramps alone deliver more than the 2 mA·min" in high[0]


def test_a_compliance_short_of_the_dial_is_said_of_the_dial() -> None:
    """"64% of the programmed 5 mA" was said of the dial's 5 mA (review)."""
    reasons, dose = _dose_at(_program(**{'compliance_voltage = "80 V"':
                                         'compliance_voltage = "10 V"'}), 5e-3)
    assert dose is not None
    short = [r for r in reasons if "compliance drives at most" in r]
    assert len(short) == 1 and "of the dial's 5 mA" in short[0]
    assert "programmed" not in short[0]
    assert dose["duration_s"] == pytest.approx(40 * 60 / 5 + 30, rel=1e-12)
