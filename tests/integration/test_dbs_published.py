"""DBS activation radius against amplitude, compared with the published relations.

Set-up (issue 12): a ring contact of a Medtronic 3387 or 3389 lead against the case
(monopolar), voltage-controlled, 90 µs cathodic pulses at 130 Hz with passive recharge,
homogeneous grey matter (0.2 S/m) with a 0.5 mm encapsulation layer (0.1 S/m); the voltage
is turned into current by the field solution's impedance (about 810 Ω here); 5.7 µm MRG
axons perpendicular to the lead.

- Kuncel, Cooper & Grill 2008 (Clin Neurophysiol 119:2148), from clinical paresthesia
  thresholds in thalamic DBS (3387 leads, voltage-controlled): V = V0 + k r² with
  k = 0.22 V/mm²; with V0 = 0.1 V it reproduces their "1-3.5 V: mean radius 2.0-3.9 mm"
  (Lead-DBS's ea_genvat_kuncel uses the same two constants). Tolerance 25 % in radius: the
  constant is a clinical estimate (the method's own median squared error in k is 0.07-0.23
  V/mm², and r goes as k^-1/2), and near V0 (1 V) the relation's offset dominates.
- Mädler & Coenen 2012 (AJNR 33:1072), eq. 3 as implemented in Lead-DBS
  (ea_genvat_maedler): V = k3 r² + (k1 + k4 Z) r with k1 = -1.0473 V/mm,
  k3 = 0.2786 V/mm², k4 = 0.0009856 V/(mm·Ω), Z the lead impedance (Ω), a fit to a
  finite-element and axon model of a 3389 lead. Tolerance 10 %: the same kind of model, but
  their axon model, threshold criterion and fit residuals are not ours.

Measured (docs/dbs.md): within 2 % of Mädler & Coenen at 1-5 V, within 4 % of Kuncel et al.
at 3-5 V and 18 % above at 1 V.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

from estim.effects.dbs import dbs_activation
from estim.program import parse_program
from estim.waveforms.build import stimuli_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KUNCEL_TOL = 0.25
MAEDLER_TOL = 0.10


def monopolar_90us(lead: str, *, volts: float = 3.0) -> str:
    """The comparison set-up as a program file."""
    return f"""
name = "monopolar DBS, 90 us, voltage-controlled"
[device]
control = "voltage"
max_voltage = "5 V"
implanted = true
[site]
name = "stn"
lead = "{lead}"
brain_conductivity = "0.2 S/m"
encapsulation_conductivity = "0.1 S/m"
encapsulation_thickness = "0.5 mm"
[[channels]]
name = "1"
cathode = {{ placement = "lead_contact_1" }}
anode = {{ placement = "case", shape = "rectangular", width = "5 cm", length = "6 cm" }}
[channels.stimulation]
type = "dbs"
amplitude = "{volts} V"
frequency = "130 Hz"
pulse_width = "90 us"
recharge = "passive"
duration = "1 h"
"""


def kuncel_2008_radius_mm(volts: float) -> float:
    """V = 0.1 V + 0.22 V/mm² · r²."""
    return math.sqrt((volts - 0.1) / 0.22)


def maedler_2012_radius_mm(volts: float, impedance_ohm: float) -> float:
    """The positive root of k3 r² + (k1 + k4 Z) r - V = 0."""
    k1, k3, k4 = -1.0473, 0.2786, 0.0009856
    b = k1 + k4 * impedance_ohm
    return (-b + math.sqrt(b * b + 4 * k3 * volts)) / (2 * k3)


@pytest.mark.parametrize("lead", ["medtronic_3387", "medtronic_3389"])
def test_radius_against_amplitude_follows_the_published_relations(lead: str) -> None:
    program = parse_program(monopolar_90us(lead))
    act = dbs_activation(program, stimuli_for(program), sweep_steps=5)
    assert act.impedance_source == "field solution"
    assert act.load_ohm is not None and 500 < act.load_ohm < 1500  # clinical 0.5-1.5 kΩ
    radii = act.sweep.radius_m["lead_contact_1"] * 1e3  # [m -> mm]
    assert (np.diff(radii) > 0).all()
    assert not act.sweep.reaches_edge.any()
    for volts, r in zip(act.sweep.amplitudes, radii, strict=True):
        kuncel = kuncel_2008_radius_mm(volts)
        maedler = maedler_2012_radius_mm(volts, act.load_ohm)
        assert r == pytest.approx(kuncel, rel=KUNCEL_TOL), (volts, r, kuncel)
        assert r == pytest.approx(maedler, rel=MAEDLER_TOL), (volts, r, maedler)
    # the 0.2 V/mm shortcut is smaller here, and is reported beside the axon model
    assert act.field_volume_m3 < act.volume_m3


def test_stated_impedance_sets_the_current_of_a_voltage_setting() -> None:
    text = monopolar_90us("medtronic_3389").replace('name = "1"\n',
                                                    'name = "1"\nimpedance = "1.2 kohm"\n')
    program = parse_program(text)
    act = dbs_activation(program, stimuli_for(program), sweep_steps=2)
    assert act.load_ohm == pytest.approx(1200.0)
    assert act.impedance_source == "stated in the program"
    assert act.current_a == pytest.approx(3.0 / 1200.0)


def test_a_current_the_compliance_cannot_drive_is_not_the_activations_current() -> None:
    """10 mA through a 3 V compliance: the field's ~810 Ω takes at most ~3.7 mA, and the
    activation is that current's (it was 10 mA's, 3.4 × the volume; probe of 5 December
    2026); a stated lead impedance takes the field's place, and the sweep is clipped too."""
    text = monopolar_90us("medtronic_3389").replace(
        'control = "voltage"\nmax_voltage = "5 V"',
        'control = "current"\nmax_current = "10 mA"\ncompliance_voltage = "3 V"').replace(
        'amplitude = "3.0 V"', 'amplitude = "10 mA"')
    program = parse_program(text)
    act = dbs_activation(program, stimuli_for(program), sweep_steps=2)
    deliverable = 3.0 / act.field_impedance_ohm
    assert act.current_a == pytest.approx(deliverable, rel=1e-9)
    # the same as the current the compliance allows, programmed: an independent run
    direct = parse_program(text.replace('amplitude = "10 mA"',
                                        f'amplitude = "{deliverable * 1e3:.12g} mA"'))
    assert act.volume_m3 == pytest.approx(
        dbs_activation(direct, stimuli_for(direct), sweep_steps=0).volume_m3, rel=1e-6)
    assert act.volume_m3 < 0.5 * act.map.volume_m3(10e-3)
    assert "3 V compliance" in act.limited_by and "programmed 10 mA" in act.limited_by
    assert act.to_dict()["limited_by"] == act.limited_by
    assert list(act.sweep.current_a) == pytest.approx([deliverable] * 2)
    assert (act.load_ohm, act.impedance_source) == (act.field_impedance_ohm, "field solution")
    stated = parse_program(text.replace('name = "1"\n', 'name = "1"\nimpedance = "20 kohm"\n'))
    act = dbs_activation(stated, stimuli_for(stated), sweep_steps=0)
    assert act.current_a == pytest.approx(3.0 / 20e3)
    assert "20,000 Ω (stated in the program)" in act.limited_by
    # the JSON names the impedance the compliance drove it through (it was None and "")
    assert (act.load_ohm, act.impedance_source) == (20e3, "stated in the program")
    # the dial exactly at a setting between the sweep's, below the compliance's bend: 3.5 mA
    # flow through ~810 Ω from 3 V (lines between the sweep's settings gave 3.35 mA)
    within = parse_program(text.replace('amplitude = "10 mA"', 'amplitude = "3.5 mA"'))
    act = dbs_activation(within, stimuli_for(within), sweep_steps=10)
    assert act.at_dial(3.5e-3) == pytest.approx((3.5e-3, act.volume_m3), rel=1e-9)
    assert act.at_dial(10e-3)[0] == pytest.approx(deliverable, rel=1e-9)
    enough = parse_program(text.replace('compliance_voltage = "3 V"',
                                        'compliance_voltage = "15 V"'))
    act = dbs_activation(enough, stimuli_for(enough), sweep_steps=0)
    assert act.current_a == pytest.approx(10e-3) and act.limited_by == ""


def test_each_channel_is_limited_through_its_own_impedance_and_the_sweep_follows() -> None:
    """Channel 2 on its own lead of a stated 2 kΩ at 2 mA through a 3 V compliance drives
    1.5 mA; it was taken through channel 1's impedance (2 mA, ~18 % more volume). Along the
    sweep the limits change the channels' ratio, and each setting gets its own field shape:
    the sweep's point at a setting equals that setting programmed."""
    base = monopolar_90us("medtronic_3389").replace(
        'control = "voltage"\nmax_voltage = "5 V"',
        'control = "current"\nmax_current = "4 mA"\ncompliance_voltage = "3 V"').replace(
        'amplitude = "3.0 V"', 'amplitude = "AMP1"')
    head, block = base.split("[[channels]]", 1)
    second = ("[[channels]]" + block.replace('name = "1"', 'name = "2"\nimpedance = "2 kohm"')
              .replace("lead_contact_1", "lead_contact_3").replace("AMP1", "AMP2"))
    text = head + "[[channels]]" + block + second

    def run(a1: float, a2: float, steps: int = 0) -> Any:
        p = parse_program(text.replace("AMP1", f"{a1:.12g} mA").replace("AMP2", f"{a2:.12g} mA"))
        return dbs_activation(p, stimuli_for(p), sweep_steps=steps, sweep_max=4e-3)

    act = run(2.0, 2.0, steps=2)  # the sweep: 2 and 4 mA on channel 1, 2 and 4 on channel 2
    assert "channel '2'" in act.limited_by and "1.5 mA through 2,000 Ω" in act.limited_by
    # both channels named with what each delivers (the summary described channel 1's)
    chans = act.to_dict()["channels"]
    assert [c["name"] for c in chans] == ["1", "2"]
    assert [c["current_A"] for c in chans] == pytest.approx([2e-3, 1.5e-3], rel=1e-9)
    assert "channel '1'" not in act.limited_by  # 2 mA through ~810 Ω is 1.6 V
    assert act.volume_m3 == pytest.approx(run(2.0, 1.5).volume_m3, rel=1e-6)
    assert act.sweep.volume_m3[0] == pytest.approx(act.volume_m3, rel=1e-9)
    # at 4 mA channel 1 is limited to 3 V / ~810 Ω, channel 2 to 1.5 mA
    top = act.sweep.current_a[1]
    assert top == pytest.approx(3.0 / act.field_impedance_ohm, rel=1e-9)
    assert act.sweep.volume_m3[1] == pytest.approx(run(top * 1e3, 1.5).volume_m3, rel=1e-6)
    # the dial reads the same: at each setting its own shape (it took the programmed one,
    # +53 % at 4 mA; review of 5 December 2026)
    assert act.at_dial(4e-3) == pytest.approx((top, act.sweep.volume_m3[1]), rel=1e-9)
    assert act.at_dial(2e-3) == pytest.approx((2e-3, act.volume_m3), rel=1e-9)


def test_a_first_channel_that_is_off_leaves_the_activation_to_those_on() -> None:
    """Channel 1 at 0 mA and channel 2 at 3 mA on contact 3: the activation was channel 1's,
    0 mm³ (review of 5 December 2026); it is channel 2's, as channel 2 alone gives."""
    one = monopolar_90us("medtronic_3389").replace(
        'control = "voltage"\nmax_voltage = "5 V"',
        'control = "current"\nmax_current = "10 mA"\ncompliance_voltage = "15 V"')
    head, block = one.split("[[channels]]", 1)
    on = block.replace('name = "1"', 'name = "2"').replace("lead_contact_1", "lead_contact_3")
    off = block.replace('amplitude = "3.0 V"', 'amplitude = "0 mA"')
    both = parse_program(head + "[[channels]]" + off + "[[channels]]"
                         + on.replace('amplitude = "3.0 V"', 'amplitude = "3 mA"'))
    alone = parse_program(head + "[[channels]]" + on.replace('amplitude = "3.0 V"',
                                                            'amplitude = "3 mA"'))
    act = dbs_activation(both, stimuli_for(both), sweep_steps=0)
    assert act.channel == "2" and "channel '1' is off" in act.notes[0]
    assert [(c["name"], c["current_A"]) for c in act.to_dict()["channels"]] == [
        ("2", pytest.approx(3e-3))]  # the one off is not "superposed"
    assert act.volume_m3 > 0
    # 2 %: channel 1's idle contact stays in the mesh as an electrode of the two-channel
    # solve, which moves channel 2's field a little (0.6 % in volume here)
    assert act.volume_m3 == pytest.approx(
        dbs_activation(alone, stimuli_for(alone), sweep_steps=0).volume_m3, rel=0.02)


def test_segmented_contact_is_named_not_silently_taken_as_a_ring() -> None:
    """A segment's field is solved (its arc is meshed), but the axon grid assumes the same
    activation all around the lead, so the activation volume says why it is not given."""
    from estim.effects.dbs import activation_for_run
    from estim.fields.program import fields_for_program

    text = monopolar_90us("abbott_6172").replace("lead_contact_1", "lead_contact_2a")
    program = parse_program(text)
    act, notes = activation_for_run(program, stimuli_for(program))
    assert act is None
    # said in words (it showed the raw key 'channels.placement' and nested brackets)
    assert notes[0].startswith("DBS activation not computed: contact 2A is a segment of a "
                               "directional lead")
    assert "channels.placement" not in notes[0]
    cathode = fields_for_program(program).channels[0].cathode
    assert cathode.arc_deg == pytest.approx(90.0)  # the segment, not a ring


def test_every_channel_is_judged_into_its_own_field_impedance() -> None:
    """Two identical 10 mA, 200 µs channels through a 3 V compliance in tissue of 2 S/m:
    channel 1 was judged into its field's ~55 Ω (all 10 mA, 33.4 µC/cm², a FAIL) and
    channel 2 into 500 Ω (6 mA, a pass) in the same run (probe of 5 December 2026)."""
    from types import SimpleNamespace

    from estim.program import Verdict
    from estim.safety import check
    from estim.safety.output import Setting
    from estim.simulate import field_impedances

    one = monopolar_90us("medtronic_3389").replace(
        'control = "voltage"\nmax_voltage = "5 V"',
        'control = "current"\nmax_current = "10 mA"\ncompliance_voltage = "3 V"').replace(
        'amplitude = "3.0 V"', 'amplitude = "10 mA"').replace(
        'pulse_width = "90 us"', 'pulse_width = "200 us"')
    one = one.replace('brain_conductivity = "0.2 S/m"', 'brain_conductivity = "2 S/m"').replace(
        'encapsulation_conductivity = "0.1 S/m"', 'encapsulation_conductivity = "2 S/m"')
    head, block = one.split("[[channels]]", 1)
    second = block.replace('name = "1"', 'name = "2"').replace("lead_contact_1",
                                                               "lead_contact_2")
    program = parse_program(head + "[[channels]]" + block + "[[channels]]" + second)
    act = dbs_activation(program, stimuli_for(program), sweep_steps=0)
    z = field_impedances(program, SimpleNamespace(dbs=act))  # type: ignore[arg-type]
    assert set(z) == {"1", "2"} and all(v < 500 for v in z.values())
    report = check(program, impedances_ohm=z)
    density = {f.channel: f.verdict for f in report.by_rule("implant.charge_density")
               if f.setting is Setting.PROGRAMMED}
    assert density["1"] == density["2"] == Verdict.FAIL


def test_the_run_says_whose_activation_it_is() -> None:
    """3 V at 90 µs on contact 1 and 3 V at 200 µs on contact 3: the volume is channel 1's
    alone (a different pulse is not superposed) and the run's words said so only in a note
    behind -v (probe of 5 December 2026)."""
    from estim.effects.dbs import activation_for_run

    head, block = monopolar_90us("medtronic_3389").split("[[channels]]", 1)
    other = block.replace('name = "1"', 'name = "2"').replace(
        "lead_contact_1", "lead_contact_3").replace('pulse_width = "90 us"',
                                                    'pulse_width = "200 us"')
    program = parse_program(head + "[[channels]]" + block + "[[channels]]" + other)
    _, words = activation_for_run(program, stimuli_for(program))
    assert "activated by channel 1 only" in words[0]
    assert "channel 2 runs another pulse, rate or timing, not superposed" in words[0]


def test_the_same_pulse_at_another_rate_is_not_superposed() -> None:
    """The same pulse on contact 2 at 20 Hz beside contact 1's at 130 Hz was summed as if
    every pulse coincided: "channels 1 and 2 together" (probe of 6 December 2026). Fields
    add only where pulses do, so the volume is channel 1's own, and the run says why."""
    from estim.effects.dbs import activation_for_run

    # active recharge: a passive one's recharge phase lasts to the next pulse, so another
    # rate is another pulse already
    base = monopolar_90us("medtronic_3389").replace('recharge = "passive"',
                                                    'recharge = "active"')
    head, block = base.split("[[channels]]", 1)
    rate = re.search(r'frequency = "[^"]+"', block)
    assert rate is not None
    slow = block.replace('name = "1"', 'name = "2"').replace(
        "lead_contact_1", "lead_contact_2").replace(rate.group(0), 'frequency = "20 Hz"')
    program = parse_program(head + "[[channels]]" + block + "[[channels]]" + slow)
    act, words = activation_for_run(program, stimuli_for(program))
    assert "activated by channel 1 only" in words[0]
    assert any("channel 2 runs its pulses at another rate or time" in n
               and "coincide 10 times a second" in n for n in act.notes)  # 130 and 20 Hz
    # channel 2's own activation, alone: it was nowhere (DBS researcher's probe of 7
    # December 2026); the same pulse on the neighbouring contact activates about as much
    assert act is not None and [a[0] for a in act.apart] == ["2"]
    (_, volume, radius, _) = act.apart[0]
    assert volume == pytest.approx(act.volume_m3, rel=0.15) and radius > 0
    assert any(w.startswith("channel 2 alone, its own pulse, rate or timing: ") for w in words)
    same = block.replace('name = "1"', 'name = "2"').replace("lead_contact_1", "lead_contact_2")
    both = parse_program(head + "[[channels]]" + block + "[[channels]]" + same)
    together, words = activation_for_run(both, stimuli_for(both))
    assert together is not None and act is not None
    assert "activated by channels 1 and 2 together" in words[0]
    # and says it takes their pulses as simultaneous (DBS researcher's probe)
    assert ("their pulses at the same instants (interleaved pulses, which alternate, are not "
            "modelled)") in words[0]
    # 145 against 344 mm³ (6 December 2026): the 20 Hz channel was summed into the latter
    assert act.volume_m3 < 0.8 * together.volume_m3


def test_an_anodic_contacts_activation_has_converged_in_the_axons_length(monkeypatch) -> None:
    """Contact 1 as the anode (the case the cathode) at 3 V: with 21 nodes (10 mm axons)
    the sealed ends of the axons fired and the volume read 45.5 mm³ for the 3 mA example,
    where longer axons give 6.4 (DBS researcher's probe of 7 December 2026). With the
    model's axons and with axons twice as long, the volume agrees within 10 % (each
    threshold search brackets to 3 %, and the volume goes as about the radius squared), and
    it is well under the cathodic setting's: a contact excites axons near it less as an
    anode (a point source 3 mm from a 5.7 µm axon, 60 µs: 12.2 mA anodic against 2.99 mA
    cathodic, `estim fibers --model mrg --diameter 5.7um --distance 3mm --anodic`)."""
    import estim.effects.dbs as dbs_module

    text = monopolar_90us("medtronic_3389")
    anodic = parse_program(text.replace('cathode = { placement = "lead_contact_1" }\n'
                                        'anode = { placement = "case"',
                                        'anode = { placement = "lead_contact_1" }\n'
                                        'cathode = { placement = "case"'))
    assert anodic.channels[0].anode.placement == "lead_contact_1"
    cathodic = parse_program(text)
    model = dbs_activation(anodic, stimuli_for(anodic), sweep_steps=0).volume_m3
    monkeypatch.setattr(dbs_module, "_NODES", 2 * dbs_module._NODES - 1)
    longer = dbs_activation(anodic, stimuli_for(anodic), sweep_steps=0).volume_m3
    assert model == pytest.approx(longer, rel=0.10)
    monkeypatch.undo()
    assert 0 < model < 0.2 * dbs_activation(cathodic, stimuli_for(cathodic),
                                            sweep_steps=0).volume_m3


def test_a_bipolar_pairs_volume_has_converged_in_the_rows_along_the_lead(
        monkeypatch, tmp_path, capsys) -> None:
    """Contact 1 the cathode, contact 2 the anode, 3 mA at 60 µs (``dbs_stn``'s pulse):
    with axon rows every 1 mm along the lead the volume read 24.9 mm³, where finer rows
    converge to about 33 (-25 %): its lobes end within a contact's length, between two rows
    (DBS researcher's probe of 7 December 2026). With the model's rows (0.25 mm near each
    contact) and with half their step near the contacts, over twice the reach, the volume
    agrees within 5 % (each threshold search brackets to 3 %, and the volume goes as about
    the radius squared, where half of that is what linear interpolation between rows
    leaves); 1 mm rows alone are 20 % under the finer ones, which this would catch."""
    import estim.effects.dbs as dbs_module
    from estim.program.bundled import bundled_examples

    text = bundled_examples()["dbs_stn"].read_text(encoding="utf-8")
    old = 'anode = { placement = "case", shape = "rectangular", width = "5 cm", length = "6 cm" }'
    assert old in text
    bipolar = parse_program(text.replace(old, 'anode = { placement = "lead_contact_2" }'))
    model = dbs_activation(bipolar, stimuli_for(bipolar), sweep_steps=0).volume_m3
    # the terminal gives the anode's lobe too, which the volume holds, and the header says
    # that the description's "case anode" and "monopolar" are not this program's (DBS
    # researcher's probe of 7 December 2026)
    from estim.cli.main import main

    path = tmp_path / "bipolar.toml"
    path.write_text(text.replace(old, 'anode = { placement = "lead_contact_2" }'),
                    encoding="utf-8")
    assert main(["run", str(path), "-o", str(tmp_path / "out")]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert " mm at the cathode, " in said and " mm at contact 2 (anode)" in said, said
    assert "its description names case anode; the program's anode is contact 2" in said
    monkeypatch.setattr(dbs_module, "_Z_FINE_M", dbs_module._Z_FINE_M / 2)
    monkeypatch.setattr(dbs_module, "_Z_NEAR_M", 2 * dbs_module._Z_NEAR_M)
    finer = dbs_activation(bipolar, stimuli_for(bipolar), sweep_steps=0).volume_m3
    assert model == pytest.approx(finer, rel=0.05)


def test_a_domain_shorter_than_the_axons_grid_is_said() -> None:
    """A 14 mm site cut the activated region at its end without a word: 64.9 mm³ where the
    full-length domain gives 80.4, and contacts 2 and 3, beyond it, were left out silently
    (hostile probe of 7 December 2026). The run's note says both; the full domain has none."""
    from estim.effects.dbs import activation_for_run
    from estim.program.bundled import bundled_examples

    text = bundled_examples()["dbs_stn"].read_text(encoding="utf-8")
    assert 'lead = "medtronic_3389"' in text
    short = parse_program(text.replace('lead = "medtronic_3389"',
                                       'lead = "medtronic_3389"\nlength = "14 mm"'))
    _, words = activation_for_run(short, stimuli_for(short))
    said = [w for w in words if w.startswith("the brain domain (14 mm long) ends inside")]
    assert len(said) == 1 and "contacts 2, 3 lie beyond it" in said[0], words
    full = parse_program(text)
    _, words = activation_for_run(full, stimuli_for(full))
    assert not any(w.startswith("the brain domain (") for w in words)
