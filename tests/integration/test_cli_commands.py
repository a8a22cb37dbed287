"""``estim check --format``, ``estim new``, ``--amplitude`` and ``--json`` on every command:
exit codes, exclusive creation, documents that parse, and a quiet end on a closed pipe."""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from estim.cli.main import main
from estim.program.bundled import bundled_examples, resolve_program
from estim.report.check_tables import csv_header
from estim.safety import check

pytestmark = pytest.mark.integration


# --- estim check --format md|csv|html -----------------------------------------------------


def _one_error(err: str, *words: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "error:" in lines[0], err
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_check_markdown_to_a_file_is_created_exclusively(tmp_path, capsys):
    out = tmp_path / "spec.md"
    assert main(["check", "tens_conventional", "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    text = out.read_text()
    lines = text.splitlines()
    assert lines[0] == "# Conventional TENS, lower back: output specification and safety findings"
    # every table row has as many cells as its header; the r.m.s. at 25 mA is 4.472 mA
    tables = [ln for ln in lines if ln.startswith("|")]
    assert all(ln.endswith("|") for ln in tables)
    rms = next(ln for ln in tables if ln.startswith("| R.m.s. output current"))
    assert "4.472 mA" in rms
    assert any(ln.startswith("| Channel | Rule |") for ln in tables)
    # an indicator's threshold is not a limit its PASS is over (engineer's probe)
    indicator = next(ln for ln in tables if "(iec.indicator.current)" in ln)
    assert "| 14.31 mA | 10 mA (an indicator needed above) | PASS |" in indicator
    # never overwritten without --force: one line naming the option and --force
    out.write_text("mine")
    assert main(["check", "tens_conventional", "-o", str(out)]) == 2
    _one_error(capsys.readouterr().err, "--output", "--force")
    assert out.read_text() == "mine"
    assert main(["check", "tens_conventional", "-o", str(out), "--force"]) == 0
    made = re.compile(r" · made [-0-9: ]+UTC")  # the minute may have turned meanwhile
    assert made.sub("", out.read_text()) == made.sub("", text)


def test_check_documents_say_what_they_were_made_from(tmp_path, capsys):
    """The documents carried no device name, program file, estim version or date, which a
    submission's record needs (engineer's probe of 6 December 2026)."""
    from estim import __version__

    program = bundled_examples()["hvpc_wound"]
    for fmt in ("md", "html"):
        out = tmp_path / f"spec.{fmt}"
        assert main(["check", str(program), "-o", str(out)]) == 0
        text = out.read_text()
        path = str(program).replace("_", "\\_") if fmt == "md" else str(program)  # escaped
        for said in ("Device: generic HVPC unit", f"program file: {path}",
                     f"estim {__version__}", " · made 20"):
            assert said in text, (fmt, said)
    capsys.readouterr()
    assert main(["check", "hvpc_wound", "--json"]) == 0
    made_of = json.loads(capsys.readouterr().out)["provenance"]
    assert made_of["program_file"] == "estim's bundled example hvpc_wound"
    assert made_of["device"] == "generic HVPC unit" and made_of["estim_version"] == __version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", made_of["made"])
    assert made_of["amplitude_override"] is None
    # the amplitude it was checked at, where the file says another (review)
    out = tmp_path / "at60.md"
    assert main(["check", "tens_conventional", "--amplitude", "60mA", "-o", str(out)]) == 0
    assert "tens\\_conventional at --amplitude 60 mA · estim" in out.read_text()


def test_check_csv_parses_with_the_header_it_defines(tmp_path):
    out = tmp_path / "spec.csv"
    assert main(["check", "ifc_true_knee", "--format", "csv", "-o", str(out)]) == 0
    # a byte-order mark first: Excel reads the headers' µ and Ω as UTF-8 (stdout has none)
    assert out.read_bytes().startswith(b"\xef\xbb\xbfchannel,setting,")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    report = check(resolve_program("ifc_true_knee")[0])
    assert rows[0] == csv_header(report)
    assert all(len(r) == len(rows[0]) for r in rows)
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    # one row per channel and setting; display numbers (mA, not A), the unit in the header
    assert [(r["channel"], r["setting"]) for r in table] == [
        ("A", "programmed"), ("A", "device maximum"), ("B", "programmed"),
        ("B", "device maximum")]
    amp = "Amplitude setting (peak of the carrier) [mA]"  # interferential: a carrier
    assert [float(r[amp]) for r in table] == [30.0, 70.0, 30.0, 70.0]
    assert {r["iec.dc_component verdict"] for r in table} <= {"pass", "warn", "fail", ""}
    assert {r["overall verdict"] for r in table} == {report.verdict.value}  # as md and html
    # what it was made from, on every row: a CSV passed on alone said neither the program
    # nor estim's version nor when (engineer's probe of 7 December 2026)
    from estim import __version__

    made = {(r["device"], r["program file"], r["checked at --amplitude"], r["estim version"])
            for r in table}
    assert made == {(resolve_program("ifc_true_knee")[0].device.name,
                     "estim's bundled example ifc_true_knee", "", __version__)}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", r["made (UTC)"]) for r in table)
    again = tmp_path / "at40.csv"
    assert main(["check", "ifc_true_knee", "--amplitude", "40mA", "-o", str(again)]) == 0
    rows40 = list(csv.DictReader(io.StringIO(again.read_text(encoding="utf-8-sig"))))
    # as estim writes it, not as typed
    assert {r["checked at --amplitude"] for r in rows40} == {"40 mA"}  # typed 40mA


def test_check_html_is_a_well_formed_standalone_page(tmp_path, tens_text):
    prog = tmp_path / "x.toml"
    prog.write_text(tens_text.replace('name = "Conventional TENS, lower back"',
                                      'name = "<b>A & B</b> | *x*"'))
    out = tmp_path / "spec.html"
    assert main(["check", str(prog), "-o", str(out)]) == 0
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page
    root = ET.fromstring(page.split("\n", 1)[1])  # well formed: parses as XML
    assert root.tag == "html"
    assert root.find("head/title").text.startswith("<b>A & B</b>")  # escaped, not markup
    assert len(root.findall("body/div/table")) == 2  # one channel, the findings (scrolling)
    # the findings in seven columns, note, action and source in the last (nine put the note
    # and the action past a 1,000 px window's edge; probe of 5 December 2026)
    findings = root.findall("body/div/table")[1]
    assert [th.text for th in findings.find("tr")] == [
        "Channel", "Rule", "Setting", "Value", "Limit", "Verdict", "Details"]


def test_check_document_to_stdout_and_bad_combinations(tmp_path, capsys):
    assert main(["check", "tens_conventional", "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("# Conventional TENS")
    assert main(["check", "tens_conventional", "--format", "csv", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("channel,setting,")
    assert main(["check", "tens_conventional", "-o", str(tmp_path / "spec.txt")]) == 2
    _one_error(capsys.readouterr().err, "--output", ".md")
    assert main(["check", "tens_conventional", "--format", "md", "--json"]) == 2
    _one_error(capsys.readouterr().err, "--json")
    assert not list(tmp_path.iterdir())


def test_a_channel_named_as_a_formula_is_not_run_by_a_spreadsheet(tmp_path, capsys):
    """The check's CSV put the channel's name first in its row as typed: a name such as
    =HYPERLINK(...) ran when the file was opened in a spreadsheet (a hostile probe's find);
    the journal's export already guarded its cells."""
    import csv
    import io

    from estim.program.bundled import bundled_examples

    program = tmp_path / "p.toml"
    program.write_text(bundled_examples()["tens_conventional"].read_text().replace(
        'name = "1"', 'name = "=HYPERLINK(\'http://x\')"', 1))
    assert main(["check", str(program), "--format", "csv", "-o", "-"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    names = {r[0] for r in rows[1:]}
    assert names == {"'=HYPERLINK('http://x')"}, names


def test_check_json_with_a_document_names_the_file(tmp_path, capsys):
    out = tmp_path / "spec.md"
    assert main(["check", "tens_conventional", "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["files"] == [str(out)] and data["verdict"] == "pass"


# --- estim new ----------------------------------------------------------------------------


def test_new_copies_an_example_exclusively(tmp_path, capsys):
    out = tmp_path / "my.toml"
    assert main(["new", "tens_burst", "-o", str(out)]) == 0
    assert out.read_bytes() == bundled_examples()["tens_burst"].read_bytes()
    capsys.readouterr()
    out.write_text("edited")
    assert main(["new", "tens_burst", "-o", str(out)]) == 2
    _one_error(capsys.readouterr().err, "--output", "--force")
    assert out.read_text() == "edited"
    assert main(["new", "tens_burst", "-o", str(out), "--force", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["files"] == [str(out)]
    assert main(["check", str(out), "--json"]) == 0  # the copy is a valid program
    capsys.readouterr()
    assert main(["new", "no_such", "-o", str(tmp_path / "n.toml")]) == 2
    err = capsys.readouterr().err
    _one_error(err, "no_such", "tens_conventional", "dbs_stn")
    assert not (tmp_path / "n.toml").exists()


def test_the_check_csv_keeps_each_findings_note_and_action(capsys):
    """A row read 'value 14.31, limit 10, pass' with no reason, and HVPC's one warning lost
    the action it asks for (probe of 5 December 2026)."""
    assert main(["check", "hvpc_wound", "--format", "csv", "-o", "-"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    head = rows[0]
    col = head.index("iec.dc_component note")
    text = " ".join(r[col] for r in rows[1:])
    assert "action: the instructions for use must give" in text


@pytest.mark.parametrize("command", [["new", "tens_burst"], ["waveform", "tens_burst"]])
def test_an_output_under_a_file_or_on_a_broken_link_is_named_as_such(command, tmp_path, capsys):
    """Under a file the message named a hidden temporary file ('mine.toml/.x.toml.fe0e4e53
    .tmp'); a dangling link was blamed on 'another run' (probe of 5 December 2026)."""
    mine = tmp_path / "mine.toml"
    mine.write_text("mine")
    suffix = ".png" if command[0] == "waveform" else ".toml"
    assert main([*command, "-o", str(mine / f"x{suffix}")]) == 2
    err = capsys.readouterr().err
    _one_error(err, "is a file")
    assert ".tmp" not in err
    link = tmp_path / f"dangling{suffix}"
    link.symlink_to(tmp_path / "nowhere")
    assert main([*command, "-o", str(link)]) == 2
    _one_error(capsys.readouterr().err, "symbolic link", "--force")
    assert mine.read_text() == "mine" and link.is_symlink() and not link.exists()


@pytest.mark.parametrize("argv", [["check", ""], ["fibers", ""], ["fibers", "-o", ""],
                                  ["new", "tens_burst", "-o", ""], ["run", "", "-o", "x"],
                                  ["field", "tens_conventional", "-o", ""]])
def test_an_empty_argument_is_refused_by_name(argv, tmp_path, capsys, monkeypatch):
    """'' read as the current folder ('got .'), and `estim fibers ""` ran the point source
    as if no program had been given (probe of 5 December 2026)."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    _one_error(capsys.readouterr().err, "got ''")
    assert not any(tmp_path.iterdir())


def test_new_to_standard_output_writes_no_file_named_dash(tmp_path, capsys, monkeypatch):
    """-o - is standard output, as for check (it used to create a file named '-')."""
    monkeypatch.chdir(tmp_path)
    assert main(["new", "tens_burst", "-o", "-"]) == 0
    assert capsys.readouterr().out == bundled_examples()["tens_burst"].read_text(
        encoding="utf-8")
    assert not (tmp_path / "-").exists()
    assert main(["new", "tens_burst", "-o", "-", "--json"]) == 2
    _one_error(capsys.readouterr().err, "--json")
    # a program file named as a picture (hostile probe of 7 December 2026)
    assert main(["new", "tens_burst", "-o", "q.png"]) == 2
    assert "expected a program file name ending in .toml" in capsys.readouterr().err
    assert not (tmp_path / "q.png").exists()
    # and "--amplitude=--" read "got []", argparse's reading of it
    assert main(["check", "tens_burst", "--amplitude=--"]) == 2
    assert "--amplitude: got '--'" in capsys.readouterr().err


# --- --amplitude --------------------------------------------------------------------------


def _amplitude_row(report: dict, setting: str = "programmed") -> list[float]:
    return [next(r[setting] for r in ch["rows"] if r["key"] == "max_current_500_ohm")
            for ch in report["table"]["channels"]]


def test_amplitude_turns_the_dial_on_check(capsys):
    assert main(["check", "ifc_true_knee", "--json", "--amplitude", "40mA"]) == 0
    report = json.loads(capsys.readouterr().out)
    # both channels of true interferential current; the device maximum is unchanged
    assert _amplitude_row(report) == pytest.approx([0.040, 0.040], rel=1e-9)
    assert _amplitude_row(report, "device_maximum") == pytest.approx([0.070, 0.070])
    assert main(["check", "hvpc_wound", "--json", "--amplitude", "200 V"]) == 0
    report = json.loads(capsys.readouterr().out)
    (amp,) = [next(r["programmed"] for r in ch["rows"] if r["key"] == "amplitude")
              for ch in report["table"]["channels"]]
    assert amp == pytest.approx(200.0)
    # the brief names the setting it judged (it read "At the programmed amplitude" alone;
    # clinician's probe of 7 December 2026)
    assert main(["check", "tens_conventional", "--amplitude", "30mA"]) == 0
    said = capsys.readouterr().out
    assert "At 30 mA, set with --amplitude (value against its limit)" in said
    assert "At the programmed amplitude" not in said
    assert main(["check", "tens_conventional"]) == 0
    assert "At the programmed amplitude (value against its limit)" in capsys.readouterr().out


@pytest.mark.parametrize(("program", "value", "expected"), [
    ("tens_conventional", "300mA", "at most the device maximum (100 mA)"),
    ("tens_conventional", "-5mA", "at least zero"),
    ("tens_conventional", "30 kg", "a current or a voltage with units"),
    ("tens_conventional", "30 V", "a current, because the device is current-controlled"),
    ("hvpc_wound", "30 mA", "a voltage, because the device is voltage-controlled"),
    # the parser's own reason, not "with units, at least zero" (hostile probe, 7 December)
    ("hvpc_wound", "nan V", "expected a finite number"),
])
@pytest.mark.parametrize("command", ["check", "run", "fibers", "waveform"])
def test_bad_amplitude_exits_2_naming_the_option(command, program, value, expected, tmp_path,
                                                 capsys):
    argv = [command, program, f"--amplitude={value}"]
    if command == "waveform":
        argv += ["-o", str(tmp_path / "w.png")]
    if command == "run":
        argv += ["-o", str(tmp_path / "run")]
    assert main(argv) == 2
    _one_error(capsys.readouterr().err, f"estim {command}: error: --amplitude: got "
               f"'{value}', expected", expected)
    assert not list(tmp_path.iterdir())  # refused before anything is written


@pytest.mark.parametrize("value", ["-5mA", "-5 mA", "-.5mA", "-x", "-inf"])
def test_a_negative_value_after_a_space_is_the_options_value(value, capsys):
    """argparse takes "-5mA" or "-x" after a space for another option ("--amplitude:
    expected one argument"); the value is passed on and refused for what it is. One of the
    command's own options after it is not a value: the option lacks one."""
    assert main(["check", "tens_conventional", "--amplitude", value]) == 2
    # -inf: the parser's own reason (hostile probe of 7 December 2026)
    _one_error(capsys.readouterr().err, f"estim check: error: --amplitude: got '{value}', "
               "expected", "a finite number" if value == "-inf" else "at least zero")
    with pytest.raises(SystemExit):
        main(["check", "tens_conventional", "--amplitude", "--json"])
    assert "--amplitude: expected one argument" in capsys.readouterr().err


def test_a_command_without_the_option_is_not_given_a_joined_token(capsys):
    """sweep has no --amplitude: argparse names what the user typed, not the
    '--amplitude=-1mA' that joining a dash value for another command's option made."""
    # said by the command, in one line (since 6 December 2026; argparse's usage before)
    assert main(["sweep", "tens_conventional", "--amplitude", "-1mA"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("estim sweep: error: arguments: got '--amplitude -1mA'"), err
    assert "=-1mA" not in err


@pytest.mark.parametrize("axis", [["--subjects", "3"], ["--vary", "subject=0,1"]])
def test_subjects_in_a_safety_only_sweep_are_refused(axis, tmp_path, capsys):
    """Virtual subjects differ in what the safety check does not read: N identical points
    ran without a word (probe of 5 December 2026)."""
    out = tmp_path / "sw"
    assert main(["sweep", "tens_conventional", *axis, "--safety-only", "-o", str(out)]) == 2
    _one_error(capsys.readouterr().err, "estim sweep: error: ", "a sweep with the body")
    assert not out.exists()


@pytest.mark.parametrize(("old", "new", "field"), [
    # found where the site is built, after the file was read: pads past a shortened site's
    # edge, a placement the site does not have
    ('name = "lower_back"', 'name = "lower_back"\nlength = "6 cm"',
     "channels[0].anode.placement"),
    ('"lumbar_left_lower"', '"knee_lateral"', "channels[0].cathode.placement"),
])
def test_a_problem_found_after_reading_names_the_file_too(old, new, field, tmp_path,
                                                          tens_text, capsys):
    path = tmp_path / "mine.toml"
    assert old in tens_text
    path.write_text(tens_text.replace(old, new, 1))
    assert main(["check", str(path)]) == 2
    _one_error(capsys.readouterr().err, f"estim check: error: {path}: {field}: got ")


def test_amplitude_on_a_point_source_is_refused(capsys):
    assert main(["fibers", "--amplitude", "1mA"]) == 2
    _one_error(capsys.readouterr().err, "--amplitude", "PROGRAM")


def test_amplitude_turns_the_dial_on_run(tmp_path, capsys):
    """A cheap program end to end (no field solve): the results carry the new peak."""
    assert main(["run", "dbs_stn", "-o", str(tmp_path / "o"), "--amplitude", "2 mA",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["channels"][0]["metrics"]["peak_A"] == pytest.approx(2e-3, rel=1e-9)
    assert data["files"] == [str(tmp_path / "o" / "results.json"),
                             str(tmp_path / "o" / "report.html")]
    saved = json.loads((tmp_path / "o" / "results.json").read_text())
    assert saved["channels"] == data["channels"]


def test_a_leads_duty_says_its_passive_recharge_runs_to_the_next_pulse(tmp_path, capsys,
                                                                        monkeypatch):
    """``estim run dbs_stn -v`` read "duty 1" (no unit) for 60 µs at 130 Hz: the passive
    recharge runs to the next pulse. The duty is in per cent, with the leading phase's own
    under the table (DBS probe of 6 December 2026)."""
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["run", "dbs_stn", "-o", str(tmp_path / "o"), "-v"]) == 0
    out = capsys.readouterr().out
    assert "100%" in out
    assert ("duty of ch 1: its passive recharge runs on to the next pulse; the leading "
            "phase alone is on 0.78% of the time") in " ".join(out.split())
    assert main(["check", "dbs_stn", "--amplitude", "0 mA"]) == 0
    assert ("Shannon's k of the charge per phase and its density at the contact: n/a (no "
            "charge delivered)") in " ".join(capsys.readouterr().out.split())
    # a voltage setting says the current it drives, which the volume is of (it said the
    # volts alone: DBS probe)
    text = bundled_examples()["dbs_stn"].read_text(encoding="utf-8")
    volts = tmp_path / "volts.toml"
    volts.write_text(text.replace('control = "current"', 'control = "voltage"')
                     .replace('max_current = "10 mA"', 'max_voltage = "10.5 V"')
                     .replace('compliance_voltage = "10 V"', 'current_limit = "25 mA"')
                     .replace('amplitude = "3 mA"', 'amplitude = "3 V"'), encoding="utf-8")
    assert main(["run", str(volts), "-o", str(tmp_path / "v"), "--json"]) in (0, 1)
    act = json.loads(capsys.readouterr().out)["effects"]["dbs_activation"]
    assert main(["run", str(volts), "-o", str(tmp_path / "v2")]) in (0, 1)
    said = " ".join(capsys.readouterr().out.split())
    from estim.report.page import current_words

    assert (f"3 V drives {current_words(act['current_A'])} through "
            f"{act['load_ohm']:,.0f} Ω (the field solution's tissue") in said, said
    # and that a measured lead's impedance is higher (DBS researcher's probe of 7 December)
    assert ("measured lead impedances settle near 1,000 Ω (Wong et al. 2018), which would "
            "take 3 mA and a smaller volume: state the lead's as channels.impedance") in said
    # the volume is outside the encapsulation, a single pulse's, and says so (DBS
    # researcher's probe of 7 December 2026)
    # round which lead (said nowhere; DBS researcher's probe of 7 December 2026)
    assert ("fire) outside the encapsulation round the Medtronic 3389, where the axons "
            "lie") in said, said
    assert "estim's default" not in said and act["lead_assumed"] is False
    assert ("a single pulse's thresholds: the 130 Hz rate enters only through the pulse's "
            "recharge within its period (following, block and entrainment are not "
            "modelled)") in said, said
    # a setting that fires no axon reads "none", not "0 mm³, radius 0 mm"
    assert main(["run", str(volts), "--amplitude", "0.2 V", "-o", str(tmp_path / "v0"),
                 "--json"]) in (0, 1)
    low = json.loads(capsys.readouterr().out)["effects"]["dbs_activation"]
    assert low["volume_mm3"] == 0 and low["axon_free_radius_m"] == pytest.approx(1.135e-3)
    assert main(["run", str(volts), "--amplitude", "0.2 V", "-o", str(tmp_path / "v1")]) \
        in (0, 1)
    assert ("Activated tissue: none (no 5.7 µm axon fires outside the encapsulation, "
            "1.14 mm from the lead's axis)") in " ".join(capsys.readouterr().out.split())
    # a stated impedance is said as the program's (it was credited to the field solution;
    # review of 6 December 2026)
    volts.write_text(volts.read_text(encoding="utf-8").replace(
        '[channels.stimulation]', 'impedance = "1000 ohm"\n\n[channels.stimulation]'),
        encoding="utf-8")
    assert main(["run", str(volts), "-o", str(tmp_path / "v3")]) in (0, 1)
    said = " ".join(capsys.readouterr().out.split())
    assert ("3 V drives 3 mA through 1,000 Ω (the lead's impedance, as the program states "
            "it)") in said, said
    assert "measured lead impedances" not in said
    # and with any impedance, why the volume is an upper bound (no note said the
    # capacitance; DBS researcher's probe of 7 December 2026)
    assert "the electrode's and the tissue's capacitance make a voltage pulse's" in said
    # a file without a lead says that the default lead was taken, and which (a forgotten
    # line read as the 3389's volume without a word; DBS researcher's probe)
    bare = tmp_path / "bare.toml"
    lines = text.splitlines(keepends=True)
    assert sum(line.startswith("lead = ") for line in lines) == 1
    bare.write_text("".join(line for line in lines if not line.startswith("lead = ")),
                    encoding="utf-8")
    assert main(["run", str(bare), "-o", str(tmp_path / "b")]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert ("on a Medtronic 3389, estim's default: the program's [site] names no lead, and "
            "another lead's contacts lie elsewhere (name yours: site.lead, one of "
            "medtronic_3387, medtronic_3389, abbott_6172)") in said, said
    assert "round the lead, where the axons lie" in said
    report = html.unescape((tmp_path / "b" / "report.html").read_text(encoding="utf-8"))
    assert ("Medtronic 3389, 1.27 mm, 4 contacts; estim's default: the program's [site] "
            "names no lead") in report
    # the volume is the tissue outside the encapsulation; its note gives the ring the
    # isosurface also encloses and the two together (DBS probes of 6 and 7 December 2026)
    note = next(n for n in act["notes"] if "encapsulation round the lead" in n)
    outside, ring, whole = (float(x.replace(",", ""))
                            for x in re.findall(r"([\d,.]+) mm³", note))
    # each is written to 3 figures: within half a unit of its third figure
    half = {x: 0.5 * 10 ** (math.floor(math.log10(x)) - 2) for x in (ring, outside, whole)}
    assert outside == pytest.approx(act["volume_mm3"], abs=half[outside] * 1.001)
    assert ring + outside == pytest.approx(whole, abs=sum(half.values()) * 1.001)
    assert 0 < ring < outside


# --- --json on every command, and a closed pipe -------------------------------------------


def test_waveform_and_field_have_json(tmp_path, capsys):
    png = tmp_path / "w.png"
    assert main(["waveform", "tens_conventional", "-o", str(png), "--json",
                 "--amplitude", "10mA"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["files"] == [str(png)]
    assert data["channels"][0]["peak_A"] == pytest.approx(0.010)
    out = tmp_path / "field"
    assert main(["field", "tens_conventional", "--method", "analytic", "-o", str(out),
                 "--json", "--amplitude", "10mA"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted(Path(f).name for f in data["files"]) == [
        "cross_section.png", "depth_profiles.png", "fields.json"]
    (ch,) = data["channels"]
    assert 50 < ch["resistance_ohm"] < 1000 and ch["current_A"] == pytest.approx(0.010)
    # one name for one number: --json and the fields.json beside it
    (written,) = json.loads((out / "fields.json").read_text())["channels"]
    assert written["resistance_ohm"] == ch["resistance_ohm"]


def _commands(tmp: Path) -> list[list[str]]:
    return [["programs", "--json"], ["sites", "--json"], ["placements", "knee", "--json"],
            ["check", "tens_burst", "--json"], ["check", "tens_burst", "--format", "md"],
            ["new", "tens_burst", "-o", str(tmp / "n.toml"), "--json"],
            ["waveform", "tens_burst", "-o", str(tmp / "w.png"), "--json"],
            ["run", "dbs_stn", "-o", str(tmp / "r"), "--json"],
            ["field", "tens_conventional", "--method", "analytic", "-o", str(tmp / "f"),
             "--json"],
            ["fibers", "--model", "sweeney", "--json"]]


@pytest.mark.slow
@pytest.mark.parametrize("index", range(10))
def test_every_command_ends_quietly_on_a_closed_pipe(index, tmp_path):
    """``estim CMD --json | head -1``: no traceback, no 'Broken pipe', never exit 1."""
    argv = _commands(tmp_path)[index]
    proc = subprocess.Popen([sys.executable, "-m", "estim", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=300)
    assert code in (0, 141), (argv, code, err)
    assert "Traceback" not in err and "Broken pipe" not in err, err


@pytest.mark.slow
def test_amplitude_turns_the_dial_on_fibers(capsys):
    """Fewer fibers fire at 10 mA than at the programmed 25 mA; the thresholds stay."""
    assert main(["fibers", "tens_conventional", "--json"]) == 0
    at_25 = json.loads(capsys.readouterr().out)
    assert main(["fibers", "tens_conventional", "--json", "--amplitude", "10mA"]) == 0
    at_10 = json.loads(capsys.readouterr().out)
    assert at_10["programmed_peak_current_A"] == pytest.approx(0.010)
    assert at_25["programmed_peak_current_A"] == pytest.approx(0.025)
    assert at_10["sensory_threshold_A"] == pytest.approx(at_25["sensory_threshold_A"])
    assert (at_10["classes"]["abeta"]["fraction_at_programmed"]
            < at_25["classes"]["abeta"]["fraction_at_programmed"])
    assert at_10["sensory_criterion"] and at_10["load_with_skin_interface_ohm"] > 0


def test_a_command_that_is_elsewhere_and_an_unquoted_unit_say_what_to_do(capsys):
    """``estim journal`` (the journal is the browser stimulator's) and ``--amplitude 25 mA``
    unquoted ("mA" left over) each exit 2 on one line that says what to type instead (probe
    of 6 December 2026)."""
    with pytest.raises(SystemExit) as journal:
        main(["journal"])
    assert journal.value.code == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and said.rstrip().endswith(
        "(the journal of sessions is in the browser stimulator: estim serve)")
    assert main(["run", "tens_conventional", "--amplitude", "25", "mA"]) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "got 'mA'" in said
    assert "(a value with a space in it is quoted: --amplitude '25 mA')" in said
    # the unit taken for the program, before it or with none after it (review)
    assert main(["run", "--amplitude", "25", "mA", "tens_conventional"]) == 2
    assert "quoted: --amplitude '25 mA'" in capsys.readouterr().err
    assert main(["run", "--amplitude", "25", "mA"]) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "program: got 'mA'" in said and "quoted" in said
    assert main(["run", "tens_conventional", "--amplitude", "25mA", "tens_burst"]) == 2
    assert "quoted" not in capsys.readouterr().err  # a word left over is not a unit


def test_a_sweep_axis_written_without_its_equals_sign_or_with_an_unknown_key(capsys, tmp_path):
    """``--vary pulse_width 50,100us`` said "expected only the command's own", a bare
    unknown key listed the stimulation's keys alone, and ``--vary site.wibble=1,2mm`` said
    "got '1 mm'" of a key that is wrong (researcher's probe of 6 December 2026)."""
    out = str(tmp_path / "x")
    assert main(["sweep", "tens_conventional", "--vary", "pulse_width", "50,100us",
                 "--safety-only", "-o", out]) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1
    assert "--vary takes NAME=VALUES with an '=' between them, e.g. --vary " \
           "pulse_width=50,100us" in said
    assert main(["sweep", "tens_conventional", "--vary", "wibble=1,2", "--safety-only",
                 "-o", out]) == 2
    said = capsys.readouterr().err
    assert "got 'wibble'" in said and "site.NAME, electrodes.NAME, device.NAME, " \
        "channels[I].NAME (I counts from 0), or subject" in said
    assert main(["sweep", "tens_conventional", "--vary", "site.wibble=1,2mm",
                 "--safety-only", "-o", out]) == 2
    said = capsys.readouterr().err
    assert "--vary site.wibble: got 'wibble', expected a known key of the lower_back site" \
        in said


def test_a_file_name_too_long_is_named_as_read_or_written(capsys, tmp_path, monkeypatch):
    """A 300-character program name said "cannot write" of a file it was reading (hostile
    probe of 6 December 2026): the program cannot be read, an output cannot be written,
    each named by its option, on one line, exit 2."""
    monkeypatch.chdir(tmp_path)
    long = "b" * 300
    assert main(["check", f"{long}.toml"]) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "error: program: cannot read 'bbb" in said
    assert main(["check", "tens_conventional", "-o", f"{long}.md"]) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "error: --output: cannot write 'bbb" in said


def test_an_edited_copy_beside_an_examples_name_is_pointed_out(capsys, tmp_path, monkeypatch):
    """After ``estim new tens_burst -o tens_burst.toml`` and an edit, ``estim check
    tens_burst`` ran the bundled example without a word (hostile probe of 6 December
    2026): it still does, and says that the file is run by its file name."""
    from estim.program.bundled import bundled_examples

    monkeypatch.chdir(tmp_path)
    text = bundled_examples()["tens_burst"].read_text(encoding="utf-8")
    (tmp_path / "tens_burst.toml").write_text(text.replace('"30 mA"', '"20 mA"'))
    assert main(["check", "tens_burst", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["program"] == "Burst TENS, lower back"
    assert "the file tens_burst.toml here is run by its file name" in out.err
    assert main(["check", "tens_burst.toml", "--json"]) == 0
    assert "note" not in capsys.readouterr().err
    # estim sweep reads its program its own way: the same note (review)
    assert main(["sweep", "tens_burst", "--vary", "amplitude=10,20mA", "--safety-only",
                 "-o", str(tmp_path / "sw")]) == 0
    assert "the file tens_burst.toml here is run by its file name" in capsys.readouterr().err
