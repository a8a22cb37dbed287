"""Iontophoresis dose, current density, polarity and the Faraday estimate."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estim.effects import (
    CURRENT_DENSITY_LIMIT_A_PER_M2,
    DRUGS,
    IONTOPHORESIS_TABLE,
    MA_MIN_IN_C,
    Electrode,
    EvidenceLevel,
    get_drug,
    iontophoresis_dose,
    time_to_dose,
)
from estim.errors import InputError
from estim.units import ureg

FARADAY = 96485.33212  # C/mol, CODATA 2018 exact


def test_40_mA_min_of_dexamethasone_by_hand():
    # 4 mA for 10 min under a 10 cm² cathode: the textbook 40 mA·min treatment.
    r = iontophoresis_dose(4e-3, 600.0, electrode_area_m2=10e-4,
                           drug="dexamethasone sodium phosphate")
    assert r.charge_C == pytest.approx(2.4, rel=1e-12)
    assert r.dose_mA_min == pytest.approx(40.0, rel=1e-12)
    assert r.current_density_mA_per_cm2 == pytest.approx(0.4, rel=1e-12)
    assert r.current_density_ok and r.polarity_ok and r.findings == ()
    assert r.required_electrode is Electrode.CATHODE and r.drug_electrode is Electrode.CATHODE
    moles = 0.012 * 2.4 / (2 * FARADAY)  # t_d Q / (|z| F), z = -2
    assert r.moles_delivered == pytest.approx(moles, rel=1e-9)
    assert r.mass_delivered_mg == pytest.approx(moles * 470.43e3, rel=1e-9)  # [g/mol -> mg/mol]
    assert r.evidence_level is EvidenceLevel.PHYSICAL_ESTIMATE
    assert "order of magnitude" in r.evidence


def test_ramps_take_half_their_time_at_full_current():
    r = iontophoresis_dose(4e-3, 600.0, ramp_up_s=30.0, ramp_down_s=10.0,
                           electrode_area_m2=10e-4)
    assert r.charge_C == pytest.approx(4e-3 * (600.0 - 20.0), rel=1e-12)
    assert r.drug is None and r.moles_delivered is None and r.polarity_ok is None


def test_wrong_polarity_is_flagged_and_delivers_nothing():
    r = iontophoresis_dose(2e-3, 600.0, electrode_area_m2=10e-4, drug="Lidocaine HCl",
                           drug_electrode="cathode")
    assert r.polarity_ok is False and r.required_electrode is Electrode.ANODE
    assert r.mass_delivered_kg == 0.0
    assert any("wrong polarity" in f for f in r.findings)


@pytest.mark.parametrize(("name", "electrode"), [
    ("dexamethasone_sodium_phosphate", Electrode.CATHODE),
    ("lidocaine_hcl", Electrode.ANODE),
    ("acetic_acid", Electrode.CATHODE),
])
def test_drug_table_polarity_and_sources(name, electrode):
    d = DRUGS[name]
    assert d.electrode is electrode
    assert 0 < d.transport_number < 1 and d.source
    assert d.transport_number_status in ("measured", "assumed")
    assert d.salt_molar_mass_kg_per_mol >= d.ion_molar_mass_kg_per_mol * 0.99


def test_current_density_limit_is_half_a_milliamp_per_cm2():
    row = IONTOPHORESIS_TABLE[0]
    assert ureg().Quantity(row.published).to(row.unit).magnitude == pytest.approx(row.value)
    assert CURRENT_DENSITY_LIMIT_A_PER_M2 == pytest.approx(5.0)
    r = iontophoresis_dose(4e-3, 600.0, electrode_area_m2=5e-4)  # 0.8 mA/cm²
    assert not r.current_density_ok
    assert any("8 cm²" in f for f in r.findings)  # area that would bring it to 0.5


def test_a_dose_past_the_labelled_80_ma_min_is_said_in_the_dose():
    """A 400 mA·min session warned in the check alone; its dose said nothing (physics review
    of 6 December 2026). Past the 80 mA·min buffered electrodes are labelled for, the dose's
    findings say so; at it, they do not."""
    from estim.effects.iontophoresis import LABELLED_DOSE_MAX_C

    row = IONTOPHORESIS_TABLE[1]
    assert ureg().Quantity(row.published).to(row.unit).magnitude == pytest.approx(row.value)
    assert LABELLED_DOSE_MAX_C == pytest.approx(4.8)  # 80 mA x 60 s
    from estim.safety.limits import limit

    # the check's warning and the dose's finding at one dose (defined in both layers)
    assert limit("iontophoresis.dose").value == LABELLED_DOSE_MAX_C
    at = iontophoresis_dose(4e-3, 1200.0, electrode_area_m2=10e-4)  # 4 mA x 20 min = 80
    assert at.dose_mA_min == pytest.approx(80.0)
    assert not [f for f in at.findings if "mA·min" in f]
    over = iontophoresis_dose(1e-3, 24000.0, electrode_area_m2=10e-4)  # 400 mA·min
    (said,) = [f for f in over.findings if f.startswith("dose ")]
    assert said.startswith("dose 400 mA·min exceeds the 80 mA·min") and "burns" in said


def test_the_return_pad_is_held_to_the_same_density():
    """A 3 cm² return pad under a 24 cm² drug pad carried 1.33 mA/cm² while the dose said
    its density was fine (probe of 5 December 2026): the limit holds under both pads."""
    fine = iontophoresis_dose(4e-3, 600.0, electrode_area_m2=24e-4, return_area_m2=10e-4)
    assert fine.current_density_ok and fine.return_current_density_A_per_m2 == \
        pytest.approx(4.0)  # 4 mA / 10 cm² = 0.4 mA/cm²
    small = iontophoresis_dose(4e-3, 600.0, electrode_area_m2=24e-4, return_area_m2=3e-4)
    assert not small.current_density_ok
    assert small.current_density_mA_per_cm2 == pytest.approx(4 / 24)  # the drug pad's
    assert small.return_current_density_A_per_m2 == pytest.approx(4e-3 / 3e-4)
    assert [f for f in small.findings if "return electrode" in f and "8 cm²" in f]
    assert iontophoresis_dose(4e-3, 600.0, electrode_area_m2=24e-4) \
        .return_current_density_A_per_m2 is None


def test_a_programs_dose_judges_both_pads_and_finds_the_drugs_own():
    """The run's dose takes the drug pad the drug needs where the file leaves it out (it took
    the anode's area for dexamethasone, a cathode drug), and the other pad as the return."""
    from estim.effects.program import effects_for_program
    from estim.program import parse_program
    from estim.program.bundled import bundled_examples
    from estim.waveforms.build import stimuli_for

    text = bundled_examples()["iontophoresis_dexamethasone"].read_text(encoding="utf-8")
    text = text.replace('drug_electrode = "cathode"\n', "")
    assert "drug_electrode" not in text
    program = parse_program(text.replace('width = "4 cm", length = "6 cm"',
                                         'width = "1.5 cm", length = "2 cm"'))
    dose = effects_for_program(program, stimuli_for(program)).to_dict()["dose"]
    assert dose["current_density_mA_per_cm2"] == pytest.approx(0.4)  # 4 mA / 10 cm² cathode
    assert dose["return_current_density_mA_per_cm2"] == pytest.approx(4 / 3)  # 3 cm² anode
    assert dose["current_density_ok"] is False


def _example_with(old: str, new: str) -> str:
    from estim.program.bundled import bundled_examples

    text = bundled_examples()["iontophoresis_dexamethasone"].read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


def test_a_compliance_that_cannot_drive_the_dose_is_said_and_tabled():
    """5 V of compliance into the skin under 24 and 10 cm² pads (300 Ω and 20 kΩ·cm² each:
    3.13 kΩ to a steady current) drives 1.6 mA, not the programmed 4 mA: the run said
    40 mA·min and the check table "4 mA" through the 300 Ω in series (probe of 5 December
    2026). Both read the same load (they differed by 5 % in review)."""
    from estim.effects.program import effects_for_program
    from estim.program import parse_program
    from estim.safety import check
    from estim.waveforms.build import stimuli_for

    weak = parse_program(_example_with('compliance_voltage = "80 V"',
                                       'compliance_voltage = "5 V"'))
    dose = effects_for_program(weak, stimuli_for(weak)).to_dict()["dose"]
    short = [f for f in dose["findings"] if "5 V compliance" in f]
    load = 300 + 20e3 / 24 + 20e3 / 10  # Ω: the series and the per-area stratum corneum
    assert short and "1.6 mA" in short[0] and f"{5 / load / 4e-3:.0%}" in short[0]
    row = check(weak).table.channels[0].row("skin_peak_current")
    # the check's own typical load: 300 Ω in series and 20 kΩ·cm² under each pad
    assert row.programmed == pytest.approx(5.0 / (300 + 20e3 / 24 + 20e3 / 10), rel=1e-9)
    strong = parse_program(_example_with('compliance_voltage = "80 V"',
                                         'compliance_voltage = "80 V"'))
    assert not [f for f in effects_for_program(strong, stimuli_for(strong)).to_dict()
                ["dose"]["findings"] if "compliance" in f]


def test_unknown_drug_names_the_known_ones():
    with pytest.raises(InputError) as err:
        get_drug("aspirin")
    assert err.value.field == "drug"
    for name in DRUGS:
        assert name in err.value.expected


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"current_A": -1e-3}, "current_A"),
    ({"current_A": 0.05}, "current_A"),
    ({"duration_s": 0.0}, "duration_s"),
    ({"electrode_area_m2": float("nan")}, "electrode_area_m2"),
    ({"ramp_up_s": 400.0, "ramp_down_s": 400.0}, "ramp_up_s + ramp_down_s"),
    ({"drug_electrode": "positive"}, "drug_electrode"),
])
def test_bad_input(kwargs, field):
    args = {"current_A": 2e-3, "duration_s": 600.0, "electrode_area_m2": 1e-3} | kwargs
    with pytest.raises(InputError) as err:
        iontophoresis_dose(args.pop("current_A"), args.pop("duration_s"), **args)
    assert err.value.field == field


def test_time_to_dose_of_40_mA_min():
    assert time_to_dose(40 * MA_MIN_IN_C, 4e-3) == pytest.approx(600.0)
    assert time_to_dose(40 * MA_MIN_IN_C, 4e-3, ramp_up_s=30, ramp_down_s=30) == \
        pytest.approx(630.0)
    with pytest.raises(InputError, match="dose_C"):
        time_to_dose(0.01, 4e-3, ramp_up_s=30)


@settings(max_examples=60, deadline=None)
@given(
    dose_mA_min=st.floats(1.0, 200.0),
    current_mA=st.floats(0.1, 10.0),
    up=st.floats(0.0, 60.0),
    down=st.floats(0.0, 60.0),
)
def test_time_to_dose_inverts_the_dose(dose_mA_min, current_mA, up, down):
    q = dose_mA_min * MA_MIN_IN_C
    i = current_mA * 1e-3
    if q < 0.5 * i * (up + down):
        with pytest.raises(InputError):
            time_to_dose(q, i, ramp_up_s=up, ramp_down_s=down)
        return
    t = time_to_dose(q, i, ramp_up_s=up, ramp_down_s=down)
    r = iontophoresis_dose(i, t, ramp_up_s=up, ramp_down_s=down, electrode_area_m2=1e-3)
    assert r.dose_mA_min == pytest.approx(dose_mA_min, rel=1e-9)  # float round trip only


@settings(max_examples=40, deadline=None)
@given(current_mA=st.floats(0.01, 10.0), area_cm2=st.floats(0.5, 100.0))
def test_density_flag_agrees_with_the_limit(current_mA, area_cm2):
    r = iontophoresis_dose(current_mA * 1e-3, 600.0, electrode_area_m2=area_cm2 * 1e-4)
    assert r.current_density_mA_per_cm2 == pytest.approx(current_mA / area_cm2, rel=1e-12)
    assert r.current_density_ok == (current_mA / area_cm2 <= 0.5 * (1 + 1e-12))


def test_each_iontophoresis_channel_on_gets_its_own_dose(tmp_path):
    """Two iontophoresis channels on: the second's dose was only said to be missing, and a
    compliance too low for its pads not at all (review of 6 December 2026). Each now has
    its dose, under its own pads, named by its channel in results.json, the terminal and
    the report."""
    import io
    import math

    from rich.console import Console

    from estim.program import parse_program
    from estim.report.html import render_html
    from estim.report.run import result_to_dict
    from estim.report.terminal import render_brief
    from estim.simulate import simulate
    from tests.programs import IONTO, IONTO_DEXAMETHASONE, channel, disc, head

    text = (head("two drugs", "forearm", compliance_voltage="20 V")
            + channel("elbow", "forearm_dorsal_proximal", "forearm_lateral_epicondyle",
                      pad=disc("4 cm"), **IONTO_DEXAMETHASONE)
            + channel("wrist", "forearm_volar_proximal", "forearm_volar_distal",
                      pad=disc("2 cm"), **{**IONTO, "amplitude": "2 mA"}))
    result = simulate(parse_program(text))
    data = result_to_dict(result)
    first, (second,) = data["effects"]["dose"], data["effects"]["other_doses"]
    assert (first["channel"], second["channel"]) == ("elbow", "wrist")
    # 40 mA·min at 2 mA: 20 min plus half the default 30 s ramps; 2 mA over the 2 cm
    # disc's π cm² (closed forms)
    assert second["duration_s"] == pytest.approx(1230.0, rel=1e-12)
    assert second["current_density_mA_per_cm2"] == pytest.approx(2 / math.pi, rel=1e-12)
    assert first["duration_s"] == pytest.approx(630.0, rel=1e-12)
    # 20 V into the small discs' d.c. load (300 Ω + 20 kΩ·cm² under each π cm²) drives
    # about 1.5 mA of the 2 mA, and 0.637 mA/cm² is over the 0.5 guideline: said under
    # that channel's dose, not under the other's
    load = 300 + 2 * 20e3 / math.pi
    assert any(f"{20 / load / 2e-3:.0%}" in f for f in second["findings"])
    assert any("0.637 mA/cm²" in f for f in second["findings"])
    assert not first["findings"]
    # the second channel's device maximum (its dose scaled past the 1000 mA·min a program
    # may hold) is judged, not left to an "analysis" warning: 20 V into 500 Ω is 40 mA,
    # 40 mA over π cm² (a closed form)
    assert not result.safety.by_rule("analysis")
    at_top = [f for f in result.safety.by_rule("iontophoresis.current_density")
              if f.channel == "wrist" and f.setting is not None
              and f.setting.value == "device maximum"]
    assert len(at_top) == 1
    assert at_top[0].value == pytest.approx(0.040 / (math.pi * 1e-4), rel=1e-9)  # A/m²
    out = io.StringIO()
    render_brief(data, Console(file=out, width=80, color_system=None))
    said = out.getvalue()
    assert "Dose (channel elbow):" in said and "Dose (channel wrist):" in said
    page = render_html(result, data, program_text=text)
    assert "Iontophoretic dose, channel elbow" in page
    # each dose's own evidence: the drug's Faraday estimate under the elbow's, none under
    # the wrist's, which has no drug (the first's stood under both; review)
    elbow, wrist = page.split("<h2>Iontophoretic dose, channel wrist")  # not the contents
    assert "Faraday" in elbow.split("<h2>Iontophoretic dose, channel elbow")[1]
    assert "Faraday" not in wrist.split("</section>")[0]
