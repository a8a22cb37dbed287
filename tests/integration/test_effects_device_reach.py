"""What a person feels is predicted at the current the device drives: a 3 V compliance's
programmed 60 mA read "painful, 17 of 20 find it painful" where it drives ~9 mA through
the lower back, and microcurrent's twitch needed 38 V of a 12 V unit without a word
(probe of 5 December 2026)."""

from __future__ import annotations

from typing import Any

import pytest

from estim.effects.program import EffectsResult, effects_for_program
from estim.program import parse_program
from estim.program.bundled import bundled_examples
from estim.simulate import simulate
from tests.programs import IONTO_DEXAMETHASONE, TENS, channel, rect

COUNTS = {k: 3 for k in ("abeta", "adelta", "c", "motor", "periosteal")}


def _tens(compliance: str, amplitude: str) -> str:
    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    assert 'compliance_voltage = "80 V"' in text and 'amplitude = "25 mA"' in text
    return (text.replace('compliance_voltage = "80 V"', f'compliance_voltage = "{compliance}"')
            .replace('amplitude = "25 mA"', f'amplitude = "{amplitude}"'))


def _effects(text: str) -> EffectsResult:
    program = parse_program(text)
    return effects_for_program(program, simulate(program, body=False).stimuli,
                               counts=COUNTS, bands=False)


def test_a_compliance_that_cannot_drive_the_setting_moves_the_prediction_to_what_it_drives(
        ) -> None:
    clipped = _effects(_tens("3 V", "60 mA"))
    reach = clipped.reach
    assert reach is not None and reach.limited and reach.bound == "compliance"
    assert clipped.window is not None and clipped.program_fields is not None
    load = clipped.program_fields.channels[0].resistance
    # Ohm's law over the load the window's own field solution has: exact
    assert reach.reach_a == pytest.approx(3.0 / load, rel=1e-12)
    assert reach.programmed_a == pytest.approx(0.06, rel=1e-12)
    assert clipped.window.amplitude_a == pytest.approx(reach.reach_a, rel=1e-12)
    # the thresholds are the fibers', whatever the setting: the same as unclipped
    free = _effects(_tens("80 V", "60 mA"))
    assert free.reach is not None and not free.reach.limited
    assert free.window is not None and free.window.amplitude_a == pytest.approx(0.06)
    assert clipped.window.pain_a == free.window.pain_a
    assert clipped.window.sensory_a == free.window.sensory_a
    # 60 mA is over pain, the ~9 mA the device drives is not (it was "painful")
    assert free.sensation is not None and free.sensation.phrase == "painful"
    assert clipped.sensation is not None and clipped.sensation.phrase != "painful"
    assert any("the device drives at most" in n and "3 V compliance" in n
               for n in clipped.notes)
    assert clipped.to_dict()["device_reach"]["limited"] is True


def test_true_interferentials_second_carrier_is_held_to_what_its_pads_get() -> None:
    """Held on channel 1 alone, channel 2's carrier came out 3.8 times stronger beside it,
    and every threshold of the pair moved (review of 5 December 2026). Both carriers are
    30 mA on like pads: held to a 3 V compliance, they stay alike."""
    text = bundled_examples()["ifc_true_knee"].read_text(encoding="utf-8")
    assert text.count('compliance_voltage = "100 V"') == 1
    held = _effects(text.replace('compliance_voltage = "100 V"', 'compliance_voltage = "3 V"'))
    assert held.reach is not None and held.reach.limited
    assert held.window is not None and held.program_fields is not None
    r1, r2 = (c.resistance for c in held.program_fields.channels)
    assert sum(f"channel {n!r}: the device drives at most" in note
               for note in held.notes for n in ("A", "B")) == 2
    # each carrier at 3 V over its own load: their ratio is the loads' (within 1e-9)
    from estim.effects.drive import superposed
    from estim.effects.program import held_to
    from estim.simulate import simulate as sim

    program = parse_program(text.replace('compliance_voltage = "100 V"',
                                         'compliance_voltage = "3 V"'))
    a, b = sim(program, body=False).stimuli[:2]
    peaks = superposed(held_to(a, 3.0 / r1), [held_to(b, 3.0 / r2)]).relative_peaks
    assert peaks[1] == pytest.approx(r1 / r2, rel=1e-9)


def test_a_ramp_below_the_compliance_keeps_its_pulses() -> None:
    """Scaling the whole train to the held peak shrank a ramp's first pulses too (review of
    5 December 2026): only the pulses above what the device drives are held."""
    from estim.effects.program import held_to

    program = parse_program(bundled_examples()["nmes_quadriceps"].read_text(encoding="utf-8"))
    stim = simulate(program, body=False).stimuli[0]
    top = 0.5 * stim.peak
    held = held_to(stim, top)
    before, after = stim.event_peak, held.event_peak
    assert after.max() == pytest.approx(top, rel=1e-12)
    low = before < top
    assert low.any() and (after[low] == before[low]).all()  # the ramp's first pulses
    assert (after[~low] == pytest.approx(top, rel=1e-12))


def test_a_sweep_names_the_current_the_device_drives(tmp_path) -> None:
    """12, 30 and 60 mA on a 3 V unit gave one sensation and the same fractions, with no
    column saying why (probe of 5 December 2026)."""
    from estim.sweep import SweepOptions, parse_axis, plan_sweep, run_point

    path = tmp_path / "weak.toml"
    path.write_text(_tens("3 V", "25 mA"), encoding="utf-8")
    options = SweepOptions(fibers=20)
    plan = plan_sweep(path, [parse_axis("amplitude=5,30,60mA")], options=options)
    rows = [dict(run_point(p, options).outputs) for p in plan.points]
    driven = [r["driven_peak_current_mA"] for r in rows]
    assert driven[0] == pytest.approx(5.0, rel=1e-9)  # below what the device drives
    assert driven[1] == pytest.approx(driven[2], rel=1e-12)  # held alike
    assert driven[1] < 30.0
    assert rows[1]["sensation"] == rows[2]["sensation"]


def test_a_voltage_units_current_limit_is_worded_in_volts() -> None:
    """HVPC held by a 200 mA current limit read "200 mA (of 749 mA set)" where 150 V is
    set (probe of 5 December 2026)."""
    from estim.report import body_rows

    text = bundled_examples()["hvpc_wound"].read_text(encoding="utf-8")
    assert 'current_limit = "2.5 A"' in text
    fx = _effects(text.replace('current_limit = "2.5 A"', 'current_limit = "200 mA"'))
    assert fx.reach is not None and fx.reach.limited and fx.reach.bound == "current limit"
    w = fx.to_dict()["sensation_window"]
    # 150 V over the field's load with the skin interface: the setting, to 3 figures
    assert w["set_peak_V"] == pytest.approx(150.0, rel=1e-9)
    last = body_rows.thresholds(w)[-1]
    assert (last.name, last.current) == ("What the device drives", "200 mA (of 150 V set)")
    data = {"effects": fx.to_dict()}
    assert body_rows.reach_limited(data, "1").startswith(
        "its 200 mA current limit holds the ")
    assert "that 150 V would drive" in body_rows.reach_limited(data, "1")


def test_a_sweeps_safety_with_a_field_is_estim_runs(tmp_path) -> None:
    """HVPC at its device maximum warns of its current density into the site's ~325 Ω in
    ``estim run``; the sweep's row of the same program said pass, judged into 500 Ω (probe
    of 5 December 2026). With a field the sweep judges as run does; without one
    (--safety-only) as ``estim check``."""
    from estim.sweep import SweepOptions, parse_axis, plan_sweep, run_point

    path = tmp_path / "hvpc.toml"
    path.write_text(bundled_examples()["hvpc_wound"].read_text(encoding="utf-8"),
                    encoding="utf-8")
    run = simulate(parse_program(path.read_text(encoding="utf-8")))
    check = simulate(parse_program(path.read_text(encoding="utf-8")), body=False)
    def warned(report: Any) -> set[tuple[str, object]]:
        return {(f.rule_id, f.setting) for f in report.findings if f.verdict.value == "warn"}

    # the two differ, so that the sweep's agreeing with each is a check; without the site's
    # load the check is the more cautious: its 2.5 A current limit could exceed the current
    # density at the programmed 150 V in a load below 67 Ω, where the calf's passes
    assert warned(run.safety) < warned(check.safety)
    for options, report in ((SweepOptions(), run.safety),
                            (SweepOptions(body=False), check.safety)):
        plan = plan_sweep(path, [parse_axis("duration=45min")], options=options)
        row = dict(run_point(plan.points[0], options).outputs)
        assert row["safety_verdict"] == report.verdict.value
        assert row["safety_warnings"] == sum(f.verdict.value == "warn"
                                             for f in report.findings)


_IONTO = channel("ionto", "forearm_dorsal_proximal", "forearm_lateral_epicondyle",
                 pad=rect("4 cm", "6 cm"), cathode_pad=rect("2.5 cm", "4 cm"),
                 **IONTO_DEXAMETHASONE)
_SMALL_TENS = channel("tens", "forearm_volar_proximal", "forearm_volar_distal",
                      pad=rect("1 cm"), **{**TENS, "frequency": "1000 Hz"})


def test_a_pulsed_channel_beside_iontophoresis_is_judged_into_its_own_tissue() -> None:
    """With the iontophoresis channel first, the run solved no field and the 1 x 1 cm TENS
    channel after it passed the FDA's power density at 0.125 W/cm² (into 500 Ω); listed
    first, it failed at 0.578, and the dose went missing (probe of 6 December 2026). Either
    order now gives the same verdict, the same load and the dose."""
    head = ('name = "mixed"\n[device]\ncontrol = "current"\nmax_current = "100 mA"\n'
            'compliance_voltage = "80 V"\n[site]\nname = "forearm"\n')
    runs = [simulate(parse_program(head + a + b)) for a, b in ((_IONTO, _SMALL_TENS),
                                                             (_SMALL_TENS, _IONTO))]
    densities = []
    for run in runs:
        assert run.effects is not None and run.effects.dose is not None
        # 40 mA·min is the program's; the mixed run reads the iontophoresis channel's dose
        assert run.effects.dose.dose_mA_min == pytest.approx(40.0, rel=1e-9)
        assert run.effects.window is not None and run.effects.window.channel == "tens"
        found = [f for f in run.safety.findings if f.rule_id == "fda.power_density"
                 and f.channel == "tens" and f.setting == "programmed"]
        assert len(found) == 1 and found[0].verdict.value == "fail"
        assert "into 500 Ω" not in found[0].note
        densities.append(found[0].value)
        assert any("(iontophoresis) is d.c." in n for n in run.effects.notes)
    # the same field solution and load in either order: round-off only
    assert densities[0] == pytest.approx(densities[1], rel=1e-9)


@pytest.mark.parametrize("device", [
    'control = "current"\nmax_current = "40 mA"\ncompliance_voltage = "80 V"\n',
    # a voltage-set unit stating no current limit has no reach to carry the load (review)
    'control = "voltage"\nmax_voltage = "60 V"\n'], ids=["current", "voltage"])
def test_a_channel_that_is_off_is_judged_into_the_load_of_its_own_pulse(device: str) -> None:
    """An off 1 ms channel beside an on 50 µs one took the 50 µs pulse's interface, and its
    load at the device maximum was the lower one (1.30 kΩ where its own pulse gives
    4.74 kΩ; probe of 6 December 2026). Its load is now the one its own run gives when it
    is on: the same field solve, so equal to round-off."""
    from estim.simulate import field_impedances

    def pads(side: str) -> str:
        return (f'anode = {{ placement = "lumbar_{side}_upper", shape = "circular", '
                f'diameter = "2 cm" }}\ncathode = {{ placement = "lumbar_{side}_lower", '
                'shape = "circular", diameter = "2 cm" }\n')

    def program(long_amplitude: str) -> str:
        volts = device.startswith('control = "voltage"')
        amp = long_amplitude.replace(" mA", " V") if volts else long_amplitude
        return ('name = "off"\n[device]\n' + device + '[site]\nname = "lower_back"\n'
                '[[channels]]\nname = "short"\n' + pads("left") +
                '[channels.stimulation]\ntype = "tens"\nmode = "conventional"\n'
                f'amplitude = "{"25 V" if volts else "25 mA"}"\nfrequency = "80 Hz"\n'
                'pulse_width = "50 us"\nduration = "30 min"\n'
                '[[channels]]\nname = "long"\n' + pads("right") +
                '[channels.stimulation]\ntype = "tens"\nmode = "conventional"\n'
                f'amplitude = "{amp}"\nfrequency = "100 Hz"\n'
                'pulse_width = "1 ms"\nduration = "30 min"\n')

    loads = [field_impedances(parse_program(program(a)), _effects(program(a)))
             for a in ("0 mA", "5 mA")]
    off, on = loads
    assert off["long"] == pytest.approx(on["long"], rel=1e-9)
    assert off["short"] == pytest.approx(on["short"], rel=1e-9)
    # the interface passes less at the 1 ms pulse's 500 Hz than at the 50 µs one's 10 kHz
    assert off["long"] > 2 * off["short"]


def test_an_off_channel_beside_iontophoresis_and_the_dc_channel_get_their_own_loads() -> None:
    """With only the iontophoresis channel on, no field was solved, and an off 2 x 2 cm,
    1 ms TENS channel passed the power density at the device maximum into 500 Ω (0.125
    W/cm²) where its own 3.79 kΩ take 0.947; the iontophoresis channel's own verdict there
    moved with the pulse of the channel beside it, its d.c. load never used (probe of
    6 December 2026). Now the off channel's load is the one it has when on, and the d.c.
    channel's the skin's resistance to a steady current, whatever is beside it."""
    from estim.skin import dc_skin_load_ohm

    head = ('name = "mixed"\n[device]\ncontrol = "current"\nmax_current = "10 mA"\n'
            'compliance_voltage = "400 V"\n[site]\nname = "forearm"\n')

    def tens(amplitude: str, width: str) -> str:
        return _SMALL_TENS.replace('width = "1 cm", length = "1 cm"',
                                   'width = "2 cm", length = "2 cm"').replace(
            'amplitude = "25 mA"', f'amplitude = "{amplitude}"').replace(
            'pulse_width = "200 us"', f'pulse_width = "{width}"').replace(
            'frequency = "1000 Hz"', 'frequency = "50 Hz"')

    def density(text: str, channel: str) -> tuple[float, str]:
        run = simulate(parse_program(head + text))
        found = [f for f in run.safety.findings if f.rule_id == "fda.power_density"
                 and f.channel == channel and f.setting == "device maximum"]
        assert len(found) == 1
        return found[0].value, found[0].note

    off, off_note = density(_IONTO + tens("0 mA", "1 ms"), "tens")
    on, _ = density(_IONTO + tens("5 mA", "1 ms"), "tens")
    assert "into 500 Ω" not in off_note
    # the same field solve and pulse: round-off only
    assert off == pytest.approx(on, rel=1e-9)
    ionto = ionto_pads = None
    for beside in ("", tens("5 mA", "1 ms"), tens("5 mA", "50 us")):
        value, note = density(_IONTO + beside, "ionto")
        ionto = value if ionto is None else ionto
        assert value == pytest.approx(ionto, rel=1e-12) and "steady current" in note
    # 10 mA into the d.c. load over the smaller (10 cm²) pad, Ohm's law: a closed form
    ionto_pads = dc_skin_load_ohm(24e-4, 10e-4)
    assert ionto == pytest.approx(0.01**2 * ionto_pads / 10e-4, rel=1e-6)
