"""The terminal's threshold rows say each criterion in a few words that fit 80 columns."""

from __future__ import annotations

import pytest

from estim.report.terminal import _criterion_words

#: label (2 + 16), threshold (1 + 9) and band (1 + 14 + 1) take 44 columns of 80
ROOM = 80 - 44


@pytest.mark.parametrize(("criterion", "words"), [
    ("detection: 167 Aβ afferents firing (44% of the 380 under and around the cathode)",
     "167 Aβ afferents fire"),
    ("pain: 74% of the Aδ afferents under and around the cathode firing, or 50% of the C "
     "fibers", "74% of the Aδ afferents fire"),
    ("pain: 74% of the Aδ afferents under and around the cathode firing, the bone's "
     "periosteal Aδ counted with the skin's, or 50% of the C fibers",
     "74% of Aδ (skin + bone) fire"),
    ("pain: 77% of the Aδ afferents under and around the cathode firing, the bone's "
     "periosteal Aδ counted with the skin's (each as 0.4 of one: their density), or 5% of "
     "the C fibers", "77% of Aδ (skin + bone) fire"),
])
def test_a_criterion_in_a_few_words(criterion: str, words: str) -> None:
    assert _criterion_words(criterion) == words
    assert len(words) <= ROOM


@pytest.mark.parametrize(("finding", "shown"), [
    # Shannon's k is a bare number: it read "2.529 1 (limit 1.85 1)"
    ({"value": 2.529, "limit": 1.85, "unit": "1", "display_unit": ""},
     "2.529 (limit 1.85)"),
    ({"value": 0.401, "limit": 0.30, "unit": "C/m**2",
      "display_unit": "µC/cm²"}, "40.1 µC/cm² (limit 30 µC/cm²)"),
    # as the check prints it: it read "20,000 Ω (limit 2000 Ω)"
    ({"value": 20e3, "limit": 2e3, "unit": "ohm", "display_unit": "Ω"},
     "20 kΩ (limit 2 kΩ)"),
    # over its limit by 0.004 %: it read "50 mA (limit 50 mA)" as a FAIL, and 49.9985 mA
    # the same words as a PASS
    ({"value": 0.0500022, "limit": 0.05, "unit": "A", "display_unit": "mA"},
     "50.002 mA (limit 50 mA)"),
    ({"value": 0.0499985, "limit": 0.05, "unit": "A", "display_unit": "mA"},
     "49.998 mA (limit 50 mA)"),
])
def test_a_finding_shows_its_value_and_limit_in_their_unit(finding, shown) -> None:
    from estim.report.terminal import _finding_value

    assert _finding_value(finding) == shown


def test_a_balanced_pulse_is_balanced_to_the_last_digit() -> None:
    """Float rounding of a balanced pulse's phases printed "1.81 × 10⁻¹⁴ %" in a check."""
    from estim.program import load_program
    from estim.program.bundled import bundled_examples
    from estim.waveforms.build import stimulus_for
    from estim.waveforms.metrics import metrics

    for name in ("dbs_stn", "tens_conventional", "ifc_premodulated"):
        program = load_program(bundled_examples()[name])
        assert metrics(stimulus_for(program.channels[0])).charge_imbalance == 0.0


def test_si_figures_use_the_micro_sign() -> None:
    from estim.units import format_si

    assert format_si(2.69e-4, "A") == "269 µA"


def test_a_count_past_the_afferents_there_says_so() -> None:
    """1 x 1 cm pads hold 15 afferents where detection counts 169: it said "169 Aβ
    afferents fire" (probe of 5 December 2026)."""
    from estim.report.terminal import _short_words

    crit = "detection: 169 Aβ afferents firing (100% of the 15 under and around the cathode)"
    assert _short_words(crit) == ("all 15 Aβ afferents fire (169 needed): outside the "
                                  "calibrated range")
    assert _short_words(crit.replace("100% of the 15", "44% of the 383")) == ""


def test_a_band_beside_a_threshold_in_amperes_is_in_amperes_and_past_the_device_said() -> None:
    """'2.7 A (1600–4100)' read as thousands of amperes; a 100 mA device's 2.7 A pain read
    as reachable (probe of 5 December 2026)."""
    from estim.report.page import beyond_device, current_words
    from estim.report.terminal import _band

    band = {"p10_A": 1.6, "median_A": 2.7, "p90_A": 4.1}
    assert _band(band, 2.7) == "(1.6–4.1)"
    assert _band({"p10_A": 0.4, "median_A": 0.536, "p90_A": 1.1}, 0.536) == "(400–1100)"
    assert current_words(2.7) == "2.7 A" and current_words(0.0312) == "31.2 mA"
    assert current_words(5e-5) == "50 µA"
    # the output table's d.c. read "0 A" beside "0 mA"; a signed mean keeps mA
    assert current_words(0.0) == "0 mA" and current_words(-0.002) == "-2 mA"
    assert beyond_device(2.7, 0.1) == " (above the device's 100 mA)"
    assert beyond_device(0.05, 0.1) == "" and beyond_device(2.7, None) == ""


def test_a_pass_with_a_condition_says_it_in_the_reports_findings() -> None:
    """The report's Findings read "14.31 mA | 10 mA | PASS" with no reason where the device
    declares an output indicator: a value over its limit that passes says why, and a pass
    without a condition stays one line (probe of 5 December 2026)."""
    from estim.program import load_program
    from estim.program.bundled import bundled_examples
    from estim.report.safety_rows import Footnotes, finding_rows
    from estim.safety import check

    result = check(load_program(bundled_examples()["tens_conventional"]))
    rows = {(r.rule, r.setting): r for r in finding_rows(result.findings, Footnotes())}
    over = [r for (rule, _), r in rows.items() if "output indicator" in rule
            and ("current" in rule or "voltage" in rule)]  # 14.31 mA and V over 10
    assert len(over) == 2 and all("an output indicator is required, and the device declares "
                                  "one" in r.note for r in over), [r.note for r in over]
    # no red call to check what the file declares under a PASS (UX review of 6 December
    # 2026: "the device declares an output indicator" and "check that it has one" together)
    assert all(r.action == "" for r in over)
    plain = [r for r in rows.values() if r.verdict == "pass" and r not in over]
    assert plain and all(r.note == "" and r.action == "" for r in plain)


def test_the_dose_held_by_the_compliance_marks_the_iontophoresis_channel() -> None:
    """A TENS channel listed before an iontophoresis channel got "as set ... the device
    cannot drive all of it: see the dose below", the dose's channel nothing (probe of
    6 December 2026). The mark is the iontophoresis channel's, in either order."""
    import io

    from rich.console import Console

    from estim.effects.program import dose_dict, program_dose
    from estim.program import parse_program
    from estim.report.run import result_to_dict
    from estim.report.terminal import render_brief
    from estim.simulate import simulate

    head = ('name = "mixed"\n[device]\ncontrol = "current"\nmax_current = "10 mA"\n'
            'compliance_voltage = "10 V"\n[site]\nname = "forearm"\n')
    ionto = ('[[channels]]\nname = "ionto"\nanode = { placement = "forearm_dorsal_proximal", '
             'shape = "circular", diameter = "3 cm" }\ncathode = { placement = '
             '"forearm_lateral_epicondyle", shape = "circular", diameter = "3 cm" }\n'
             '[channels.stimulation]\ntype = "iontophoresis"\namplitude = "4 mA"\n'
             'dose = "40 mA*min"\n')
    tens = ('[[channels]]\nname = "tens"\nanode = { placement = "forearm_volar_proximal", '
            'shape = "circular", diameter = "3 cm" }\ncathode = { placement = '
            '"forearm_volar_distal", shape = "circular", diameter = "3 cm" }\n'
            '[channels.stimulation]\ntype = "tens"\nmode = "conventional"\n'
            'amplitude = "8 mA"\nfrequency = "80 Hz"\npulse_width = "200 us"\n'
            'duration = "30 min"\n')
    short = "the device's 10 V compliance drives at most 3 mA through the skin"
    for text in (head + tens + ionto, head + ionto + tens):
        program = parse_program(text)
        data = result_to_dict(simulate(program, body=False))
        dose = program_dose(program)
        assert dose is not None
        data["effects"] = {"dose": {**dose_dict(dose), "findings": [short]}}
        out = io.StringIO()
        render_brief(data, Console(file=out, width=80, color_system=None))
        lines = out.getvalue().splitlines()
        marked = [ln.split(":")[0].strip() for ln in lines if " as set" in ln]
        assert marked == ["ch ionto"], lines


def test_an_off_channels_phase_charge_reads_as_the_summary_writes_it() -> None:
    """-v's output table wrote an off channel's phase charge "0 C" where the summary writes
    "0 µC" (probe of 6 December 2026)."""
    import io

    from rich.console import Console

    from estim.program import parse_program
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.terminal import render_brief, render_summary
    from estim.simulate import simulate

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    assert 'amplitude = "25 mA"' in text
    out = io.StringIO()
    result = simulate(parse_program(text.replace('amplitude = "25 mA"', 'amplitude = "0 mA"')),
                      body=False)
    render_summary(result, Console(file=out, width=120, color_system=None))
    row = next(ln for ln in out.getvalue().splitlines() if "│ 1 " in ln)
    assert "0 µC" in row and "0 C" not in row.replace("0 µC", ""), row
    # the one-screen answer says the channel is off, in one line, not "peak 0 mA, r.m.s.
    # 0 mA" over "phase charge 0 µC" (DBS probe of 7 December 2026)
    brief = io.StringIO()
    render_brief(result_to_dict(result), Console(file=brief, width=80, color_system=None))
    lines = brief.getvalue().splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.strip().startswith("ch 1:"))
    assert lines[at].strip() == "ch 1: off (peak 0 mA)", lines
    assert "phase charge" not in brief.getvalue(), lines


@pytest.mark.parametrize(("fuse", "label", "seen"), [(True, "muscle contracts", "contract"),
                                                     (False, "muscle twitches", "twitch")])
def test_the_motor_row_says_contraction_where_the_volleys_fuse(fuse: bool, label: str,
                                                               seen: str) -> None:
    """Russian current's 50 Hz bursts make a contraction at the motor threshold; the
    terminal called it "muscle twitches" (physiotherapist's probe of 7 December 2026)."""
    import io

    from rich.console import Console

    from estim.program import load_program
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.summary import summary
    from estim.report.terminal import render_brief
    from estim.simulate import simulate

    result = simulate(load_program(bundled_examples()["russian_quadriceps"]), body=False)
    data = result_to_dict(result)
    window = {"channel": "1", "programmed_peak_current_A": 0.07, "muscle": "quadriceps",
              "sensory_threshold_A": 0.008, "sensory_criterion": "detection: 169 Aβ "
              "afferents firing (11% of the 1569 under and around the cathode)",
              "motor_threshold_A": 0.068, "motor_criterion": "visible contraction",
              "pain_threshold_A": 0.19, "pain_criterion": "pain: 78% of the Aδ afferents "
              "under and around the cathode firing, or 5% of the C fibers",
              "motor_volleys_fuse": fuse}
    data["effects"] = {"sensation_window": window,
                       "sensation": {"phrase": "contraction, below pain"}}
    out = io.StringIO()
    render_brief(data, Console(file=out, width=80, color_system=None))
    text = out.getvalue()
    assert f"  {label} " in text
    other = {"muscle contracts", "muscle twitches"} - {label}
    assert other.pop() not in text
    assert f"see the quadriceps {seen} at about 68 mA" in str(summary(result, data))


def test_a_rule_failing_as_programmed_at_the_device_maximum_is_one_line() -> None:
    """A program set to the device maximum listed each failing rule twice in the one-screen
    answer, as programmed and at the maximum (DBS probe of 7 December 2026)."""
    import io

    from rich.console import Console

    from estim.program import parse_program
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.terminal import render_brief
    from estim.simulate import simulate

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    # 100 mA x sqrt(2 ms x 150 Hz) = 54.8 mA r.m.s. into 500 Ω, over IEC's 50 mA
    over = (text.replace('pulse = "symmetric_biphasic"', 'pulse = "monophasic"')
            .replace('amplitude = "25 mA"', 'amplitude = "100 mA"')
            .replace('pulse_width = "200 us"', 'pulse_width = "2 ms"')
            .replace('frequency = "80 Hz"', 'frequency = "150 Hz"'))
    out = io.StringIO()
    render_brief(result_to_dict(simulate(parse_program(over), body=False)),
                 Console(file=out, width=200, color_system=None))
    rms = [ln for ln in out.getvalue().splitlines()
           if "r.m.s. output current into 500 Ω, up to 400 Hz" in ln]
    assert len(rms) == 1, out.getvalue()
    assert rms[0].strip().startswith("FAIL") and rms[0].endswith(
        ", as programmed and at the device maximum"), rms


def test_a_rule_failing_as_programmed_and_warning_at_the_maximum_is_one_fail_line() -> None:
    """FDA's power density fails a program that delivers it and warns where the device only
    can: at a program set to its maximum the value is the same, and estim run's brief showed
    it twice (FAIL, then WARN) where estim check said it once. Both now fold it into the
    programmed FAIL, the worse of the two (repeats_as_programmed)."""
    import io

    from rich.console import Console

    from estim.program import parse_program
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.terminal import render_brief
    from estim.safety import check
    from estim.safety.render import render_check_brief
    from estim.simulate import simulate

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    # 100 mA x sqrt(2 x 200 us x 80 Hz) = 17.9 mA r.m.s.; into 500 Ω 0.16 W over 0.49 cm²
    # = 0.33 W/cm², over FDA's 0.25
    small = (text.replace('amplitude = "25 mA"', 'amplitude = "100 mA"')
             .replace('width = "5 cm", length = "5 cm"', 'width = "7 mm", length = "7 mm"'))
    program = parse_program(small)
    verdicts = {f.setting.value: f.verdict.value for f in check(program).findings
                if f.rule_id == "fda.power_density" and f.setting is not None}
    assert verdicts == {"programmed": "fail", "device maximum": "warn"}
    out = io.StringIO()
    render_brief(result_to_dict(simulate(program, body=False)),
                 Console(file=out, width=200, color_system=None))
    lines = [ln.strip() for ln in out.getvalue().splitlines() if "average power density" in ln]
    assert len(lines) == 1, out.getvalue()
    assert lines[0].startswith("FAIL") and lines[0].endswith(
        ", as programmed and at the device maximum"), lines
    out = io.StringIO()
    render_check_brief(check(program), Console(file=out, width=200, color_system=None))
    top = out.getvalue().split("At the device maximum")[1]
    assert "average power density" not in top and "as above, not repeated" in top


def test_a_program_with_no_sensation_window_says_so_under_what_a_person_feels() -> None:
    """Iontophoresis's answer in the terminal had no word of what a person feels, only
    "1 note on the model (-v to show them)", where the report says that estim does not
    predict it and why (issue 8 audit, 7 December 2026)."""
    import io

    from rich.console import Console

    from estim.program import load_program
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.terminal import render_brief
    from estim.simulate import simulate

    data = result_to_dict(simulate(load_program(
        bundled_examples()["iontophoresis_dexamethasone"])))
    out = io.StringIO()
    render_brief(data, Console(file=out, width=80, color_system=None))
    said = " ".join(out.getvalue().split())
    assert ("What a person feels not predicted: d.c. with slow ramps: the cable models do "
            "not apply (sensation under d.c. electrodes is mostly electrochemical)") in said
    # and how long the session runs: two 30 s ramps give 4 mA × 0.5 min = 2 mA·min, the
    # other 38 mA·min take 9.5 min at 4 mA, 10.5 min in all (clinician's probe)
    assert "charge 2.4 C over the 10.5 min session" in said, said
