"""The safety verdict along the dial is estim.safety.check's at every amplitude."""

from __future__ import annotations

import numpy as np
import pytest

from estim.errors import InputError
from estim.safety import check
from estim.stimulator import DeviceSettings, settings_program
from estim.stimulator.safety_dial import BISECT_TOLERANCE, REFUSED, program_at, safety_table


def _direct(program, amplitude: float) -> tuple[str, set[str]]:  # type: ignore[no-untyped-def]
    report = check(program_at(program, amplitude))
    return report.verdict.value, {f.rule_id for f in report.findings
                                  if f.verdict.value != "pass"}


def _table_at(table, amplitude: float) -> tuple[str, set[str]]:  # type: ignore[no-untyped-def]
    span = table.at(amplitude)
    assert len(span.rule_ids) == len(span.rules)
    return span.verdict, set(span.rule_ids)


def test_verdict_flips_where_check_flips_at_the_closed_form_current() -> None:
    # iontophoresis on 2 x 2 cm pads: the programmed current density passes 0.5 mA/cm2
    # (the iontophoresis.current_density limit) at 0.5 mA/cm2 x 4 cm2 = 2 mA exactly
    program = settings_program(DeviceSettings(mode="iontophoresis_dexamethasone",
                                              pad_width="2 cm", pad_length="2 cm"))
    table = safety_table(program)
    top = program.device.max_amplitude
    flip = table.ceiling()
    # the bisection brackets the change within BISECT_TOLERANCE of the dial
    assert flip == pytest.approx(2e-3, abs=BISECT_TOLERANCE * top)
    below, above = 2e-3 * (1 - 1e-3), 2e-3 * (1 + 1e-3)
    assert _direct(program, below)[0] == "warn" == table.at(below).verdict
    assert _direct(program, above)[0] == "fail" == table.at(above).verdict
    assert "iontophoresis.current_density" in _table_at(table, above)[1]


def test_hvpc_warns_at_any_output_as_check_does() -> None:
    # monophasic HVPC has a d.c. component at every setting: its pulse's shape is judged at
    # 0 too (at the device maximum; it passed at 0, a ratio of nothing over nothing, until
    # 6 December 2026)
    program = settings_program(DeviceSettings(mode="hvpc_wound"))
    table = safety_table(program)
    top = program.device.max_amplitude
    for a in (0.0, BISECT_TOLERANCE * top, 0.01 * top):
        # without the site's load the current density into 500 Ω warns too, at the device
        # maximum whatever the dial: the unit's 2.5 A current limit would exceed it in a
        # lower load (the stimulator passes its field's load; probe of 6 December 2026)
        tripped = {"iec.dc_component", "iec.current_density"}
        assert _direct(program, a) == _table_at(table, a) == ("warn", tripped), a


@pytest.mark.parametrize("settings", [
    DeviceSettings(mode="hvpc_wound"),
    DeviceSettings(mode="tens_conventional", pad_width="2 cm", pad_length="2 cm"),
    DeviceSettings(mode="nmes_quadriceps", pad_width="2 cm", pad_length="2 cm"),
])
def test_table_agrees_with_check_along_the_dial(settings: DeviceSettings) -> None:
    program = settings_program(settings)
    table = safety_table(program)
    top = program.device.max_amplitude
    # 41 settings off the table's own grid (an irrational step), both verdict and rules
    for a in np.linspace(0.0, top, 41) * (1 - 1 / np.pi / 100):
        assert _table_at(table, float(a)) == _direct(program, float(a)), a


def test_small_pads_trip_the_current_density_rule_at_the_programmed_setting() -> None:
    program = settings_program(DeviceSettings(mode="tens_conventional", pad_width="2 cm",
                                              pad_length="2 cm"))
    table = safety_table(program)
    low = table.at(0.001)
    high = table.at(0.09)
    here = [r for i, r in zip(high.rule_ids, high.rules, strict=True)
            if "current_density" in i and "at this setting" in r]
    assert here and not [r for r in low.rules if "at this setting" in r]


def test_a_refused_amplitude_is_reported_with_the_models_message() -> None:
    program = settings_program(DeviceSettings(mode="iontophoresis_dexamethasone"))
    table = safety_table(program)
    tiny = table.at(1e-6)
    assert tiny.verdict == REFUSED
    assert "dose" in tiny.rules[0] and "1 µA delivers" in tiny.rules[0]
    # where the dose's refusal ends (27.78 µA: 40 mA·min in 24 h with its ramps), inside
    # the table's tolerance: each setting as the model and check take it (27.79 µA read
    # "refused: amplitude: got '0 A'"; docs probe of 6 December 2026)
    for a in np.linspace(27.70e-6, 27.90e-6, 11):
        at = table.at(float(a))
        try:
            program_at(program, float(a))
        except InputError as err:
            assert at.verdict == REFUSED and at.rules[0] == str(err), a
        else:
            assert _table_at(table, float(a)) == _direct(program, float(a)), a
        assert "got '0 A'" not in " ".join(at.rules), a
    assert table.at(program.channels[0].stimulation.amplitude.value).verdict == "pass"
    assert table.ceiling() == float("inf")  # refused below, never above


def test_program_at_scales_every_channel_by_the_same_factor() -> None:
    program = settings_program(DeviceSettings(mode="ifc_premodulated"))
    first = program.channels[0].stimulation.amplitude.value
    moved = program_at(program, first / 2)
    for a, b in zip(program.channels, moved.channels, strict=True):
        assert b.stimulation.amplitude.value == pytest.approx(a.stimulation.amplitude.value / 2)


# 29 alone: 57 and 58 steps round the same way through the same code, and each grid of
# iontophoresis checks took 25-29 s of the tests' time (a check into the skin's d.c. load
# is 0.34 s)
@pytest.mark.parametrize("points", [29])
def test_a_grid_whose_last_step_rounds_below_the_top_still_tabulates(monkeypatch, points
                                                                     ) -> None:
    # The grid's size follows the time one check takes; with 29, 57 or 58 steps
    # top * n / n is not top for the iontophoresis device's 5 mA dial (0.004999999999999999),
    # which once made the table look up a point it never judged (KeyError in CI).
    import estim.stimulator.safety_dial as dial

    program = settings_program(DeviceSettings(mode="iontophoresis_dexamethasone"))
    top = program.device.max_amplitude
    assert top * points / points != top  # the rounding this test is about
    monkeypatch.setattr(dial, "MIN_GRID", points)
    monkeypatch.setattr(dial, "MAX_GRID", points)
    table = safety_table(program)
    for a in (0.25 * top, 0.5 * top, top):
        assert table.at(a).verdict == _direct(program, a)[0]


def test_the_dial_sets_the_first_channel_that_is_on_and_leaves_one_off(tmp_path) -> None:
    """With the first channel off, the dial set every channel alike: the one the file
    switched off was judged on, "at this setting, channel left" (review of 5 December
    2026). The dial's channel is the first that is on; a channel at 0 stays at 0; the
    waveform and the field picture are that channel's."""
    from estim.program import load_program
    from estim.program.bundled import bundled_examples
    from estim.stimulator.safety_dial import dial_channel

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    head, channel = text[:text.index("[[channels]]")], text[text.index("[[channels]]"):]
    right = channel.replace('name = "1"', 'name = "right"').replace(
        "lumbar_left", "lumbar_right").replace('"25 mA"', '"20 mA"')
    path = tmp_path / "two.toml"
    path.write_text(head + channel.replace('"25 mA"', '"0 mA"') + "\n" + right,
                    encoding="utf-8")
    program = load_program(path)
    assert dial_channel(program).name == "right"
    moved = program_at(program, 0.030)
    assert [c.stimulation.amplitude.value for c in moved.channels] == pytest.approx(
        [0.0, 0.030], rel=1e-12)  # 20 mA x 0.030 / 0.020: rounding alone
    findings = check(moved).findings
    assert [f.value for f in findings if f.rule_id == "iec.current_density"
            and f.channel == "1" and f.setting and f.setting.value == "programmed"] == [0.0]
    # every channel off: each set alike (the dial has nothing else to scale by)
    both_off = load_program(path).replace(channels=tuple(
        c.replace(stimulation=c.stimulation.replace(amplitude=c.stimulation.amplitude.replace(
            value=0.0))) for c in program.channels))
    assert [c.stimulation.amplitude.value for c in program_at(both_off, 0.01).channels] \
        == [0.01, 0.01]


def test_a_rule_tripped_at_this_setting_and_at_the_maximum_is_one_line() -> None:
    """HVPC at 500 V listed its current density twice, "at this setting" and "at the device
    maximum", each starting "warn:" (browser probe of 6 December 2026): one line naming
    both, its verdict in words."""
    from estim.stimulator.safety_dial import tripped_lines

    program = settings_program(DeviceSettings(mode="hvpc_wound"))
    top = program.device.max_amplitude
    report = check(program_at(program, top))
    density = [f for f in report.findings
               if f.rule_id == "iec.current_density" and f.verdict.value != "pass"]
    assert len(density) == 2  # at the setting (here the maximum) and at the maximum
    lines, ids = tripped_lines(report.findings)
    (line,) = [ln for ln, i in zip(lines, ids, strict=True) if i == "iec.current_density"]
    assert line.startswith(("Warning: ", "Over its limit: ")), line
    assert "at this setting and at the device maximum" in line, line
    assert len(lines) == len(set(ids))
    # the rule's name, not its formula: the d.c. rule read "|signed mean| / mean |I| over a
    # cycle, into 500 Ω" to a patient (phone probe of 7 December 2026)
    (dc,) = [ln for ln, i in zip(lines, ids, strict=True) if i == "iec.dc_component"]
    # and what it means for the person: it read as a danger at every setting (phone probe
    # of 7 December 2026)
    assert dc == ("Warning: d.c. component of the output at this setting, channel 1 "
                  "(IEC 60601-2-10:2012, 201.7.9.2.101): the current runs one way for a "
                  "while, which can irritate the skin under the pads; the standard asks the "
                  "instructions to say how to care for it, it is not a limit exceeded"), dc
    assert line.endswith(")")  # a limit that is one is not explained away


def test_true_interferential_shows_its_two_channels_added_beating() -> None:
    """The page drew 1 ms of channel A's 4 kHz carrier, in which no interference shows
    (browser probe of 6 December 2026): over one period of the slowest beat, channel A alone
    is a steady carrier and A + B swells to their sum and fades to their difference, at
    the beat's rate."""
    from estim.setup import build_setup
    from estim.simulate import simulate
    from estim.stimulator.engine import DialModel

    program = settings_program(DeviceSettings(mode="ifc_true_knee"))
    model = DialModel(program, build_setup(program), simulate(program, body=False), {},
                      program.device.max_amplitude, "A")
    a = 0.03
    beat = model.beat_waveform(a)
    assert beat is not None
    t, alone, both = beat
    # one period of the slowest beat, 80 Hz (the sweep's 80-120 Hz)
    assert t[-1] - t[0] == pytest.approx(1 / 80, rel=1e-6)
    assert np.max(np.abs(alone)) == pytest.approx(a, rel=1e-3)
    # the two 30 mA carriers add to 60 mA where in phase and cancel where opposed (at the
    # 20 points a carrier cycle of the grid: within 2 % of the peak)
    assert np.max(np.abs(both)) == pytest.approx(2 * a, rel=0.02)
    # near the null, over two carrier cycles (0.5 ms) the envelope 2a|sin(pi 80 Hz t)|
    # rises to 2a sin(pi 80 Hz 0.25 ms) = 0.13 a at most: far below the 2 a peak
    quiet = min(np.max(np.abs(both[k:k + 40])) for k in range(0, both.size - 40, 20))
    assert quiet < 0.15 * a
    tens = settings_program(DeviceSettings(mode="tens_conventional"))
    assert DialModel(tens, build_setup(tens), simulate(tens, body=False), {},
                     tens.device.max_amplitude, "A").beat_waveform(0.01) is None


def test_a_premodulated_carrier_is_drawn_over_two_beats_and_said_to_beat_in_the_device(
        ) -> None:
    """The page drew 1 ms of premodulated interferential's 4 kHz carrier, which hid its
    100 Hz beat, and HVPC's twin peaks as one spike, without a word (educator probe of
    6 December 2026): two beats are drawn, and each says what its scale hides."""
    pytest.importorskip("fastapi")
    from estim.setup import build_setup
    from estim.simulate import simulate
    from estim.stimulator.engine import DialModel
    from estim.web.device import _waveform_caption

    program = settings_program(DeviceSettings(mode="ifc_premodulated"))
    model = DialModel(program, build_setup(program), simulate(program, body=False), {},
                      program.device.max_amplitude, "A")
    t, _ = model.waveform(0.02)
    assert t[-1] - t[0] == pytest.approx(2 / 100, rel=1e-6)  # two beats of 100 Hz
    assert "modulated at the beat (100 Hz) inside the device" in _waveform_caption(program)
    hvpc = settings_program(DeviceSettings(mode="hvpc_wound"))
    assert _waveform_caption(hvpc).startswith("Each spike is a pair of peaks 75 µs apart")
    assert _waveform_caption(settings_program(DeviceSettings(mode="tens_conventional"))) == ""


def test_a_setting_is_judged_apart_from_the_device_maximum() -> None:
    """A program over a limit only at the device maximum read "Exceeds a limit" at 0 mA
    on the page (educator's probe of 7 December 2026): the table keeps this setting's own
    verdict beside check's, which judges the maximum too. A 100 mA interferential unit:
    70.7 mA r.m.s. at its maximum fails the 50 mA beat band; 30 mA, 21.2 mA r.m.s., passes."""
    from estim.program import parse_program
    from estim.program.bundled import bundled_examples

    text = bundled_examples()["ifc_true_knee"].read_text(encoding="utf-8")
    program = parse_program(text.replace('max_current = "70 mA"', 'max_current = "100 mA"'))
    from estim.stimulator.safety_dial import _judge  # one check a setting (the table's
    # grid of an interferential program takes half a minute)

    at = _judge(program, 0.03, None)[1]
    assert at.verdict == "fail" and at.at_setting == "pass"
    # past 50 mA r.m.s. at the setting itself (71.5 mA peak): this setting fails too
    assert _judge(program, 0.0715, None)[1].at_setting == "fail"


def test_ahead_names_the_next_rule_where_it_trips() -> None:
    """A passing or warning verdict named no rule and no margin (educator's probe of
    7 December 2026). Iontophoresis on 2 x 2 cm pads warns from the first microampere and
    fails the 0.5 mA/cm² current density at 0.5 x 4 = 2 mA: from 1 mA the next limit up
    the dial is that rule, at 2 mA (within the bisection's tolerance), and at 3 mA, failing,
    nothing worse lies ahead."""
    from estim.safety.limits import limit
    from estim.safety.render import rule_name

    program = settings_program(DeviceSettings(mode="iontophoresis_dexamethasone",
                                              pad_width="2 cm", pad_length="2 cm"))
    table = safety_table(program)
    ahead = table.ahead(1e-3)
    assert ahead is not None and ahead.verdict == "fail"
    assert ahead.amplitude == pytest.approx(2e-3, abs=BISECT_TOLERANCE
                                            * program.device.max_amplitude)
    name = rule_name(limit("iontophoresis.current_density").description)
    assert name in ahead.rules, ahead.rules
    assert table.ahead(3e-3) is None


def test_a_dial_that_passes_to_its_top_gives_the_nearest_rule_there() -> None:
    """Conventional TENS (80 Hz, 200 µs phases, biphasic) passes every rule up to its
    100 mA maximum. Its nearest rule at the top is the r.m.s. current into 500 Ω up to
    400 Hz: 100 mA x sqrt(2 x 200 µs x 80 Hz) = 17.9 mA r.m.s. of the 50 mA limit, 35.8 %
    (closed form; the tolerance covers the sampled waveform's r.m.s.)."""
    from estim.program import load_program
    from estim.program.bundled import bundled_examples

    program = load_program(bundled_examples()["tens_conventional"])
    table = safety_table(program)
    ahead = table.ahead(0.025)
    assert ahead is not None and ahead.amplitude is None and ahead.rules == ()
    assert ahead.closest is not None
    name, fraction = ahead.closest
    assert name == "r.m.s. output current into 500 Ω, up to 400 Hz"
    assert fraction == pytest.approx(0.1 * np.sqrt(2 * 200e-6 * 80) / 0.05, rel=1e-3)
    assert table.ahead(0.1) == ahead  # the top's margin, from anywhere below it


def test_ahead_names_the_rule_that_gets_worse_and_a_refused_stretch() -> None:
    """Rule A warns from 10 mA and fails from 50 mA; rule B warns from 30 mA. From 20 mA
    the next worse verdict is A's failure at 50 mA: it read "B is exceeded", B being the
    rule not yet listed here (review of 7 December 2026). A refused stretch above is said,
    not passed over, and a rule that trips at any output is "above 0"."""
    from estim.program import load_program
    from estim.program.bundled import bundled_examples
    from estim.stimulator.safety_dial import SafetyAt, SafetyTable

    program = load_program(bundled_examples()["tens_conventional"])
    spans = (SafetyAt("pass", ()),
             SafetyAt("warn", ("a",), at_setting="warn", here_rules=(("A", "warn"),)),
             SafetyAt("warn", ("a", "b"), at_setting="warn",
                      here_rules=(("A", "warn"), ("B", "warn"))),
             SafetyAt("fail", ("a", "b"), at_setting="fail",
                      here_rules=(("A", "fail"), ("B", "warn"))),
             SafetyAt(REFUSED, ("no",)))
    table = SafetyTable((0.0, 0.01, 0.03, 0.05, 0.08), spans, 0, program)
    ahead = table.ahead(0.02)
    assert ahead is not None and (ahead.amplitude, ahead.verdict, ahead.rules) == (
        0.05, "fail", ("A",))
    assert table.ahead(0.06) is None  # failing: nothing worse ahead
    gated = SafetyTable((0.0, 0.04), (SafetyAt("pass", ()), SafetyAt(REFUSED, ("no",))), 0,
                        program)
    refused = gated.ahead(0.01)
    assert refused is not None and (refused.amplitude, refused.verdict) == (0.04, REFUSED)
    assert not refused.above_zero
    tiny = SafetyTable((0.0, 1e-6), (SafetyAt("pass", ()), SafetyAt(
        "warn", ("a",), at_setting="warn", here_rules=(("A", "warn"),))), 0, program)
    first = tiny.ahead(0.0)
    assert first is not None and first.above_zero and first.rules == ("A",)


def test_the_margin_is_of_a_rule_that_grows_with_the_dial() -> None:
    """Acupuncture-like TENS (2 Hz) named the open-circuit peak voltage, its 80 V
    compliance at every setting, as its margin (review of 7 December 2026): the rule named
    is one whose value grows with the dial, here the r.m.s. current of its asymmetric
    pulse (250 µs at I, then a quarter of I for 1 ms: I² × 250 µs × 1.25 a pulse), 100 mA ×
    sqrt(2 Hz × 250 µs × 1.25) = 2.5 mA of 50 mA."""
    from estim.program import load_program
    from estim.program.bundled import bundled_examples

    program = load_program(bundled_examples()["tens_acupuncture"])
    ahead = safety_table(program).ahead(0.0)
    assert ahead is not None and ahead.closest is not None
    name, fraction = ahead.closest
    assert name == "r.m.s. output current into 500 Ω, up to 400 Hz"
    assert fraction == pytest.approx(0.1 * np.sqrt(2 * 250e-6 * 1.25) / 0.05, rel=1e-3)
