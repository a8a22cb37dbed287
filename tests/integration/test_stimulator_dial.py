"""The dial against the simulation it is a lookup into: one estim.simulate per program (the
body stages, cached within the test session), then every dial step checked against the
window's own thresholds, estim.safety.check called directly, and the effects stage's force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from estim.effects.resolution import edge_fraction
from estim.effects.sensation import classify_sensation
from estim.errors import InputError
from estim.program.bundled import resolve_program
from estim.safety import check
from estim.safety.render import rule_name
from estim.stimulator import DialModel, Jobs, JobState, Level, Marks, fit_person, prepare
from estim.stimulator.safety_dial import VERDICT_WORDS, program_at
from tests.programs import IONTO, TENS, channel, disc, head

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def tens() -> tuple[DialModel, list[float]]:
    """tens_conventional prepared through Jobs (the background path the web takes), with
    the progress fractions seen while it ran."""
    seen: list[float] = []
    with Jobs() as jobs:
        key = jobs.submit(resolve_program("tens_conventional")[0])
        while True:
            status = jobs.wait(key, timeout_s=0.05)
            seen.append(status.progress)
            if status.state in (JobState.DONE, JobState.FAILED):
                break
        assert status.state is JobState.DONE, status.error
        return jobs.model(key), seen


def test_jobs_report_rising_progress_to_done(tens: tuple[DialModel, list[float]]) -> None:
    _, seen = tens
    assert seen[-1] == 1.0
    assert all(b >= a for a, b in itertools.pairwise(seen))
    assert any(0.0 < p < 1.0 for p in seen)  # progress was reported on the way


def test_recruitment_crosses_the_criteria_at_the_window_thresholds(
        tens: tuple[DialModel, list[float]]) -> None:
    model, _ = tens
    window = model.result.effects.window  # type: ignore[union-attr]
    assert window is not None
    c = window.criteria
    # the dial's thresholds are the window's (A: current control)
    assert model.thresholds["sensory"] == window.sensory_a
    assert model.thresholds["motor"] == window.motor_a
    eps = 1e-6  # relative: fraction_at and amplitude_for are exact inverses up to round-off
    crossings = (("sensory", "abeta", c.sensory_abeta_fraction),
                 ("strong", "abeta", c.strong_abeta_fraction),
                 ("motor", "motor", window.motor_fraction_criterion),
                 ("pain", "adelta", c.pain_adelta_fraction))
    for threshold, fiber, criterion in crossings:
        a = model.thresholds[threshold]
        assert model.at(a * (1 - 1e-3)).recruitment[fiber] < criterion, threshold
        assert model.at(a * (1 + eps)).recruitment[fiber] >= criterion * (1 - 1e-9), threshold
    # and the level follows: none below sensory, sensory, strong, motor, pain above each
    t = model.thresholds
    assert model.at(0.5 * t["sensory"]).level is Level.NONE
    assert model.at(0.5 * (t["sensory"] + t["strong"])).level is Level.SENSORY
    assert model.at(0.5 * (t["strong"] + t["motor"])).level is Level.STRONG
    assert model.at(0.5 * (t["motor"] + t["pain"])).level is Level.MOTOR
    assert model.at(1.01 * t["pain"]).level is Level.PAIN


def test_the_programmed_setting_reads_as_the_effects_stage_says(
        tens: tuple[DialModel, list[float]]) -> None:
    model, _ = tens
    effects = model.result.effects
    assert effects is not None and effects.window is not None and effects.sensation is not None
    programmed = model.program.channels[0].stimulation.amplitude.value
    state = model.at(programmed)
    r = effects.window.recruitment
    assert state.recruitment == pytest.approx(
        {"abeta": r.abeta, "adelta": r.adelta, "c": r.c, "motor": r.motor,
         "periosteal": r.periosteal}, rel=1e-12)
    assert state.sensation == effects.sensation.phrase
    again = classify_sensation(r, criteria=effects.window.criteria)
    assert state.reasons == again.reasons


def test_a_setting_at_a_threshold_is_too_close_to_call(
        tens: tuple[DialModel, list[float]]) -> None:
    """The dial says what the report says: a setting within a threshold's edge fraction of
    the sensory, motor or pain threshold is too close to call; one beyond every edge is
    not."""
    model, _ = tens
    t = model.thresholds
    for name in ("sensory", "motor", "pain"):
        state = model.at(t[name] * 1.01)
        assert state.near == ((name, t[name], edge_fraction(name)),), name
        assert state.to_dict()["near"] == [{"threshold": name, "amplitude": t[name],
                                            "fraction": edge_fraction(name)}]
    clear = t["motor"] * (1 + edge_fraction("motor")) * 1.01  # past the twitch's edge
    assert clear < t["pain"] * (1 - edge_fraction("pain"))  # and short of pain's
    assert model.at(clear).near == ()


def test_safety_verdict_is_check_at_every_dial_step(
        tens: tuple[DialModel, list[float]]) -> None:
    model, _ = tens
    for a in np.linspace(0.0, model.max_amplitude_a, 51):
        report = check(program_at(model.program, float(a)))
        state = model.at(float(a))
        assert state.safety_verdict == report.verdict.value, a
        # and the verdict of this setting's own rules, which the page leads with (it read
        # "Exceeds a limit" at 0 mA of a program over a limit at the device maximum only;
        # educator's probe of 7 December 2026)
        here = {f.verdict.value for f in report.findings
                if f.setting is None or f.setting.value == "programmed"}
        assert state.to_dict()["setting_verdict"] == next(
            (v for v in ("fail", "warn") if v in here), "pass"), a
        # each tripped rule in its own words, at this setting (no rule id; "at the
        # programmed amplitude" read at every setting: probe of 5 December 2026)
        # one line a rule, naming each setting it trips at (HVPC's current density was
        # listed twice, at this setting and at the device maximum: browser probe of
        # 6 December 2026), its verdict in words ("warn: ..." before)
        tripped: dict[tuple[str, str, str], list[str]] = {}
        for f in report.findings:
            if f.verdict.value != "pass":
                tripped.setdefault((f.rule_id, f.channel, f.verdict.value), []).append(
                    f.description)
        assert len(state.tripped_rules) == len(tripped)
        for line, ((rule, _, verdict), (description, *_)) in zip(
                state.tripped_rules, tripped.items(), strict=True):
            # by its name, not its formula (phone probe of 7 December 2026)
            assert line.startswith(f"{VERDICT_WORDS[verdict]}: {rule_name(description)}")
            assert rule not in line and "programmed" not in line


def test_waveform_scales_with_the_dial(tens: tuple[DialModel, list[float]]) -> None:
    model, _ = tens
    t, i = model.waveform(0.012)
    assert t[0] == 0.0 and t[-1] == pytest.approx(4 / 80)  # four pulse periods at 80 Hz
    assert np.max(i) == pytest.approx(0.012, rel=1e-9)
    assert np.min(i) == pytest.approx(-0.012, rel=1e-9)  # symmetric biphasic


def test_a_person_fitted_on_the_real_window_is_recovered(
        tens: tuple[DialModel, list[float]]) -> None:
    model, _ = tens
    t = model.thresholds
    marks = Marks(first_felt=1.25 * t["sensory"], strong=1.25 * t["strong"],
                  twitch=0.9 * t["motor"], too_much=1.25 * t["pain"])
    fit = fit_person(model, marks)
    assert fit.cutaneous_factor == pytest.approx(1.25, rel=1e-12)
    assert fit.motor_factor == pytest.approx(0.9, rel=1e-12)
    rec = fit.recommendation(model)
    # conventional TENS: the person's strong tingling, which lies below their motor here
    assert rec.amplitude_a == pytest.approx(1.25 * t["strong"])
    assert model.at(rec.amplitude_a).safety_verdict == "pass"


def test_nmes_force_rises_with_the_dial_and_matches_the_effects_stage() -> None:
    model = prepare(resolve_program("nmes_quadriceps")[0])
    effects = model.result.effects
    assert effects is not None and effects.force is not None and effects.max_force_N
    dial = np.linspace(0.0, model.max_amplitude_a, 200)
    force = np.array([model.at(float(a)).force_fraction for a in dial])
    assert np.all(np.diff(force) >= 0.0)
    assert force[0] == 0.0 and force[-1] > 0.3
    programmed = model.program.channels[0].stimulation.amplitude.value
    first_peak = float(effects.force.contraction_peak_force_N[0])
    # the same Ding integrator on the same first contraction; the table holds the
    # programmed setting itself, so only round-off separates them
    assert model.at(programmed).force_fraction * effects.max_force_N == pytest.approx(
        first_peak, rel=1e-9)
    below = model.at(0.5 * model.thresholds["motor"])
    assert below.force_fraction == 0.0 and below.level is not Level.MOTOR
    # no force where no motor axon fires: 20 mA showed 0.3 % of maximal beside a motor
    # recruitment of 0, on the line between two of the table's settings (probe)
    quiet = [model.at(float(a)) for a in dial]
    assert all(s.force_fraction == 0.0 for s in quiet if s.recruitment.get("motor", 0.0) == 0.0)
    assert any(s.force_fraction > 0.0 for s in quiet if s.recruitment.get("motor", 0.0) > 0.0)


def test_the_dbs_dial_gives_the_tissue_activated_at_its_setting() -> None:
    """The programmed setting's volume stood at every setting (94.5 mm³ at 0 mA and at
    10 mA; probe of 5 December 2026): at the programmed 3 mA it is the run's, at 10 mA the
    map's at 10 mA, and nothing at 0."""
    model = prepare(resolve_program("dbs_stn")[0])
    act = model.result.effects.dbs
    assert act is not None
    words = {a: model.at(a).reasons[0] for a in (0.0, 3e-3, 10e-3)}
    assert f"{act.volume_m3 * 1e9:.3g} mm³" in words[3e-3]  # 94.5
    assert f"{act.map.volume_m3(10e-3) * 1e9:.3g} mm³" in words[10e-3]  # 417
    assert act.map.volume_m3(10e-3) > 2 * act.volume_m3
    assert "no tissue activated" in words[0.0] and "not what it feels like" in words[0.0]


def test_a_modality_without_a_window_still_has_a_dial() -> None:
    # iontophoresis: d.c. with slow ramps, no cable model (the effects stage says why)
    model = prepare(resolve_program("iontophoresis_dexamethasone")[0])
    assert model.thresholds == {}
    programmed = model.program.channels[0].stimulation.amplitude.value
    state = model.at(programmed)
    assert state.level is Level.UNKNOWN and state.recruitment == {}
    assert "d.c. electrode" in state.reasons[0] and "not modelled" in state.reasons[0]
    assert state.safety_verdict == check(program_at(model.program, programmed)).verdict.value
    # the dose at each setting (the dial said only "no sensation window"): the program's
    # 40 mA·min, so the time is T = Q / I + (ramps) / 2 and the density I / area, closed
    # forms (1e-9: round-off only); the drug's mass is fixed by the charge, not the dial
    run = model.result.effects.dose  # type: ignore[union-attr]
    assert run is not None and state.dose is not None
    assert state.dose["duration_s"] == pytest.approx(run.duration_s, rel=1e-9)
    half = model.at(programmed / 2)
    assert half.dose is not None
    assert half.dose["dose_mA_min"] == pytest.approx(40.0, rel=1e-9)
    assert half.dose["duration_s"] == pytest.approx(40 * 60 / 2 + 30, rel=1e-9)  # 2 mA
    assert half.dose["current_density_mA_per_cm2"] == pytest.approx(2 / 10, rel=1e-9)
    assert half.dose["mass_delivered_mg"] == pytest.approx(run.mass_delivered_mg, rel=1e-9)
    assert half.reasons[0].startswith("At 2 mA the 40 mA·min take 20.5 min")
    assert model.at(0.0).dose is None and "zero" in model.at(0.0).reasons[0]
    # a current too small to deliver the dose within a day: the program model's message
    tiny = model.at(1e-6)
    assert tiny.safety_verdict == "refused" and "within 24 h" in tiny.tripped_rules[0]
    assert tiny.dose is None and "no dose at this setting" in tiny.reasons[0]
    with pytest.raises(InputError, match="sensation window"):
        fit_person(model, Marks(first_felt=0.001, strong=0.002))


def test_the_dial_past_the_compliance_feels_what_the_device_drives() -> None:
    """A 3 V compliance drives ~9 mA through the lower back: the dial at 60 mA said
    "painful" (probe of 5 December 2026). Past what the device drives, the dial is what it
    drives, and says so."""
    from estim.program import parse_program
    from estim.program.bundled import bundled_examples

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    model = prepare(parse_program(text.replace('compliance_voltage = "80 V"',
                                               'compliance_voltage = "3 V"')))
    effects = model.result.effects
    assert effects is not None and effects.reach is not None
    reach = effects.reach.reach_a  # 3 V over the tissue and skin interface
    high, at_reach = model.at(0.06), model.at(reach)
    assert high.level == at_reach.level and high.recruitment == at_reach.recruitment
    assert high.level is not Level.PAIN
    assert high.reasons[0].startswith("the device drives at most") and "3 V" in high.reasons[0]
    assert not any(r.startswith("the device drives") for r in model.at(0.5 * reach).reasons)
    # the setting the fibers get, for the page to measure the edge and draw the field from
    # (it measured "78 % above pain" from the dial's 1 mA of a 0.49 mA microcurrent unit;
    # probe of 6 December 2026); None below the reach
    assert high.driven == pytest.approx(reach, rel=1e-9)
    assert high.to_dict()["driven"] == high.driven and model.at(0.5 * reach).driven is None
    # the waveform as the device drives it: the pulses over the reach cut to it
    _, raw = model.waveform(0.06)
    _, held = model.waveform(0.06, held=True)
    assert raw.max() == pytest.approx(0.06, rel=1e-9)
    assert held.max() == pytest.approx(reach, rel=1e-9)
    _, below = model.waveform(0.5 * reach, held=True)
    assert np.array_equal(below, model.waveform(0.5 * reach)[1])
    # a person's marks past it are what the device drove, and nothing is recommended past
    # it: a strong mark at 50 mA was fitted as 50 mA and 21.7 mA recommended (review)
    assert model.driven_top_a == pytest.approx(reach, rel=1e-12)
    fit = fit_person(model, Marks(first_felt=0.5 * reach, strong=0.05))
    assert any(n.startswith("strong: marked at 50 mA") for n in fit.notes)
    rec = fit.recommendation(model)
    assert rec.amplitude_a <= reach * (1 + 1e-9)
    # two marks past it are one current: refused, not fitted as equal (probe)
    from estim.errors import InputError

    with pytest.raises(InputError, match="marks at different currents"):
        fit_person(model, Marks(first_felt=0.015, strong=0.02))


def test_a_held_nmes_dial_gives_the_runs_force_at_the_programmed_setting() -> None:
    """The dial read 22.4 % of the maximal force at 60 mA of an 8 V unit, the run 23.0 %:
    its table scaled the pulses, the run held each to what the device drives (probe of
    5 December 2026)."""
    from estim.program import parse_program
    from estim.program.bundled import bundled_examples

    text = bundled_examples()["nmes_quadriceps"].read_text(encoding="utf-8")
    assert text.count('compliance_voltage = "') == 1
    import re

    held = re.sub(r'compliance_voltage = "[^"]*"', 'compliance_voltage = "8 V"', text)
    model = prepare(parse_program(held))
    fx = model.result.effects
    assert fx is not None and fx.reach is not None and fx.reach.limited
    assert fx.force is not None and fx.max_force_N
    first = float(fx.force.contraction_peak_force_N[0]) / fx.max_force_N
    programmed = model.program.channels[0].stimulation.amplitude.value
    state = model.at(programmed)
    assert state.force_fraction == pytest.approx(first, rel=1e-9)  # the same model and train
    # the waveform as the device drives it: the ramp's pulses over the reach cut to it, the
    # weaker ones as they are (the page scaled the whole train by the reach: a ramp's weak
    # pulses were drawn 3 x too small; review of 6 December 2026)
    # the 2 s ramp and the plateau (the page starts at the plateau)
    _, raw = model.waveform(programmed, span_s=3.0, start_s=0.0)
    _, held_out = model.waveform(programmed, span_s=3.0, held=True, start_s=0.0)
    assert model.waveform_start(programmed) == pytest.approx(2.0, abs=0.02)
    _, plateau = model.waveform(programmed)  # what the page draws: full-strength pulses
    assert raw.max() == pytest.approx(np.abs(plateau).max(), rel=1e-9)
    reach = fx.reach.reach_a
    assert held_out.max() == pytest.approx(reach, rel=1e-9) and reach < raw.max()
    weak = (np.abs(raw) > 0) & (np.abs(raw) < 0.5 * reach)
    assert weak.any() and np.array_equal(held_out[weak], raw[weak])


def test_beside_iontophoresis_the_dial_sets_the_pulsed_channel() -> None:
    """With the iontophoresis channel first, the dial set it and the TENS channel's
    thresholds read in its units (a TENS felt at 3.7 mA "felt at 0.6 mA" on a dial at
    4 mA; probe of 6 December 2026). The dial now sets the channel whose sensation it
    reads: its thresholds are the window's own, exactly."""
    from estim.program import parse_program
    from estim.stimulator.safety_dial import dial_channel

    text = (head() + channel("ionto", "lumbar_right_upper", "lumbar_right_lower",
                             pad=disc("4 cm"), **IONTO)
            + channel("tens", "lumbar_left_upper", "lumbar_left_lower", **TENS))
    model = prepare(parse_program(text))
    window = model.result.effects.window  # type: ignore[union-attr]
    assert window is not None and window.channel == "tens"
    assert dial_channel(model.program).name == "tens"
    assert model.thresholds["sensory"] == pytest.approx(window.sensory_a, rel=1e-12)
    assert model.thresholds["pain"] == pytest.approx(window.pain_a, rel=1e-12)
    # at the TENS channel's programmed 25 mA the iontophoresis channel is at its own 4 mA
    assert model.at(0.025).level is not None
    # and its dose moves with the dial, as for iontophoresis alone (such a dial gave none;
    # review of 6 December 2026): at 12.5 mA the d.c. is 2 mA, so 40 mA·min take 20 min
    # plus half the default 30 s ramps, at 1 / (4π) mA/cm² per mA under the 4 cm discs:
    # closed forms
    half = model.at(0.0125)
    assert half.level is not None and half.dose is not None
    assert half.dose["duration_s"] == pytest.approx(1230.0, rel=1e-12)
    assert half.dose["current_density_mA_per_cm2"] == pytest.approx(2 / (4 * np.pi),
                                                                    rel=1e-12)
    assert half.dose_words[0].startswith("At 2 mA of d.c. (channel ionto, moving with "
                                         "the dial) the 40 mA·min take 20.5 min")
    assert not any("mA·min" in r for r in half.reasons)  # the sensation's reasons alone
    assert model.at(0.025).dose["duration_s"] == pytest.approx(630.0, rel=1e-12)  # type: ignore[index]
    assert model.at(0.0).dose is None
    # past 62.5 mA the d.c. channel, moving with the dial, passes its 10 mA: refused, and
    # said of that channel (it read "channels[0].stimulation.amplitude: got '10.08 mA'")
    far = model.at(0.07)
    assert far.safety_verdict == "refused"
    assert far.tripped_rules[0].startswith("channel 'ionto', which moves with the dial")


def test_a_beat_is_drawn_at_what_each_carrier_drives() -> None:
    """The beat of true interferential was drawn at the dial's current whatever the device
    drove: 140 mA where a 5 V compliance drives 13 mA a channel (review of 6 December
    2026). Each carrier is held at its compliance over its own load; the dial's channel is
    the one drawn alone; a channel off has no beat."""
    import dataclasses
    import types

    from estim.fields.program import fields_for_program
    from estim.program.bundled import bundled_examples
    from estim.program.loader import parse_program
    from estim.setup import build_setup
    from estim.simulate import simulate
    from estim.stimulator.engine import DialModel

    text = bundled_examples()["ifc_true_knee"].read_text(encoding="utf-8")
    low = parse_program(text.replace('compliance_voltage = "', 'compliance_voltage = "5 V"\n'
                                     '# was "', 1))
    fields = fields_for_program(low)
    result = dataclasses.replace(simulate(low, body=False),
                                 effects=types.SimpleNamespace(program_fields=fields))
    model = DialModel(low, build_setup(low), result, {}, low.device.max_amplitude, "A")
    beat = model.beat_waveform(0.07)
    assert beat is not None
    _, alone, both = beat
    reach = [5.0 / fields.channel(c.name).resistance for c in low.channels]
    assert np.max(np.abs(alone)) == pytest.approx(reach[0], rel=1e-6)  # A, held
    assert np.max(np.abs(both)) <= sum(reach) * (1 + 1e-9)
    off = parse_program(text.replace('amplitude = "30 mA"', 'amplitude = "0 mA"', 1))
    assert DialModel(off, build_setup(off), simulate(off, body=False), {},
                     off.device.max_amplitude, "A").beat_waveform(0.01) is None


def test_a_repeating_pattern_is_each_pulses_peak_over_its_cycle(
        tens: tuple[DialModel, list[float]]) -> None:
    """Knead's 2 s swell (the smallest pulse 30 % of the largest) and rub's 0.5 s dip of
    rate (80 to 40 Hz) and amplitude (by 30 %) looked like conventional TENS in the
    waveform's four pulses (educator's probe of 7 December 2026): the pattern has them, at
    the dial's setting; conventional TENS, whose pulses are all alike, has none."""
    from estim.stimulator import DeviceSettings, settings_program

    model, _ = tens
    assert model.pattern(0.025) is None
    knead = prepare(settings_program(DeviceSettings(mode="knead")))
    onsets, peaks = knead.pattern(0.010)  # type: ignore[misc]
    assert knead.pattern_cycle_s() == pytest.approx(2.0)
    assert onsets.size == 100 and np.diff(onsets) == pytest.approx(0.02)  # 50 Hz
    assert np.max(np.abs(peaks)) == pytest.approx(0.010, rel=1e-9)  # the dial's 10 mA
    assert np.min(np.abs(peaks)) == pytest.approx(0.003, rel=1e-3)  # swells by 70 %
    rub = prepare(settings_program(DeviceSettings(mode="rub")))
    onsets, peaks = rub.pattern(0.010)  # type: ignore[misc]
    gaps = np.diff(onsets)
    assert 1 / gaps.max() == pytest.approx(40.0, rel=0.05) and 1 / gaps.min() == pytest.approx(
        80.0, rel=0.05)
    assert np.min(np.abs(peaks)) == pytest.approx(0.007, rel=0.02)  # down by up to 30 %
