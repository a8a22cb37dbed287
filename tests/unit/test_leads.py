"""The DBS lead library and a program's lead: dimensions, placements, one clear error."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import estim.leads as leads_module
from estim.errors import InputError
from estim.fields.electrodes import place_electrode
from estim.fields.sites import placements, site_from_spec
from estim.leads import LEAD_NAMES, get_lead
from estim.program import ProgramError, parse_program

DBS_TEXT = """
name = "DBS"
[device]
control = "current"
max_current = "10 mA"
compliance_voltage = "10 V"
implanted = true
[site]
name = "stn"
[[channels]]
name = "1"
cathode = { CATHODE }
anode = { placement = "case", shape = "rectangular", width = "5 cm", length = "6 cm" }
[channels.stimulation]
type = "dbs"
amplitude = "3 mA"
frequency = "130 Hz"
pulse_width = "60 us"
recharge = "passive"
duration = "1 h"
"""
CONTACT = ('placement = "lead_contact_1", shape = "lead_contact", diameter = "1.27 mm", '
           'contact_length = "1.5 mm"')
DBS_TEXT = DBS_TEXT.replace("CATHODE", CONTACT)


def _with_lead(lead: str, cathode: str = 'placement = "lead_contact_1"') -> str:
    text = DBS_TEXT.replace('name = "stn"', f'name = "stn"\nlead = "{lead}"', 1)
    return text.replace(CONTACT, cathode, 1)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(leads_module).failed == 0


@pytest.mark.parametrize(("name", "spacing_mm", "span_mm"), [
    ("medtronic_3387", 1.5, 10.5), ("medtronic_3389", 0.5, 7.5)])
def test_medtronic_rings_have_their_published_span(name, spacing_mm, span_mm) -> None:
    lead = get_lead(name)
    assert lead.diameter_m == pytest.approx(1.27e-3)
    assert [c.name for c in lead.contacts] == ["0", "1", "2", "3"]
    top, bottom = lead.contacts[-1], lead.contacts[0]
    # contact 0's lower edge to contact 3's upper edge: 4 x 1.5 mm + 3 spacings
    span = (top.z_center_m + top.length_m / 2) - (bottom.z_center_m - bottom.length_m / 2)
    assert span == pytest.approx(span_mm * 1e-3)
    assert lead.spacing_m == pytest.approx(spacing_mm * 1e-3)
    assert not lead.directional


def test_directional_lead_has_three_segments_per_middle_level() -> None:
    lead = get_lead("abbott_6172")
    assert lead.directional
    assert lead.contact_names == ("1", "2a", "2b", "2c", "3a", "3b", "3c", "4")
    ring, seg = lead.contact("1"), lead.contact("2A")
    # a segment covers 90° of the circumference: a quarter of a ring's area
    assert seg.area_m2(lead.diameter_m) == pytest.approx(ring.area_m2(lead.diameter_m) / 4)
    angles = sorted(lead.contact(n).angle_deg for n in ("3a", "3b", "3c"))
    assert angles == [0.0, 120.0, 240.0]


def test_every_lead_names_a_source_and_unknown_names_list_the_known() -> None:
    assert all(get_lead(n).source for n in LEAD_NAMES)
    with pytest.raises(InputError, match="medtronic_3389"):
        get_lead("medtronic_3390")
    assert get_lead("Medtronic-3389").name == "medtronic_3389"


def test_site_places_the_leads_contacts() -> None:
    site = site_from_spec("stn", {"lead": "medtronic_3387"})
    assert site.lead == "medtronic_3387"
    assert placements(site) == ["lead_contact_0", "lead_contact_1", "lead_contact_2",
                                "lead_contact_3", "case"]
    e = place_electrode(site, "lead_contact_2")
    assert e.position[2] == pytest.approx(get_lead("medtronic_3387").contact("2").z_center_m)
    assert "lead='medtronic_3387'" in repr(site)
    # forearm sites keep their old text (field cache keys)
    assert "lead" not in repr(site_from_spec("forearm"))


def test_segment_is_placed_facing_its_angle_with_its_arc() -> None:
    """Segments 2A, 2B, 2C face 0°, 120° and 240° around the lead (0°: +x), 90° wide."""
    site = site_from_spec("stn", {"lead": "abbott_6172"})
    for name, angle in (("lead_contact_2a", 0.0), ("lead_contact_2b", 120.0),
                        ("lead_contact_2c", 240.0)):
        e = place_electrode(site, name)
        assert e.arc_deg == pytest.approx(90.0)
        n = np.asarray(e.normal)
        assert float(n @ np.asarray(e.axis)) == pytest.approx(0.0, abs=1e-12)
        a = math.radians(angle)
        assert n[:2] == pytest.approx([math.cos(a), math.sin(a)], abs=1e-12), name
    assert place_electrode(site, "lead_contact_1").arc_deg == 360.0


def test_program_takes_sizes_and_area_from_the_lead() -> None:
    p = parse_program(_with_lead("abbott_6172", 'placement = "lead_contact_2B"'))
    e = p.channels[0].cathode
    lead = get_lead("abbott_6172")
    assert e.placement == "lead_contact_2b"
    assert e.area_m2 == pytest.approx(math.pi * 1.29e-3 * 1.5e-3 / 4)
    assert p.site.lead == "abbott_6172"
    # a stated size that agrees with the lead is accepted
    p = parse_program(_with_lead("medtronic_3389", CONTACT))
    assert p.channels[0].cathode.area_m2 == pytest.approx(math.pi * 1.27e-3 * 1.5e-3)
    assert lead.contact("1").is_ring


@pytest.mark.parametrize(("change", "field", "words"), [
    (("lead_contact_1", "lead_contact_7"), "channels[0].cathode.placement", "lead_contact_3"),
    (('lead = "medtronic_3389"', 'lead = "boston_vercise"'), "site.lead", "medtronic_3387"),
    (('lead = "medtronic_3389"', "lead = 3389"), "site.lead", "a lead name"),
    (('placement = "lead_contact_1"', 'placement = "lead_contact_1", diameter = "1.4 mm"'),
     "channels[0].cathode.diameter", "1.27 mm"),
    (('placement = "lead_contact_1"', 'placement = "lead_contact_1", area = "6 mm^2"'),
     "channels[0].cathode.area", "comes from"),
    (('placement = "lead_contact_1"', 'placement = "lead_contact_1", shape = "circular"'),
     "channels[0].cathode.shape", "lead_contact"),
])
def test_bad_lead_settings_get_one_clear_error(change, field, words) -> None:
    text = _with_lead("medtronic_3389").replace(*change, 1)
    assert text != _with_lead("medtronic_3389")
    with pytest.raises(ProgramError) as info:
        parse_program(text)
    assert len(info.value.problems) == 1
    assert info.value.field == field and words in info.value.expected


def test_a_lead_beside_skin_pads_names_the_lead_too(tens_text: str) -> None:
    """``lead = ...`` on the lower back blamed the TENS pads alone ("channels[0].cathode.
    placement: ... expected a contact of the Medtronic 3389"; probe of 6 December 2026).
    Where no electrode is a contact, either may be the mistake (a lead on the skin, or a
    mistyped contact on the brain: review), so the message names both, and the error is
    where it was: at the placement."""
    site = 'name = "lower_back"'
    text = tens_text.replace(site, site + '\nlead = "medtronic_3389"', 1)
    assert text != tens_text
    with pytest.raises(ProgramError) as info:
        parse_program(text)
    assert info.value.field == "channels[0].cathode.placement"
    assert "or, for pads on the skin, no site.lead" in info.value.expected
    assert "lead_contact_1" in info.value.expected


def test_without_a_lead_a_contact_is_the_default_leads() -> None:
    """A brain site's field is solved with the default lead whether the program names it
    or not, so its contact's size comes from that lead too: a contact written 5 x 6 cm had
    passed the charge-density limit at 1/500 of the modelled contact's density (probe of 5
    December 2026)."""
    assert 'lead = "' not in DBS_TEXT
    p = parse_program(DBS_TEXT)
    assert p.channels[0].cathode.area_m2 == pytest.approx(math.pi * 1.27e-3 * 1.5e-3)
    big = DBS_TEXT.replace(CONTACT, 'placement = "lead_contact_1", shape = "rectangular", '
                                    'width = "5 cm", length = "6 cm"', 1)
    with pytest.raises(ProgramError) as info:
        parse_program(big)
    assert info.value.field == "channels[0].cathode.shape"
    assert "Medtronic 3389" in info.value.expected
    # without any size the contact is sized from the lead, as with `lead = ...`
    bare = DBS_TEXT.replace(CONTACT, 'placement = "lead_contact_1"', 1)
    assert parse_program(bare).channels[0].cathode.area_m2 == pytest.approx(
        p.channels[0].cathode.area_m2)


def test_an_implanted_device_needs_an_implanted_electrode_on_every_channel() -> None:
    """``implanted = true`` on skin pads would judge them by the implant rules alone: a
    TENS program at 56.6 mA r.m.s. (over the IEC's 50 mA) passed. It is refused."""
    from estim import bundled_examples

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    assert parse_program(text).device.implanted is False
    implanted = text.replace("[device]\n", "[device]\nimplanted = true\n", 1)
    assert implanted != text
    with pytest.raises(ProgramError) as info:
        parse_program(implanted)
    assert info.value.field == "device.implanted"
    assert "channel '1' has no implanted electrode" in info.value.expected


def test_an_implanted_lead_on_a_device_written_not_implanted_is_refused() -> None:
    """``implanted = false`` beside a lead's contact was judged by the implant rules
    without a word (probe of 5 December 2026); left out, the contact makes it implanted."""
    from estim import bundled_examples

    text = bundled_examples()["dbs_stn"].read_text(encoding="utf-8")
    assert "implanted = true" in text
    with pytest.raises(ProgramError) as info:
        parse_program(text.replace("implanted = true", "implanted = false"))
    assert info.value.field == "device.implanted"
    assert "channel '1' drives the contact of an implanted lead" in info.value.expected
    assert parse_program(text.replace("implanted = true\n", "")).implanted


_MICROCURRENT = """[channels.stimulation]
type = "microcurrent"
amplitude = "1 uA"
frequency = "0.5 Hz"
duration = "45 min"
"""


def test_only_dbs_drives_a_leads_contact_and_dbs_only_a_leads_contact() -> None:
    """Microcurrent at fixed polarity on a brain contact (a net d.c.) passed the implant
    rules, and TENS there got a skin window ("painful: this would hurt"); DBS on skin pads
    passed ``check`` and failed ``run`` on a field not in the file (probe of 5 December
    2026). Each is refused where the program is read, naming the modality."""
    from estim import bundled_examples

    dbs = DBS_TEXT[:DBS_TEXT.index("[channels.stimulation]")]
    with pytest.raises(ProgramError) as info:
        parse_program(dbs + _MICROCURRENT)
    assert info.value.field == "channels[0].stimulation.type"
    assert info.value.value == "microcurrent" and "'dbs'" in info.value.expected
    skin = bundled_examples()["iontophoresis_dexamethasone"].read_text(encoding="utf-8")
    head = skin[:skin.index("[channels.stimulation]")]
    with pytest.raises(ProgramError) as info:
        parse_program(head + DBS_TEXT[DBS_TEXT.index("[channels.stimulation]"):])
    assert info.value.field == "channels[0].stimulation.type"
    assert info.value.value == "dbs" and "lead_contact_N" in info.value.expected
    assert parse_program(DBS_TEXT).channels[0].stimulation.type == "dbs"


def test_a_lead_on_a_limb_is_refused_where_the_site_is_built() -> None:
    """The program file is read; the site stage (build_setup, which simulate and the CLI
    run) refuses a lead on a site that is not a brain."""
    from estim import build_setup
    from estim.errors import InputError

    program = parse_program(_with_lead("medtronic_3389").replace('name = "stn"',
                                                                  'name = "forearm"', 1))
    with pytest.raises(InputError) as info:
        build_setup(program)
    assert info.value.field == "site.lead" and "brain" in info.value.expected


def test_a_contact_cannot_be_anode_and_cathode_at_once() -> None:
    text = _with_lead("medtronic_3389") + """
[[channels]]
name = "2"
cathode = { placement = "lead_contact_2" }
anode = { placement = "lead_contact_1" }

[channels.stimulation]
type = "dbs"
amplitude = "1 mA"
frequency = "130 Hz"
pulse_width = "60 us"
recharge = "passive"
duration = "1 h"
"""
    with pytest.raises(ProgramError) as info:
        parse_program(text)
    assert info.value.field == "channels[1].anode.placement"
    assert "one polarity" in info.value.expected


@pytest.mark.parametrize(("impedance", "ok"), [('"1.2 kohm"', True), ('"10 ohm"', False),
                                              ('"1 Mohm"', False), ('"3 mA"', False)])
def test_stated_impedance_is_checked(impedance, ok) -> None:
    text = _with_lead("medtronic_3389").replace('name = "1"\n', f'name = "1"\nimpedance = '
                                                f'{impedance}\n', 1)
    if ok:
        assert parse_program(text).channels[0].impedance == pytest.approx(1200.0)
        return
    with pytest.raises(ProgramError) as info:
        parse_program(text)
    assert info.value.field == "channels[0].impedance"


def test_a_verdict_other_than_the_files_expected_one_is_said(tmp_path, capsys) -> None:
    """``expected_verdict = "fail"`` on a program that passes was silently ignored by check
    and run (probe of 5 December 2026); both say so, and check's JSON carries it."""
    import json

    from estim import bundled_examples
    from estim.cli.main import main

    text = bundled_examples()["dbs_stn"].read_text(encoding="utf-8")
    assert 'expected_verdict = "pass"' in text
    path = tmp_path / "expects_fail.toml"
    path.write_text(text.replace('expected_verdict = "pass"', 'expected_verdict = "fail"'),
                    encoding="utf-8")
    assert main(["check", str(path)]) == 0
    assert "the file expects FAIL; estim concludes PASS" in capsys.readouterr().out
    assert main(["check", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["expected_verdict"] == "fail"
    same = tmp_path / "expects_pass.toml"
    same.write_text(text, encoding="utf-8")
    assert main(["check", str(same)]) == 0
    assert "the file expects" not in capsys.readouterr().out


def test_the_case_keeps_its_stated_size() -> None:
    """fields.json gave the pulse generator's 5 x 6 cm case an area of 0 (probe of
    5 December 2026); the field takes it as the far boundary whatever its size."""
    from estim.fields.program import electrode_from_spec

    program = parse_program(DBS_TEXT)
    site = site_from_spec(program.site.name)
    case = electrode_from_spec(site, program.channels[0].anode, field="anode")
    assert case.shape == "case"
    assert (case.length, case.width) == pytest.approx((0.06, 0.05))
    assert case.to_dict()["area_m2"] == pytest.approx(30e-4)


def test_a_slow_passive_recharge_is_balanced_and_its_time_constant_reads_in_hours() -> None:
    """A 1 h recharge time constant integrated to ~3e-12 of the phase (1 - exp lost its
    digits; expm1 keeps them): the check printed "5.3 × 10⁻¹³ µC" of net charge and a time
    constant of "3.6e+06 ms" (probe of 5 December 2026)."""
    from estim.safety import check
    from estim.waveforms.build import stimuli_for
    from estim.waveforms.metrics import metrics

    text = DBS_TEXT.replace('recharge = "passive"\n',
                            'recharge = "passive"\nrecharge_time_constant = "100 h"\n')
    program = parse_program(text)
    m = metrics(stimuli_for(program)[0])
    assert m.max_net_charge_per_pulse == 0.0 and m.charge_imbalance == 0.0
    assert m.max_phase_charge == pytest.approx(3e-3 * 60e-6, rel=1e-9)
    notes = " ".join(r.note for r in check(program).table.channels[0].rows)
    assert "time constant 100 h" in notes


def test_a_site_written_as_text_is_the_one_problem_named() -> None:
    """``site = "stn"`` instead of a [site] table also read as a missing cathode width,
    which the lead would have given (probe of 5 December 2026)."""
    text = DBS_TEXT.replace('[site]\nname = "stn"\n', "").replace(
        'name = "DBS"\n', 'name = "DBS"\nsite = "stn"\n', 1)
    assert 'site = "stn"' in text and "[site]" not in text
    with pytest.raises(ProgramError) as info:
        parse_program(text.replace(CONTACT, 'placement = "lead_contact_1"'))
    assert [p.field for p in info.value.problems] == ["site"]


def test_a_brain_domain_holds_its_lead_encapsulation_and_contacts() -> None:
    """7 mm of encapsulation in the 30 mm domain was meshed as brain and 31 mm was taken;
    a 10 mm domain lost contact 3 beyond its end and raised "electrode triangle edges not
    found in the mesh" (probe of 6 December 2026). Both are refused, naming the field."""
    from estim import build_setup, bundled_examples, load_program

    with pytest.raises(InputError, match="within half the domain's 30 mm radius") as err:
        site_from_spec("stn", {"lead": "medtronic_3389", "encapsulation_thickness": "14.5 mm"})
    assert err.value.field == "site.encapsulation_thickness"
    with pytest.raises(InputError) as err:
        site_from_spec("stn", {"lead": "medtronic_3389", "domain_radius": "2 mm"})
    assert err.value.field == "site.domain_radius"
    site_from_spec("stn", {"lead": "medtronic_3389", "domain_radius": "10 mm"})  # room
    with pytest.raises(InputError, match="within a quarter of the domain's 10 mm length"):
        site_from_spec("stn", {"lead": "medtronic_3389", "length": "10 mm",
                               "encapsulation_thickness": "3 mm"})  # below the tip too
    dbs = load_program(bundled_examples()["dbs_stn"])
    ch = dbs.channels[0]
    short = dbs.replace(
        site=dbs.site.model_validate({"name": "stn", "lead": "medtronic_3389",
                                      "length": "10 mm"}),
        channels=(ch.replace(cathode=ch.cathode.replace(placement="lead_contact_3")),))
    with pytest.raises(InputError, match="a contact inside the brain domain") as err:
        build_setup(short)
    assert err.value.field == "channels[0].cathode.placement"
    # the margin is said: "its top lies 5 mm up, the domain reaches 6 mm" read as a wrong
    # refusal (hostile probe of 7 December 2026)
    assert "with a contact's length (1.5 mm) to spare" in err.value.expected


def test_a_contact_resized_in_python_is_refused() -> None:
    """Loading sizes a contact from its lead; Program.replace kept any size, and a 5 × 6 cm
    "contact" at 10 mA, 450 µs passed the charge density that its saved file (and the real
    contact, 75 µC/cm² against 30) fails (hostile probe of 7 December 2026). The same for a
    lead changed under its contacts."""
    from estim import bundled_examples, load_program
    from estim.errors import InputError
    from estim.program import Electrode, SiteSpec

    dbs = load_program(bundled_examples()["dbs_stn"])
    ch = dbs.channels[0]
    big = Electrode(placement="lead_contact_1", shape="lead_contact", diameter="5 cm",
                    contact_length="6 cm")
    with pytest.raises(InputError, match=r"channels\[0\]\.cathode\.diameter: got '50 mm', "
                                         r"expected the Medtronic 3389's contact 1"):
        dbs.replace(channels=(ch.replace(cathode=big),))
    with pytest.raises(InputError, match=r"diameter '1\.29 mm'"):
        dbs.replace(site=SiteSpec(name="stn", lead="abbott_6172"))
    # a wrong area is shown in mm² (it read "0.03 mm²" for 30 mm²; review)
    wide = Electrode(placement="lead_contact_1", shape="lead_contact", diameter="1.27 mm",
                     contact_length="1.5 mm", area="30 mm^2")
    with pytest.raises(InputError, match=r"cathode\.area: got '30 mm\^2'"):
        dbs.replace(channels=(ch.replace(cathode=wide),))
    # the lead's own sizes, written as a user would, are accepted
    own = Electrode(placement="lead_contact_1", shape="lead_contact", diameter="1.27 mm",
                    contact_length="1.5 mm", area=f"{ch.cathode.area!r} m^2")
    assert dbs.replace(channels=(ch.replace(cathode=own),)).channels[0].cathode == own
