"""The output specification table and its rendering."""

from __future__ import annotations

import html
import io
import json
import math
import re
from pathlib import Path

import pytest
from rich.console import Console

from estim.program import ProgramError, load_program
from estim.program.loader import parse_program
from estim.safety import check, render_check
from tests.programs import TENS, channel, disc

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tens_conventional.toml"


def test_table_hand_values_conventional_tens() -> None:
    report = check(load_program(EXAMPLE))
    (ct,) = report.table.channels
    assert ct.row("max_current_500_ohm").programmed == pytest.approx(0.025)
    assert ct.row("max_current_500_ohm").maximum == pytest.approx(0.100)
    assert ct.row("max_voltage_2000_ohm").maximum == pytest.approx(80.0)  # compliance
    assert ct.row("max_current_10000_ohm").programmed == pytest.approx(0.008)
    assert ct.row("max_phase_charge_500_ohm").programmed == pytest.approx(5e-6)
    assert ct.row("net_charge_500_ohm").programmed == pytest.approx(0.0, abs=1e-15)
    rms = 0.025 * math.sqrt(2 * 200e-6 * 80)
    assert ct.row("max_current_density").programmed == pytest.approx(rms / 25e-4)
    assert ct.row("max_average_power_density").programmed == pytest.approx(500 * rms**2 / 25e-4)
    assert ct.row("max_average_current").programmed == pytest.approx(0.025 * 2 * 200e-6 * 80)
    assert ct.row("energy_per_pulse_500_ohm").programmed == pytest.approx(
        500 * 0.025**2 * 400e-6)
    assert ct.row("frequency").programmed == 80.0
    # into 1 kΩ, the output indicator's load (the table gave 500 Ω, 2 kΩ and 10 kΩ; engineer's
    # probe of 6 December 2026): 25 V, and the 80 V compliance holds 100 mA to 80 mA
    assert ct.row("max_voltage_1000_ohm").programmed == pytest.approx(25.0)
    assert ct.row("max_current_1000_ohm").maximum == pytest.approx(0.080)
    assert ct.row("max_voltage_1000_ohm").maximum == pytest.approx(80.0)
    # display figures carry no division noise: 0.125 mJ, not 0.12500000000000003 (probe)
    energy = next(f for f in report.to_dict()["findings"]
                  if f["rule_id"] == "iec.energy_per_pulse" and f["setting"] == "programmed")
    assert repr(energy["display_value"]) == "0.125"


def test_an_asymmetric_pulse_and_a_modulation_give_their_ranges() -> None:
    """A 510(k) table gives an asymmetric pulse's second phase and a modulated program's
    ranges; the table had the leading phase and the top of each modulation alone (device
    engineer's probe of 7 December 2026). By hand: 70 mA × 0.25 = 17.5 mA for 250 µs /
    0.25 = 1 ms; tens_modulated's 28 mA, 100 Hz, 200 µs at depths 0.3, 0.5, 0.3 go down to
    19.6 mA, 50 Hz and 140 µs over its 1 s period."""
    from estim.program.bundled import bundled_examples

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    asym = parse_program(text.replace('amplitude = "25 mA"', 'amplitude = "70 mA"')
                         .replace('pulse_width = "200 us"', 'pulse_width = "250 us"')
                         .replace('pulse = "symmetric_biphasic"',
                                  'pulse = "asymmetric_biphasic"\nasymmetry_ratio = 0.25'))
    (ct,) = check(asym).table.channels
    assert ct.row("second_phase_amplitude").programmed == pytest.approx(0.0175, rel=1e-12)
    assert ct.row("second_phase_amplitude").maximum == pytest.approx(0.025, rel=1e-12)
    assert ct.row("second_phase_duration").programmed == pytest.approx(1e-3, rel=1e-12)
    (sym,) = check(load_program(EXAMPLE)).table.channels
    assert {r.key for r in sym.rows}.isdisjoint({"second_phase_amplitude",
                                                 "modulation_period"})
    modulated = load_program(bundled_examples()["tens_modulated"])
    stim = modulated.channels[0].stimulation
    assert (stim.amplitude.value, stim.frequency, stim.pulse_width) == (0.028, 100.0, 200e-6)
    assert (stim.amplitude_modulation, stim.rate_modulation, stim.width_modulation) == (
        0.3, 0.5, 0.3)
    (ct,) = check(modulated).table.channels
    # as the pulses are built (the plot draws them): they sample the modulation, so the
    # lowest peak lies within one pulse's step of 28 × 0.7 = 19.6 mA (hostile probe: the
    # set depth's 0.28 mA stood beside built pulses of 0.65 mA at a depth of 0.99)
    from estim.waveforms import stimuli_for

    built = stimuli_for(modulated)[0]
    lowest = ct.row("modulation_lowest_amplitude").programmed
    assert lowest == float(built.event_peak.min())
    assert 0.0196 <= lowest <= 0.0196 * 1.005
    # to float rounding (pytest's 1e-6): 100 Hz × 0.5 and 200 µs × 0.7 on the 1 µs step
    assert ct.row("modulation_lowest_frequency").programmed == pytest.approx(50.0)
    assert ct.row("modulation_narrowest_pulse").programmed == pytest.approx(140e-6)
    assert ct.row("modulation_period").programmed == stim.modulation_period == 1.0
    # the deepest modulation that keeps 1 µs pulses: the built narrowest is 1-2 µs (a deeper
    # one, whose pulses the builder rounded to none, is refused since 8 December 2026)
    text = bundled_examples()["tens_modulated"].read_text(encoding="utf-8")
    deep = parse_program(text.replace("width_modulation = 0.3", "width_modulation = 0.995"))
    (ct,) = check(deep).table.channels
    narrow = ct.row("modulation_narrowest_pulse").programmed
    assert narrow is not None and 1e-6 - 1e-12 <= narrow <= 2e-6 + 1e-12
    with pytest.raises(ProgramError, match="width_modulation"):
        parse_program(text.replace("width_modulation = 0.3", "width_modulation = 0.999"))


def test_direct_current_has_no_charge_per_pulse() -> None:
    """Iontophoresis's table read "Net charge per pulse 2.4 C", its whole session's charge,
    for a current with no pulses (phone probe of 6 December 2026): d.c. gives no per-pulse
    charge, as it gives no energy per pulse; its dose is the session's charge."""
    examples = EXAMPLE.parent
    (ct,) = check(load_program(examples / "iontophoresis_dexamethasone.toml")).table.channels
    for key in ("net_charge_500_ohm", "max_phase_charge_500_ohm", "energy_per_pulse_500_ohm"):
        assert ct.row(key).programmed is None and ct.row(key).maximum is None, key
    # a monophasic pulsed output keeps them: HVPC's net charge is its two peaks'
    (hv,) = check(load_program(examples / "hvpc_wound.toml")).table.channels
    net = hv.row("net_charge_500_ohm").programmed
    peak = hv.row("max_phase_charge_500_ohm").programmed
    assert isinstance(net, float) and isinstance(peak, float)
    assert net == pytest.approx(2 * peak, rel=1e-9)


def test_interferential_tables_give_the_beat_and_a_sweeps_range() -> None:
    """Premodulated interferential's 100 Hz beat was nowhere in its table, and true
    interferential's swept beat channel gave only its sweep's bottom, 4,080 Hz (probe of 5
    December 2026). The beats are those delivered: a stepped sweep's steps hold whole beats
    at their middle (80.2-119.7 Hz for 80-120), within 0.5 % of the programmed ends, and the
    channel's frequencies beside them too (review)."""
    examples = EXAMPLE.parent
    (pre,) = check(load_program(examples / "ifc_premodulated.toml")).table.channels
    assert pre.row("beat_frequency").programmed == pytest.approx(100.0)
    assert pre.row("beat_frequency_max").programmed is None
    assert pre.row("frequency_max").programmed is None
    base, beat = check(load_program(examples / "ifc_true_knee.toml")).table.channels
    for ct in (base, beat):
        assert ct.row("beat_frequency").programmed == pytest.approx(80.0, rel=5e-3)
        assert ct.row("beat_frequency_max").programmed == pytest.approx(120.0, rel=5e-3)
    assert base.row("frequency_max").programmed is None  # the base carrier does not sweep
    # the beat channel's frequencies are the beat rows' beside them, as delivered (its own
    # carrier given once, as the carrier frequency)
    assert beat.row("frequency").programmed is None
    assert beat.row("carrier_frequency").programmed == pytest.approx(
        4000.0 + beat.row("beat_frequency").programmed)
    assert beat.row("frequency_max").programmed == pytest.approx(
        4000.0 + beat.row("beat_frequency_max").programmed)
    # printed to the beat's tenth of a hertz: 4,119.7 Hz read "4120 Hz" beside 119.7 Hz
    from estim.safety.table import format_value
    top = format_value(beat.row("frequency_max").programmed, "Hz")
    assert top == f"{4000.0 + beat.row('beat_frequency_max').programmed:.1f} Hz"
    assert format_value(4000.0, "Hz") == "4000 Hz" and format_value(33.333, "Hz") == "33.33 Hz"
    # a lone beat of whole carrier cycles: 2.5 kHz / 19 = 131.6 Hz, said beside 130 Hz
    text = (examples / "ifc_premodulated.toml").read_text()
    import re
    text = re.sub(r'carrier_frequency = "[^"]*"', 'carrier_frequency = "2.5 kHz"', text)
    text = re.sub(r'beat_frequency = "[^"]*"', 'beat_frequency = "130 Hz"', text)
    from estim.program import parse_program
    (odd,) = check(parse_program(text)).table.channels
    assert odd.row("beat_frequency").programmed == pytest.approx(2500 / 19)
    assert "its beat is 131.6 Hz, not the programmed 130 Hz" in str(odd.row("waveform").programmed)


def test_report_is_json_and_renders() -> None:
    report = check(load_program(EXAMPLE))
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["verdict"] == "pass"
    assert {"rule_id", "value", "limit", "unit", "verdict", "source", "evidence"} <= set(
        data["findings"][0])
    buf = io.StringIO()
    render_check(report, Console(file=buf, width=140, color_system=None))
    text = buf.getvalue()
    assert "Maximum output current @ 500 Ω" in text and "Overall verdict: PASS" in text
    # the warnings counted as in every other face (the last line gave failures only)
    import re
    assert re.search(r"Overall verdict: PASS \(\d+ rule checks, 0 failed, 0 warned\)", text)
    # and at the top, under the program's name: at 80 columns a two-channel check's verdict
    # was the last of ~370 lines
    assert text.splitlines()[1].startswith("Overall verdict: PASS")
    assert "25 mA" in text


def test_a_rows_note_is_a_footnote_at_the_tables_width() -> None:
    """At 80 columns a row's note stood in the label's column, a word or two a line (the
    skin load's 11 lines beside one figure); it is a numbered footnote under the table.
    Iontophoresis's skin load is its resistance (ramps of seconds, a 1 ms time constant),
    which the note said was "not resolved"; a d.c. output has no energy per pulse."""
    report = check(load_program(EXAMPLE.parent / "iontophoresis_dexamethasone.toml"))
    (ct,) = report.table.channels
    assert ct.row("skin_peak_voltage").programmed == pytest.approx(12.53, rel=1e-3)  # 4 mA
    assert "not resolved" not in ct.row("skin_peak_voltage").note  # × (300 + 2833) Ω
    assert ct.row("skin_energy_per_pulse").programmed is None
    buf = io.StringIO()
    render_check(report, Console(file=buf, width=80, color_system=None))
    text = buf.getvalue()
    assert "load (1)" in text and "\n(1) d.c. whose ramps and plateau" in text
    assert not any("│" in line and "capacitance" in line for line in text.splitlines())
    # a square wave steps: not d.c. through a resistance (review of 5 December 2026)
    (micro,) = check(load_program(EXAMPLE.parent / "microcurrent_face.toml")).table.channels
    assert "d.c." not in micro.row("skin_peak_voltage").note
    # a note two rows share is one footnote
    buf = io.StringIO()
    render_check(check(load_program(EXAMPLE.parent / "ifc_true_knee.toml")),
                 Console(file=buf, width=80, color_system=None))
    assert buf.getvalue().count(") a carrier cycle for carrier outputs") == 2  # A and B


def test_a_figure_of_a_thousand_or_more_is_shown_in_the_larger_unit() -> None:
    """Iontophoresis's table read "630,000,000 µs" and "2,400,000 µC" (10.5 min, 2.4 C);
    from 1,000 of a row's unit the figure is shown in the next larger one, and below it as
    before (the CSV keeps the row's unit and every digit)."""
    from estim.safety.render import format_value

    assert format_value(630.0, "µs") == "630 s"
    assert format_value(2.4, "µC") == "2.4 C"
    assert format_value(1e-3, "µC") == "1 mC"
    assert format_value(36.82, "mJ") == "36.82 J"
    assert format_value(0.099, "µs") == "99 ms"
    assert format_value(1e-3, "µs") == "1 ms"
    assert format_value(999e-6, "µs") == "999 µs"
    assert format_value(200e-6, "µs") == "200 µs"
    assert format_value(4.2e-34, "µC") == "0 µC"  # rounding noise of a balanced pulse
    assert format_value(None, "µs") == "n/a"


def test_a_session_the_program_does_not_give_is_named_as_the_default() -> None:
    """A program without a duration ran 30 min, tabled as if it were the program's own
    (probe of 5 December 2026); iontophoresis's time comes from its dose, not a default."""
    from estim.program import parse_program
    from estim.program.bundled import bundled_examples

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    assert 'duration = "30 min"' in text
    given = check(parse_program(text)).table.channels[0].row("session_duration")
    bare = check(parse_program(text.replace('duration = "30 min"\n', ""))).table.channels[0]
    assert given.note == "" and given.programmed == bare.row("session_duration").programmed
    assert bare.row("session_duration").note == "the program gives no duration: the default " \
        "30 min"
    ionto = check(load_program(bundled_examples()["iontophoresis_dexamethasone"]))
    assert ionto.table.channels[0].row("session_duration").note == ""


def test_a_rule_without_a_value_says_why_in_the_brief() -> None:
    """A lead at 0 mA printed "PASS  ch 1  implant.shannon_k" bare among rules with a value
    and a limit (DBS probe of 6 December 2026): it says n/a and why."""
    from estim.program.bundled import bundled_examples
    from estim.safety.render import render_check_brief

    text = bundled_examples()["dbs_stn"].read_text(encoding="utf-8")
    off = parse_program(text.replace('amplitude = "3 mA"', 'amplitude = "0 mA"'))
    out = io.StringIO()
    render_check_brief(check(off), Console(file=out, width=80, color_system=None))
    lines = out.getvalue().splitlines()
    text = " ".join(" ".join(lines[:10]).split())
    assert "Shannon's k of the charge per phase and its density at the contact: n/a (no " \
        "charge delivered)" in text, lines


def test_a_skin_load_limited_at_the_device_maximum_alone_says_so() -> None:
    """Microcurrent's 12 V unit reaches its compliance on the typical skin load at its 1 mA
    maximum, not at the programmed 0.3 mA: the row's note, taken from the programmed
    column alone, left the maximum's 22.91 mJ unexplained (hostile probe of 6 December
    2026). The note says the maximum's peaks are the compliance's and its energy a bound."""
    examples = EXAMPLE.parent
    (ct,) = check(load_program(examples / "microcurrent_face.toml")).table.channels
    limited = ct.row("skin_limited")
    assert (limited.programmed, limited.maximum) == ("no", "yes")
    note = ct.row("skin_peak_voltage").note
    assert "at the device maximum the output would exceed the compliance voltage" in note
    assert note.endswith("the energy that of the unlimited output (an upper bound)")
    # limited at both: said once, as before
    (conv,) = check(load_program(EXAMPLE)).table.channels
    assert "at the device maximum" not in conv.row("skin_peak_voltage").note


def test_a_rule_that_does_not_pass_says_what_it_rests_on() -> None:
    """A monophasic TENS FAILed estim's own charge-balance rule with no word that it is not
    a limit of IEC 60601-2-10, and no line of the brief gave a clause (device engineer's
    probe of 7 December 2026): under each rule that does not pass, its basis."""
    from estim.program.bundled import bundled_examples
    from estim.safety.render import render_check_brief

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    mono = parse_program(text.replace('pulse = "symmetric_biphasic"', 'pulse = "monophasic"')
                         .replace('amplitude = "25 mA"', 'amplitude = "100 mA"')
                         # 100 mA × sqrt(2 ms × 150 Hz) = 54.8 mA r.m.s., over 50 mA
                         .replace('pulse_width = "200 us"', 'pulse_width = "2 ms"')
                         .replace('frequency = "80 Hz"', 'frequency = "150 Hz"')
                         .replace("output_indicator = true", "output_indicator = false"))
    out = io.StringIO()
    render_check_brief(check(mono), Console(file=out, width=200, color_system=None))
    said = out.getvalue()
    assert ("basis: estim's rule from the literature, not a limit of IEC 60601-2-10: "
            "Merrill DR, Bikson M, Jefferys JGR (2005)") in said, said
    assert ("basis: what the instructions for use must say, not an output limit: IEC "
            "60601-2-10:2012, 201.7.9.2.101 c)") in said
    assert ("basis: a limit of IEC 60601-2-10: IEC 60601-2-10:2012, 201.12.4.4 (51.104 of "
            "IEC 601-2-10:1987+A1:2001)") in said
    # a missing indicator asks for one, without "check that it has one" beside "declares
    # none"
    assert "fit an output indicator (IEC 60601-2-10), or keep the output under" in said
    assert "check that it has one" not in said
    # the 2012 edition's 201.7.9.2.101 f) asks the instructions for use for the maximum
    # outputs, not for an indicator: the 1987 edition's indicator, its clause unverified
    assert ("basis: an output indicator of IEC 601-2-10:1987 as estim reads it (its clause "
            "not verified; the 2012 edition's 201.7.9.2.101 f) asks the instructions for use "
            "for the maximum outputs above 10 mA or 10 V)") in " ".join(said.split())

    # every document says it too: -v, Markdown, HTML, CSV and JSON gave the source alone,
    # a red FAIL of estim's own rule with nothing to say it is not the standard's (probe)
    from estim.report.check_tables import render_check_table


    report = check(mono)
    verbose = io.StringIO()
    render_check(report, Console(file=verbose, width=100, color_system=None))
    documents = {"-v": verbose.getvalue(),
                 **{fmt: html.unescape(render_check_table(report, fmt))
                    for fmt in ("md", "html", "csv")},
                 "json": json.dumps(report.to_dict())}
    for name, said in documents.items():
        assert "estim's rule from the literature, not a limit of IEC 60601-2-10" in said, name
        assert "not an output limit" in said, name


def test_a_program_at_the_device_maximum_lists_its_rules_once() -> None:
    """Set to the device maximum, the check's two lists were one list twice, a violation
    among them (DBS probe of 7 December 2026): the maximum's section says so and lists the
    rules judged there alone (the output indicator's)."""
    from estim.program.bundled import bundled_examples
    from estim.safety.render import render_check_brief

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    at_max = parse_program(text.replace('amplitude = "25 mA"', 'amplitude = "100 mA"'))
    out = io.StringIO()
    render_check_brief(check(at_max), Console(file=out, width=80, color_system=None))
    said = out.getvalue()
    top = said.split("At the device maximum")[1]
    assert "as programmed (the device maximum): 5 rules as above, not repeated" in top, said
    assert "r.m.s. output current into 500 Ω" not in top
    assert "needing an output" in top  # the indicator's rules, judged at the maximum alone
    # below the maximum, each setting keeps its full list
    out = io.StringIO()
    render_check_brief(check(parse_program(text)), Console(file=out, width=80,
                                                           color_system=None))
    top = out.getvalue().split("At the device maximum")[1]
    assert "not repeated" not in top and "r.m.s. output current into 500 Ω" in top
    # a compliance that holds 90 mA and the 100 mA maximum to one output gives the same
    # values at both: not "the device maximum" at 90 mA, each list in full (review)
    held = parse_program(text.replace('amplitude = "25 mA"', 'amplitude = "90 mA"')
                         .replace('compliance_voltage = "80 V"', 'compliance_voltage = "30 V"'))
    out = io.StringIO()
    render_check_brief(check(held), Console(file=out, width=80, color_system=None))
    top = out.getvalue().split("At the device maximum")[1]
    assert "not repeated" not in top and "r.m.s. output current into 500 Ω" in top


def test_a_compliance_that_holds_the_current_down_is_said_in_the_brief() -> None:
    """A 20 V compliance under a 100 mA maximum passed every rule with nothing in the brief
    of its 40 mA into 500 Ω, nor of the programmed 25 mA held to 20 mA into 1 kΩ: only the
    -v table's footnotes said it (device engineer's probe of 7 December 2026)."""
    from estim.program.bundled import bundled_examples
    from estim.safety.render import render_check_brief

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    low = parse_program(text.replace('compliance_voltage = "80 V"', 'compliance_voltage = "20 V"'))
    out = io.StringIO()
    render_check_brief(check(low), Console(file=out, width=200, color_system=None))
    said = " ".join(out.getvalue().split())
    # 20 V / 1 kΩ = 20 mA under the programmed 25 mA; 20 V / 500 Ω = 40 mA under 100 mA
    assert ("ch 1: the compliance voltage holds the current under the amplitude: as "
            "programmed (25 mA), 20 mA into 1 kΩ; at the device maximum (100 mA), 40 mA into "
            "500 Ω, 20 mA into 1 kΩ") in said, said
    # a unit whose compliance delivers the programmed current says nothing as programmed
    out = io.StringIO()
    render_check_brief(check(parse_program(text)), Console(file=out, width=200,
                                                           color_system=None))
    assert "as programmed (25 mA)" not in out.getvalue()


def _two_channels(**timing: str) -> str:
    """tens_conventional (80 Hz, 200 µs, 25 mA) with a second channel on the other side,
    5 cm discs at 20 mA, at ``timing`` (frequency, pulse width, gap)."""
    from estim.program.bundled import bundled_examples

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    return text + channel("2", "lumbar_right_upper", "lumbar_right_lower", pad=disc("5 cm"),
                          **{**TENS, "amplitude": "20 mA", "pulse": "symmetric_biphasic",
                             **timing})


def test_the_burst_duty_cycle_is_bursts_per_second_times_burst_duration() -> None:
    """The 510(k) table's burst line d was missing (device engineer's probe). By hand:
    tens_burst's 7 pulses at 100 Hz of 2 × 200 µs last 6 / 100 s + 400 µs = 60.4 ms, at
    2 bursts a second 0.1208 of the time; Russian's 50 Hz bursts of half a period, 0.5."""
    from estim.program.bundled import bundled_examples

    (ct,) = check(load_program(bundled_examples()["tens_burst"])).table.channels
    assert ct.row("burst_duty_cycle").programmed == pytest.approx(2 * (6 / 100 + 400e-6))
    assert ct.row("burst_duty_cycle").maximum == pytest.approx(0.1208)
    (ru,) = check(load_program(bundled_examples()["russian_quadriceps"])).table.channels
    assert ru.row("burst_duty_cycle").programmed == pytest.approx(0.5)
    # not its duty setting read back: 45 % at 50 Hz is 9 ms bursts, 0.45 of the time, of
    # 22.5 carrier cycles at 2.5 kHz, whose phases are not symmetric (a net charge; review)
    text = bundled_examples()["russian_quadriceps"].read_text(encoding="utf-8")
    assert "burst_duty = 0.5" in text
    (ru45,) = check(parse_program(text.replace("burst_duty = 0.5", "burst_duty = 0.45"))
                    ).table.channels
    assert ru45.row("burst_duration").programmed == pytest.approx(0.009)
    assert ru45.row("burst_duty_cycle").programmed == pytest.approx(50 * 0.009)
    assert ru45.row("symmetric_phases").programmed == "no"
    assert ru45.row("net_charge_500_ohm").programmed > 0
    (plain,) = check(load_program(EXAMPLE)).table.channels  # no bursts: n/a
    assert plain.row("burst_duty_cycle").programmed is None


def test_symmetrical_phases_and_the_interphase_interval_have_rows() -> None:
    """Both showed only inside the waveform's words and the pulse duration (device
    engineer's probe). By hand: 150 µs phases around a 20 µs gap make a 320 µs pulse."""
    text = _two_channels(frequency="120 Hz", pulse_width="150 us", interphase_gap="20 us")
    one, two = check(parse_program(text)).table.channels
    assert (one.row("symmetric_phases").programmed, one.row("interphase_interval").programmed
            ) == ("yes", 0.0)
    assert two.row("interphase_interval").programmed == pytest.approx(20e-6)
    assert two.row("pulse_duration").programmed == pytest.approx(150e-6 + 20e-6 + 150e-6)
    # an asymmetric pulse's phases differ; a monophasic pulse has one phase: n/a
    text = EXAMPLE.read_text(encoding="utf-8")
    asym = parse_program(text.replace('pulse = "symmetric_biphasic"',
                                      'pulse = "asymmetric_biphasic"'))
    assert check(asym).table.channels[0].row("symmetric_phases").programmed == "no"
    mono = parse_program(text.replace('pulse = "symmetric_biphasic"', 'pulse = "monophasic"'))
    (ct,) = check(mono).table.channels
    assert ct.row("symmetric_phases").programmed is None
    assert ct.row("interphase_interval").programmed is None


def test_two_channels_say_whether_they_run_together_or_alternate() -> None:
    """The 510(k) table asks "synchronous or alternating?" and the table did not say
    (device engineer's probe). A program sets no delay between channels: both start their
    cycle at once, so at one rate and width their pulses coincide; at 80 and 120 Hz they
    run side by side; never alternating."""
    same = parse_program(_two_channels(frequency="80 Hz", pulse_width="200 us"))
    one, two = check(same).table.channels
    assert one.row("channel_timing").programmed == (
        "as programmed: synchronous with channel 2 (pulses at the same instants); "
        "not alternating")
    assert two.row("channel_timing").maximum == (
        "as programmed: synchronous with channel 1 (pulses at the same instants); "
        "not alternating")
    other = parse_program(_two_channels(frequency="120 Hz", pulse_width="150 us"))
    one, _ = check(other).table.channels
    assert one.row("channel_timing").programmed == (
        "as programmed: simultaneous with channel 2, its pulses at instants of its own; "
        "not alternating")
    # a channel off (0) is said to be off, and named in no other row (review)
    off = parse_program(_two_channels(frequency="80 Hz", pulse_width="200 us")
                        .replace('amplitude = "20 mA"', 'amplitude = "0 mA"'))
    one, two = check(off).table.channels
    assert "channel_timing" not in {r.key for r in one.rows}
    assert two.row("channel_timing").programmed == "off as programmed (0)"
    (alone,) = check(load_program(EXAMPLE)).table.channels  # one channel: no such row
    assert "channel_timing" not in {r.key for r in alone.rows}


def test_a_carrier_outputs_rows_say_what_they_are() -> None:
    """Russian current read "Pulse duration (all phases and gaps) 10 ms" (its burst), the
    "peak of the leading phase" of a sine and "Frequency 2500 Hz" above "Carrier frequency
    2500 Hz" (device engineer's probe). The numbers stay; by hand: half a 2.5 kHz cycle is
    200 µs, half a 50 Hz period 10 ms."""
    from estim.program.bundled import bundled_examples

    (ru,) = check(load_program(bundled_examples()["russian_quadriceps"])).table.channels
    assert ru.row("amplitude").label == "Amplitude setting (peak of the carrier)"
    assert ru.row("pulse_width").label == "Phase duration (half a carrier cycle)"
    assert ru.row("pulse_width").programmed == pytest.approx(0.5 / 2500)
    assert ru.row("pulse_duration").label == "Pulse duration (a carrier's: one whole burst)"
    assert ru.row("pulse_duration").programmed == pytest.approx(0.5 / 50)
    assert ru.row("frequency").programmed is None  # once, as the carrier frequency
    assert ru.row("carrier_frequency").programmed == 2500.0
    assert ru.row("burst_frequency").programmed == 50.0
    assert ru.row("symmetric_phases").programmed == "yes"  # a sine's half-cycles mirror
    # a pulsed output keeps the pulse's words
    (tens,) = check(load_program(EXAMPLE)).table.channels
    assert tens.row("amplitude").label == "Amplitude setting (peak of the leading phase)"
    assert tens.row("pulse_width").label == "Pulse width (leading phase)"


def test_a_ramp_that_drops_a_pulse_leaves_two_channels_synchronous() -> None:
    """Two NMES channels at 50 Hz on the same 10 s on / 20 s off, one ramped from 0 (its
    first pulse at 0 mA is dropped: 499 onsets against 500), were "each at its own timing"
    (hostile probe of 7 December 2026): their pulses fall at the same instants."""
    from estim.program.bundled import bundled_examples

    text = bundled_examples()["nmes_quadriceps"].read_text(encoding="utf-8")
    one = text.split("[[channels]]")[1]
    two = one.replace('name = "1"', 'name = "2"')
    for key in ("ramp_up", "ramp_down"):
        two = re.sub(rf'{key} = "[^"]*"', f'{key} = "0 s"', two)
    program = parse_program(text + "[[channels]]" + two)
    from estim.waveforms.build import stimulus_for

    outputs = [stimulus_for(ch) for ch in program.channels]
    assert len(outputs[0].onsets_s) != len(outputs[1].onsets_s)  # the dropped pulse
    first, second = check(program).table.channels
    assert first.row("channel_timing").programmed.startswith(
        "as programmed: synchronous with channel 2"), first.row("channel_timing")
    assert second.row("channel_timing").programmed.startswith(
        "as programmed: synchronous with channel 1")


def test_an_asymmetric_pulse_with_mirrored_phases_is_symmetric() -> None:
    """An asymmetric biphasic pulse of ratio 1 (its second phase the first's amplitude and
    width) is the symmetric pulse, and answered "Symmetrical phases? no" (hostile probe)."""
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'pulse = "symmetric_biphasic"', 'pulse = "asymmetric_biphasic"\nasymmetry_ratio = 1')
    (ct,) = check(parse_program(text)).table.channels
    assert ct.row("symmetric_phases").programmed == "yes"
    assert ct.row("net_charge_500_ohm").programmed == pytest.approx(0.0, abs=1e-15)


def test_a_voltage_outputs_current_limit_is_said_in_the_brief() -> None:
    """60 V held by a 10 mA current limit to 5 V into 500 Ω was said in -v's footnotes
    alone, where a current output's compliance has its line (hostile probe)."""
    from estim.safety.render import render_check_brief

    program = parse_program(
        'name = "voltage limited"\n[device]\ncontrol = "voltage"\nmax_voltage = "100 V"\n'
        'current_limit = "10 mA"\noutput_indicator = true\n[site]\nname = "lower_back"\n'
        '[[channels]]\nname = "1"\nanode = { placement = "lumbar_left_upper", shape = '
        '"rectangular", width = "5 cm", length = "5 cm" }\ncathode = { placement = '
        '"lumbar_left_lower", shape = "rectangular", width = "5 cm", length = "5 cm" }\n'
        '[channels.stimulation]\ntype = "tens"\nmode = "conventional"\namplitude = "60 V"\n'
        'frequency = "80 Hz"\npulse_width = "200 us"\nduration = "30 min"\n')
    out = io.StringIO()
    render_check_brief(check(program), Console(file=out, width=200, color_system=None))
    said = " ".join(out.getvalue().split())
    # 10 mA × 500 Ω = 5 V, × 1 kΩ = 10 V
    assert ("ch 1: the current limit holds the voltage under the amplitude: as programmed "
            "(60 V), 5 V into 500 Ω, 10 V into 1 kΩ") in said, said


def test_a_csv_column_that_channels_word_differently_gives_each_channels_words() -> None:
    """A Russian carrier beside TENS pulses: the CSV's header had the first channel's words
    alone, so TENS's 400 µs pulses sat under "Pulse duration (a carrier's: one whole
    burst)" (device engineer's probe of 7 December 2026). Each channel's wording now, and
    a column both word alike keeps its one label."""
    import csv

    from estim.report.check_tables import render_check_table
    from tests.programs import head

    text = head("mixed", "thigh") + channel(
        "carrier", "quadriceps_proximal", "quadriceps_distal", type="russian",
        amplitude="40 mA", carrier_frequency="2.5 kHz", burst_frequency="50 Hz",
        burst_duty=0.5) + channel("pulses", "quadriceps_proximal", "quadriceps_distal",
                                  pad=disc("5 cm"), **{**TENS, "amplitude": "20 mA"})
    rows = list(csv.reader(io.StringIO(render_check_table(check(parse_program(text)), "csv"))))
    header = rows[0]
    duration = header.index("channel carrier: Pulse duration (a carrier's: one whole burst); "
                            "channel pulses: Pulse duration (all phases and gaps) [µs]")
    pulses = next(r for r in rows if r[:2] == ["pulses", "programmed"])
    assert float(pulses[duration]) == pytest.approx(400.0)  # 2 x 200 µs, no gap
    assert "Maximum output current @ 500 Ω (peak) [mA]" in header
    assert not any(h.startswith("channel ") and "Maximum output" in h for h in header)


@pytest.mark.parametrize(("example", "shape"), [
    ("tens_conventional", "rectangular"),
    ("russian_quadriceps", "sine"),
    ("hvpc_wound", "exponential (spike)"),
    ("dbs_stn", "rectangular, then exponential (passive recharge)"),
    ("iontophoresis_dexamethasone", "constant (d.c.) with linear ramps"),
])
def test_the_shape_row_is_read_from_the_pulses_segments(example: str, shape: str) -> None:
    """The 510(k) table's "Shape" apart from the waveform's words, where it was one cell
    with them (device engineer's probe): each read from the segments the waveform is built
    of (constant, sine, decaying exponential, ramp), not from its label."""
    from estim.program.bundled import bundled_examples

    (ct,) = check(load_program(bundled_examples()[example])).table.channels
    assert ct.row("shape").programmed == shape
    assert ct.row("shape").maximum == shape


@pytest.mark.parametrize("example", ["hvpc_wound", "tens_conventional"])
def test_the_indicators_rms_current_into_1_kohm_has_its_row(example: str) -> None:
    """The output indicator's threshold is an r.m.s. current into 1 kΩ: its finding gave a
    figure that no row held (device engineer's probe). The row is that figure; it differs
    from 500 Ω's where the load changes the current: HVPC's 500 V into 1 kΩ is half its
    current into 500 Ω (voltage control), and conventional TENS's 100 mA maximum meets its
    80 V compliance (80 mA into 1 kΩ against 100 mA into 500 Ω: r.m.s. × 0.8)."""
    from estim.program.bundled import bundled_examples

    report = check(load_program(bundled_examples()[example]))
    (ct,) = report.table.channels
    (indicator,) = [f for f in report.findings if f.rule_id == "iec.indicator.current"]
    row = ct.row("rms_current_1000_ohm")
    assert row.maximum == pytest.approx(indicator.value, rel=1e-12)
    ratio = 0.5 if example == "hvpc_wound" else 0.8
    assert row.maximum == pytest.approx(ratio * ct.row("rms_current_500_ohm").maximum,
                                        rel=1e-9)
