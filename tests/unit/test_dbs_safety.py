"""A voltage-controlled DBS setting is judged into the lead's impedance: the one the program
states, else the 500 Ω test load (conservative), or the field solution's where it is lower."""

from __future__ import annotations

import pytest

from estim.program import parse_program
from estim.safety import check

TEXT = """
name = "voltage DBS"
[device]
control = "voltage"
max_voltage = "5 V"
implanted = true
[site]
name = "stn"
lead = "medtronic_3389"
[[channels]]
name = "1"
IMPEDANCE
cathode = { placement = "lead_contact_1" }
anode = { placement = "case", shape = "rectangular", width = "5 cm", length = "6 cm" }
[channels.stimulation]
type = "dbs"
amplitude = "3 V"
frequency = "130 Hz"
pulse_width = "90 us"
recharge = "active"
"""
AREA_M2 = 3.14159265e-3 * 1.27 * 1.5e-3  # [π · 1.27 mm · 1.5 mm, in m²]


def _density(report, setting: str = "programmed") -> tuple[float, str]:
    f = next(f for f in report.by_rule("implant.charge_density")
             if f.setting is not None and f.setting.value == setting)
    assert f.value is not None
    return f.value, f.note


@pytest.mark.parametrize(("stated", "given", "ohms", "words"), [
    ('impedance = "1.2 kohm"', None, 1200.0, "stated in the program"),
    ('impedance = "1.2 kohm"', {"1": 800.0}, 1200.0, "stated in the program"),
    ("", {"1": 400.0}, 400.0, "field solution"),
    # above 500 Ω the field solution's impedance would lower the current: the verdict
    # keeps the low test load, and the note names the field's (probe of 5 December 2026:
    # `run` said WARN where `check` said FAIL)
    ("", {"1": 800.0}, 500.0, "field solution's 800 Ω would give less"),
    ("", None, 500.0, "500 Ω"),
])
def test_charge_density_uses_the_lead_impedance(stated, given, ohms, words) -> None:
    report = check(parse_program(TEXT.replace("IMPEDANCE", stated)), impedances_ohm=given)
    density, note = _density(report)
    q = 3.0 / ohms * 90e-6  # [V / Ω · s -> C]
    assert density == pytest.approx(q / AREA_M2, rel=2e-3)
    assert words in note
    table = report.table.channels[0]
    if ohms != 500.0:
        assert table.row("max_phase_charge_lead").programmed == pytest.approx(q, rel=1e-6)
    else:
        with pytest.raises(KeyError):
            table.row("max_phase_charge_lead")
