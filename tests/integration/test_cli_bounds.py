"""Command-line options out of range, and program paths that lead nowhere: one clear line,
exit 2, at once (before any allocation or simulation)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from estim.cli.main import main

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(("argv", "option"), [
    (["--dt", "1e-12s"], "--dt"),  # was a 74.5 GiB allocation
    (["--dt", "50us"], "--dt"),  # more than a tenth of the 100 us pulse
    (["--precision", "1e-300"], "--precision"),  # was "threshold none found"
    (["--precision", "0.5"], "--precision"),
    (["--sigma", "1e-300"], "--sigma"),
    (["--sigma", "nan"], "--sigma"),
    (["--sigma", "1e30 S/m"], "--sigma"),
    (["--distance", "1 km"], "--distance"),
    (["--pulse-width", "1 s"], "--pulse-width"),
    (["--population", "1000000"], "--population"),
    # a 1 us pulse is stepped at its tenth, which a C fiber's 30 ms cannot afford
    (["--pulse-width", "1us", "--model", "sundt", "--diameter", "1um"], "--pulse-width"),
    (["--pulse-width", "1us", "--dt", "0.5us"], "--dt"),
])
def test_fibers_options_out_of_range(argv: list[str], option: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    t0 = time.perf_counter()
    assert main(["fibers", *argv]) == 2
    assert time.perf_counter() - t0 < 10
    err = capsys.readouterr().err
    assert err.startswith(f"estim fibers: error: {option}: got ") and "expected" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_pulse_shorter_than_the_default_step_is_stepped_at_its_tenth(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A 1 us pulse averaged into one 2 us step gave 3.64 mA where 0.1 us steps give 3.29
    (MRG 10 µm, 1 mm; +10.5 %). Unasked, the step is now a tenth of the pulse (0.1 us),
    the one --dt the pulse then allows, and both give the same threshold."""
    import json

    out = {}
    for extra in ([], ["--dt", "0.1us"]):
        assert main(["fibers", "--pulse-width", "1us", "--json", *extra]) == 0
        out[len(extra)] = json.loads(capsys.readouterr().out)["threshold_A"]
    assert out[0] == out[2]


def test_field_errors_carry_the_error_prefix(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["field", str(tmp_path / "missing.toml"), "-o", str(tmp_path / "o")]) == 2
    assert main(["field", "tens_conventional", "-o", str(tmp_path / "o"), "--mesh-scale",
                 "nan"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and all(line.startswith("estim field: error: ") for line in lines)
    assert not (tmp_path / "o").exists()


def test_symlink_loop_and_dangling_link_as_program(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    a, b, dangling = tmp_path / "a.toml", tmp_path / "b.toml", tmp_path / "d.toml"
    a.symlink_to(b)
    b.symlink_to(a)
    dangling.symlink_to(tmp_path / "nowhere.toml")
    for command in (["check"], ["run"], ["field"], ["waveform", "-o", str(tmp_path / "w.png")]):
        assert main([*command[:1], str(a), *command[1:]]) == 2
        assert "symbolic link loop" in capsys.readouterr().err
    assert main(["check", str(dangling)]) == 2
    assert "nowhere.toml" in capsys.readouterr().err


def test_an_estim_warning_is_one_line_on_stderr(tmp_path, capsys, monkeypatch):
    """An unwritable cache is reported as ``estim CMD: warning: ...``, not in Python's
    file-and-source-line format, and the command still gives its answer."""
    import warnings

    import estim.cache
    from estim.cli.main import main

    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("ESTIM_CACHE_DIR", str(blocker))
    monkeypatch.setattr(estim.cache, "_warned", [])  # one warning per process: a fresh one
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # as outside the test run, where they are not errors
        code = main(["field", "microcurrent_face", "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 0
    lines = [ln for ln in err.splitlines() if "warning" in ln]
    assert len(lines) == 1 and lines[0].startswith("estim field: warning: the estim cache"), err
    assert ".py:" not in err


def test_a_warning_raised_again_by_a_later_stage_is_said_once(capsys):
    """Each stage that builds the site from a program (the setup, the fields, the window)
    warns about the same unusual layer from its own line of code, and Python's
    once-per-place rule printed the same line three times; and a threshold of 1,080 mA read
    "1.08e+03 mA" in the terminal."""
    import warnings

    from estim.cli.main import _one_line_warnings
    from estim.errors import EstimWarning
    from estim.report.page import current_words

    def setup() -> None:
        warnings.warn("site.fat_thickness = '200 mm' is outside the usual range", EstimWarning,
                      stacklevel=1)

    def fields() -> None:
        warnings.warn("site.fat_thickness = '200 mm' is outside the usual range", EstimWarning,
                      stacklevel=1)

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        with _one_line_warnings("run"):
            setup()
            fields()
            warnings.warn("another", EstimWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err.count("estim run: warning: site.fat_thickness") == 1, err
    assert err.count("estim run: warning: another") == 1, err
    assert [current_words(a) for a in (1.08, 0.739, 0.0003, None)] == [
        "1.08 A", "739 mA", "0.3 mA", "not reached"]


@pytest.mark.parametrize("argv", [["check", "tens_burst"], ["programs"],
                                  ["check", "tens_burst", "--json"]])
def test_a_closed_pipe_ends_quietly_and_never_as_a_failed_rule(argv):
    """``estim check | head -1``: Rich's own broken-pipe handler exited 1, which means "a rule
    failed" to a script. The command now ends quietly, with 141 (128 + SIGPIPE) when it was
    still writing, or 0 when everything fitted in the pipe."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "estim", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away after one line
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert code in (0, 141), (code, err)
    assert err == "", err


def test_errors_stay_on_one_bounded_line(tmp_path, capsys):
    """Several problems are joined with '; ' (not an escaped newline), and a million-character
    key is echoed in part: one line of at most ~2,000 characters."""
    from estim.cli.main import main

    path = tmp_path / "long.toml"
    path.write_text('name = "x"\n' + "k" * 1_000_000 + " = 1\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 2200 and "more characters" in err
    from tests.conftest import EXAMPLES

    knee = next(p for p in EXAMPLES if p.stem == "ifc_true_knee")
    two = knee.read_text().replace(
        'duration = "20 min"', 'duration = "1e400 s"')
    path.write_text(two)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\\n" not in err and err.count("1e400") == 2


def test_a_sweeps_subjects_given_twice_are_refused(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """--vary subject=0,1 with --subjects 3 ran subjects 0, 1 and 2 without a word
    (probe of 5 December 2026)."""
    argv = ["sweep", "tens_conventional", "--vary", "subject=0,1", "--subjects", "3",
            "-o", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("estim sweep: error: --subjects: got 3, expected either")
    assert not (tmp_path / "out").exists()
    # a sweep file's subject axis --subjects replaces, as --vary does (it was refused,
    # naming a --vary nobody gave; review): the run goes on to the scheduler
    spec = tmp_path / "sweep.toml"
    spec.write_text('program = "tens_conventional"\n[vary]\nsubject = [0, 1]\n',
                    encoding="utf-8")
    assert main(["sweep", "--file", str(spec), "--subjects", "3", "--scheduler",
                 "tcp://127.0.0.1:9", "-o", str(tmp_path / "out")]) == 2
    assert "--scheduler" in capsys.readouterr().err


def test_a_sweep_file_without_a_program_is_refused(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """It ran the bundled tens_conventional without a word (probe of 5 December 2026)."""
    spec = tmp_path / "sweep.toml"
    spec.write_text('[vary]\namplitude = ["10 mA", "20 mA"]\n', encoding="utf-8")
    assert main(["sweep", "--file", str(spec), "--safety-only",
                 "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("estim sweep: error: program: got ") and "sweep file" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [
    ["sweep", "--file", "a.toml", "--file", "b.toml"],
    ["run", "tens_conventional", "-o", "{tmp}/A", "--output", "{tmp}/B"],
    ["check", "tens_conventional", "--amplitude", "5mA", "--amplitude=6mA"],
])
def test_an_option_of_one_value_given_twice_is_refused(
        argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """argparse keeps the last: ``sweep --file a.toml --file b.toml`` ran b.toml alone, of
    another program, without a word (probe of 6 December 2026)."""
    with pytest.raises(SystemExit) as stop:
        main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "expected the option once (it was given twice)" in err, err
    assert not list(tmp_path.iterdir())  # nothing ran


@pytest.mark.parametrize(("argv", "said"), [
    (["fibers", "--population", "1.5"], "--population: got '1.5', expected a whole number"),
    (["sweep", "tens_conventional", "--seed", "x"], "--seed: got 'x', expected a whole number"),
    (["serve", "--port", "x"], "--port: got 'x', expected a whole number"),
    (["check", "tens_conventional", "--format", "pdf"],
     "--format: got 'pdf', expected one of 'md', 'csv', 'html'"),
    (["frobnicate"], "COMMAND: got 'frobnicate', expected one of 'programs', "),
])
def test_what_argparse_refuses_is_said_in_one_line(argv: list[str], said: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A whole number or a choice argparse cannot read printed its usage block and
    "argument --population: invalid int value: '1.5'"; it is one line in estim's form
    (probe of 6 December 2026)."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    command = f"estim {argv[0]}" if argv[0] != "frobnicate" else "estim"
    assert len(lines) == 1 and lines[0].startswith(f"{command}: error: {said}"), lines


@pytest.mark.parametrize("message", [
    "argument --format: invalid choice: 'pdf' (choose from 'md', 'csv', 'html')",  # 3.11
    "argument --format: invalid choice: 'pdf' (choose from md, csv, html)",  # 3.12.8, 3.13.1
])
def test_argparse_choices_read_alike_on_every_python(message: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """From Python 3.12.8 and 3.13.1 argparse lists the choices without quotes (review of 6
    December 2026): the one-line message is the same on either."""
    from estim.cli.main import _Parser

    with pytest.raises(SystemExit):
        _Parser(prog="estim check").error(message)
    assert capsys.readouterr().err == ("estim check: error: --format: got 'pdf', expected one "
                                       "of 'md', 'csv', 'html'\n")


def test_a_format_the_file_name_contradicts_is_refused(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """``--format html -o out.csv`` wrote HTML into a .csv (probe of 6 December 2026); a name
    of no known format's takes the --format given."""
    out = tmp_path / "out.csv"
    assert main(["check", "tens_conventional", "-o", str(out), "--format", "html"]) == 2
    err = capsys.readouterr().err
    assert "--format: got 'html', expected the format its file name gives (csv" in err, err
    assert not out.exists()
    assert main(["check", "tens_conventional", "-o", str(tmp_path / "out.txt"),
                 "--format", "html"]) == 0
    assert (tmp_path / "out.txt").read_text().lstrip().lower().startswith("<!doctype html")


@pytest.mark.parametrize(("argv", "extra"), [
    (["check", "tens_conventional", "tens_burst"], "tens_burst"),
    (["check", "tens_conventional", "--jsn"], "--jsn"),
])
def test_an_argument_the_command_does_not_take_is_said_by_the_command(
        argv: list[str], extra: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The top-level parser's "estim: error: unrecognized arguments: tens_burst" named no
    command, after a usage line (probe of 6 December 2026)."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == (f"estim check: error: arguments: got '{extra}', expected only the "
                   "command's own (estim check --help lists them)\n"), err
