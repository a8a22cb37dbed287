"""The ``estim`` command end to end: exit codes, outputs, and the bundled examples."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from estim.cli.main import main
from estim.program import load_program
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration


def test_programs_lists_every_example(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["programs"]) == 0
    out = capsys.readouterr().out
    for path in EXAMPLES:
        assert path.stem in out
    # the titles wrap under their column (lines ran to 86 characters at 80)
    assert max(len(line) for line in out.splitlines()) <= 80
    assert main(["programs", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows} == {p.stem for p in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_gets_the_verdict_its_file_states(path, capsys):
    expected = load_program(path).expected_verdict.value
    code = main(["check", str(path), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == expected, [
        f for f in report["findings"] if f["verdict"] != "pass"]
    assert code == (1 if expected == "fail" else 0)


def test_check_prints_tables(capsys):
    assert main(["check", "tens_conventional"]) == 0
    out = capsys.readouterr().out
    # the r.m.s. into 500 ohm at the programmed 25 mA: 25 mA * sqrt(2 * 200 us * 80 Hz)
    assert "4.47" in out
    assert "Overall verdict: PASS" in out


def test_check_reads_at_80_columns(capsys, monkeypatch):
    """At 80 columns each finding is a block (verdict, the rule's id in full, where; its
    value against the limit; source and note wrapped under it), not a seven-column table
    that left the source a word a line and cut the id to "charge.b…"."""
    from estim.program.bundled import resolve_program
    from estim.safety import check

    findings = check(resolve_program("hvpc_wound")[0]).findings
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["check", "hvpc_wound", "-v"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(ln) for ln in lines) <= 80
    assert not any(ln != ln.rstrip() for ln in lines if ln.startswith("      "))
    heads = [ln for ln in lines if ln[:4] in ("PASS", "WARN", "FAIL")]
    assert len(heads) == len(findings)
    # each by its name, its id beside it (review of 7 December 2026), in the findings' order
    from estim.safety.render import rule_name

    joined = " ".join(" ".join(lines).split())
    at = 0
    for f in findings:
        at = joined.find(f"{rule_name(f.description)} ({f.rule_id};", at) + 1
        assert at > 0, f.rule_id
    warned = next(i for i, ln in enumerate(lines) if ln.startswith("WARN"))
    assert "against the limit" in " ".join(lines[warned + 1:warned + 3])
    # a number keeps its unit when a note wraps ("the 1000⏎ Hz carrier"; hostile probe)
    assert not any(re.search(r"\d$", ln) and re.match(r"\s*(mA|V|mJ|kΩ|%|W|Hz|Ω)\b", nxt)
                   for ln, nxt in itertools.pairwise(lines))
    # about seven lines a finding (its name and id may take two; its basis one more since 7
    # December 2026), where the table took forty; the output table about 110 lines with the
    # 510(k) rows it gained that day (symmetrical phases, interphase interval, burst duty)
    assert len(lines) < 115 + 8 * len(findings), len(lines)
    monkeypatch.setenv("COLUMNS", "160")
    main(["check", "hvpc_wound", "-v"])
    assert "Source / note" in capsys.readouterr().out  # wide enough for the table


def test_check_gives_one_line_a_rule_without_v(capsys, monkeypatch):
    """Without -v: the verdict, then each rule on one line under the setting it was judged
    at (burst TENS took 160 lines at 80 columns, its answer on the second; UX review of
    6 December 2026). A pass over its limit says on what condition it passes."""
    from estim.program.bundled import resolve_program
    from estim.safety import check

    findings = check(resolve_program("tens_conventional")[0]).findings
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["check", "tens_conventional"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("Overall verdict: PASS")
    # each rule by its name, not its id ("iec.rms.le400" read as nothing to a clinician;
    # probe of 7 December 2026)
    from estim.safety.render import rule_name

    assert sum(ln.startswith("  PASS  ch 1  ") for ln in lines) == len(findings)
    joined = " ".join(" ".join(lines).split())
    for f in findings:
        assert f"PASS ch 1 {rule_name(f.description)}:" in joined, f.rule_id
        assert f.rule_id not in joined
    assert "At the programmed amplitude (value against its limit)" in lines
    assert "At the device maximum (value against its limit)" in lines
    assert max(len(ln) for ln in lines) <= 80 and all(ln == ln.rstrip() for ln in lines)
    text = " ".join(ln.strip() for ln in lines)
    # an indicator's threshold is not called a limit, and says its load
    assert ("r.m.s. output current into 1 kΩ needing an output indicator: 14.31 mA "
            "(indicator threshold 10 mA; above it an output indicator is required, and the "
            "device declares one)") in text
    # a number keeps its unit on its line when a line wraps
    assert not any(re.search(r"\d$", ln) and re.match(r"\s*(mA|V|mJ|kΩ|%|W)", nxt)
                   for ln, nxt in itertools.pairwise(lines))
    # under one 80 x 50 screen (the rules' names wrap where their ids did not)
    assert len(lines) < 40 and lines[-1] == "The output table, sources and notes: estim check -v"


def test_bad_program_exits_2_with_one_clear_line(tmp_path, capsys, tens_text):
    bad = tmp_path / "bad.toml"
    bad.write_text(tens_text.replace('pulse_width = "200 us"', 'pulse_width = "-200 us"'))
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "channels[0].stimulation.pulse_width" in err and "above zero" in err
    assert "Traceback" not in err


def test_unknown_program_name_exits_2(capsys):
    assert main(["check", "no_such_program"]) == 2
    assert "bundled example" in capsys.readouterr().err


def test_waveform_writes_png_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "w.png"
    assert main(["waveform", "tens_burst", "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    before = out.stat().st_mtime_ns
    assert main(["waveform", "tens_burst", "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.stat().st_mtime_ns == before
    assert main(["waveform", "tens_burst", "-o", str(out), "--force"]) == 0


def test_waveform_refuses_to_overwrite_the_program(tmp_path, tens_text):
    prog = tmp_path / "p.png"
    prog.write_text(tens_text)
    assert main(["waveform", str(prog), "-o", str(prog), "--force"]) == 2
    assert prog.read_text() == tens_text


def test_run_writes_results_and_report(tmp_path, capsys):
    outdir = tmp_path / "out"
    assert main(["run", "tens_conventional", "-o", str(outdir)]) == 0
    data = json.loads((outdir / "results.json").read_text())
    # 25 mA, 200 us biphasic at 80 Hz: r.m.s. = 25 mA * sqrt(2 * 200 us * 80 Hz) = 4.472 mA
    rms = data["channels"][0]["metrics"]["rms_max_1s_A"]
    assert rms == pytest.approx(0.025 * (2 * 200e-6 * 80) ** 0.5, rel=1e-9)
    html = (outdir / "report.html").read_text()
    assert html.startswith("<!doctype html>") and "data:image/png;base64," in html
    assert "http://" not in html and "https://" not in html  # opens offline
    assert main(["run", "tens_conventional", "-o", str(outdir)]) == 2  # no silent overwrite


def test_html_escapes_what_the_user_typed(tmp_path, tens_text):
    prog = tmp_path / "x.toml"
    prog.write_text(tens_text.replace('name = "Conventional TENS, lower back"',
                                      'name = "<script>alert(1)</script>"'))
    assert main(["run", str(prog), "-o", str(tmp_path / "o")]) == 0
    html = (tmp_path / "o" / "report.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_unwritable_output_and_hard_links_exit_2(tmp_path, tens_text, capsys):
    prog = tmp_path / "p.toml"
    prog.write_text(tens_text)
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    assert main(["waveform", str(prog), "-o", str(blocker / "w.png")]) == 2
    link = tmp_path / "hard.png"
    link.hardlink_to(prog)
    assert main(["waveform", str(prog), "-o", str(link), "--force"]) == 2
    assert prog.read_text() == tens_text
    assert "Traceback" not in capsys.readouterr().err


def test_unknown_site_is_refused_by_check_too(tmp_path, tens_text, capsys):
    prog = tmp_path / "p.toml"
    prog.write_text(tens_text.replace('name = "lower_back"', 'name = "moon"'))
    assert main(["check", str(prog)]) == 2
    assert "site.name" in capsys.readouterr().err


def test_run_twice_without_output_keeps_both(tmp_path, monkeypatch):
    """The README's quick start may be run again: the default folder never overwrites."""
    monkeypatch.chdir(tmp_path)
    assert main(["run"]) == 0
    assert main(["run"]) == 0
    assert (tmp_path / "estim-out" / "tens_conventional" / "results.json").is_file()
    assert (tmp_path / "estim-out" / "tens_conventional-2" / "results.json").is_file()


def test_discovery_commands(capsys):
    """estim --version, estim sites and estim placements SITE, with --json; an unknown site
    is one clear error."""
    import estim

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == f"estim {estim.__version__}"
    assert main(["sites", "--json"]) == 0
    sites = {s["name"]: s for s in json.loads(capsys.readouterr().out)}
    assert sites["thigh"]["muscle"].startswith("quadriceps")
    assert "knee_inferolateral" in sites["knee"]["placements"]
    assert main(["placements", "knee", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows} == set(sites["knee"]["placements"])
    assert main(["placements", "moon"]) == 2
    assert "site.name" in capsys.readouterr().err
    # what the coordinates mean (a list of (x, y, z) did not say which way is proximal;
    # clinician's probe of 7 December 2026), within 80 columns
    for site, axes in (("calf", "z along the limb, + toward the body"),
                       ("lower_back", "x from left (-) to right (+), y from down (-) to up"),
                       # its cheek_left and cheek_anterior were both at -x, unexplained
                       ("cheek", "the left cheek seen from the front: x from the nose")):
        assert main(["placements", site]) == 0
        text = capsys.readouterr().out
        assert axes in text and max(len(line) for line in text.splitlines()) <= 80


def test_placements_of_a_brain_site_name_the_lead_and_its_segments(capsys):
    """placements stn listed the default ring lead alone: a directional lead's segments
    (2a, 2b, ...) that a program may place a cathode on were nowhere to be found."""
    from estim.leads import get_lead

    assert main(["placements", "stn"]) == 0
    out = capsys.readouterr().out
    assert "Medtronic 3389 (medtronic_3389)" in out and "lead_contact_1 " in out
    assert "abbott_6172" in out  # the other leads are named, with the option to see them
    assert "from +x toward +y" not in out  # rings only: no angles to explain
    assert main(["placements", "stn", "--lead", "abbott_6172"]) == 0
    # "facing 0°" did not say where 0° points (probe of 7 December 2026)
    assert "a segment faces its angle round the lead, from +x toward +y" in " ".join(
        capsys.readouterr().out.split())
    assert main(["placements", "stn", "--lead", "abbott_6172", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    lead = get_lead("abbott_6172")
    assert set(rows) == {*lead.placements, "case"}
    assert rows["lead_contact_2b"]["facing_deg"] == 120.0  # 120° apart, as the lead is built
    assert rows["lead_contact_1"]["facing_deg"] is None  # a ring faces every way
    assert rows["lead_contact_2b"]["position_m"][2] == pytest.approx(3.75e-3)
    # the case is the brain's outer boundary, not a point at the lead's tip (0, 0, 0)
    assert rows["case"]["boundary"] is True and rows["case"]["position_m"] is None
    assert main(["placements", "stn", "--lead", "abbott_6172"]) == 0
    text = capsys.readouterr().out
    assert "segment facing 120°, 90° wide" in text
    assert "case             the return: the brain's outer boundary, 30 mm from the lead" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert main(["placements", "stn", "--lead", "nope"]) == 2
    assert "--lead: got 'nope'" in capsys.readouterr().err
    assert main(["placements", "thigh", "--lead", "abbott_6172"]) == 2
    assert "expected a brain site" in capsys.readouterr().err


def test_force_never_replaces_a_device_or_a_named_pipe(tmp_path, capsys):
    """--force replaced /dev/full with a regular file, and a named pipe likewise (probe of
    5 December 2026): only regular files are overwritten."""
    import os
    import stat

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    assert main(["new", "tens_conventional", "-o", str(fifo), "--force"]) == 2
    assert "named pipe" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    # every single-file output goes through the same check (a device is refused as the
    # pipe is; not tried on /dev/null, which a regression would replace)
    assert main(["check", "tens_conventional", "--format", "md", "-o", str(fifo),
                 "--force"]) == 2
    assert "named pipe" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_closed_standard_output_is_an_error(tmp_path):
    """`estim new X -o - >&-` was an AttributeError traceback, and the other commands lost
    their output with status 0 (probe of 5 December 2026)."""
    import subprocess
    import sys

    for cmd in ("new tens_conventional -o -", "programs"):
        done = subprocess.run(["bash", "-c", f"{sys.executable} -m estim {cmd} >&-"],
                              capture_output=False, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path, check=False)
        assert done.returncode == 2
        assert "standard output is closed" in done.stderr and "Traceback" not in done.stderr


def test_an_output_of_the_wrong_kind_is_refused_before_anything_is_written(tmp_path, capsys,
                                                                           monkeypatch):
    """`new -o newdir/` wrote a file named newdir; `fibers -o -` made a folder named '-'
    (probe of 5 December 2026)."""
    monkeypatch.chdir(tmp_path)
    assert main(["new", "tens_conventional", "-o", "newdir/"]) == 2
    assert "it ends in /" in capsys.readouterr().err
    assert main(["fibers", "tens_conventional", "-o", "-"]) == 2
    assert "standard output cannot hold a folder" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_run_verbose_has_every_threshold_the_summary_has(tmp_path, capsys, monkeypatch):
    """``estim run -v``'s sensation table had no strong-tingling row where the one-screen
    answer above it had one, and its band's † (the sample's edge) was missing, as in
    ``estim fibers PROGRAM`` (docs audit of 7 December 2026)."""
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["run", "tens_conventional", "-o", str(tmp_path / "o"), "-v", "--json"]) == 0
    w = json.loads(capsys.readouterr().out)["effects"]["sensation_window"]
    assert main(["run", "tens_conventional", "-o", str(tmp_path / "v"), "-v"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("Sensation window"):]
    row = next(line for line in table.splitlines() if line.startswith("│ strong tingling"))
    assert f"{w['strong_tingling_threshold_A'] * 1e3:.3g} mA" in row
    from estim.report.body_rows import sample_edge

    edge = bool(sample_edge(w["bands"]).get("strong_tingling"))
    assert edge  # the default example's strong tingling reaches the sample's edge
    assert ("†" in row) is edge
    assert main(["fibers", "tens_conventional"]) == 0
    fibers = capsys.readouterr().out
    strong = next(line for line in fibers.splitlines() if "strong threshold:" in line)
    assert ("†" in strong) is edge
