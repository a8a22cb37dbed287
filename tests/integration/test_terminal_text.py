"""What a user wrote reaches the terminal as text: Rich markup and control characters in a
name or a description are printed literally, never interpreted (and never crash a run)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estim.cli.main import main
from estim.report.terminal import terminal_text
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration

EXAMPLE = next(p for p in EXAMPLES if p.stem == "iontophoresis_dexamethasone")

HOSTILE = {
    "description": "Settings [/] per manual [bold]not bold",
    "name": "[link=https://evil.example]click[/link] \x1b[31mred\x1b]8;;x\x07 \u202eevil",
}


def _program(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^description = ".*"$',
                  lambda _: f"description = {json.dumps(HOSTILE['description'])}", text)
    text = text.replace('[[channels]]\nname = "1"',
                        f"[[channels]]\nname = {json.dumps(HOSTILE['name'])}")
    assert json.dumps(HOSTILE["name"]) in text and "Settings [/]" in text
    path = tmp_path / "hostile.toml"
    path.write_text(text)
    return path


def _run_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", "300")  # wide enough that no name is wrapped
        code = main(["run", str(_program(tmp_path)), "-o", str(tmp_path / "out"), "-v"])
    assert code == 0
    assert (tmp_path / "out" / "results.json").is_file()
    return capsys.readouterr().out


def test_markup_and_escapes_in_a_program_are_printed_literally(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run_output(tmp_path, capsys)
    # the summary's part of the output: title, description, output table (the safety
    # tables that follow are rendered by estim.safety)
    mine = out[:out.index("Channel [link=")]
    assert "Settings [/] per manual [bold]not bold" in mine  # shown, not interpreted
    assert "\\x1b[31mred" in mine  # the escape is spelled out...
    assert "\x1b" not in mine and "\u202e" not in mine  # ...and never reaches the terminal


def test_no_escape_sequence_reaches_the_terminal(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = _run_output(tmp_path, capsys)
    assert "\x1b" not in out and "\u202e" not in out


def test_check_and_waveform_survive_the_same_program(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = _program(tmp_path)
    assert main(["waveform", str(program), "-o", str(tmp_path / "w.png")]) == 0
    assert main(["check", str(program)]) in (0, 1)
    assert "Traceback" not in capsys.readouterr().err


@given(st.text(st.characters(blacklist_characters="\t"), max_size=40))
def test_any_text_prints_as_itself(text: str) -> None:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=400, color_system=None, emoji=False)
    console.print(terminal_text(text), end="", highlight=False, soft_wrap=True)  # no error
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert not re.search("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e]", printed)
    # what is printed is the text, control characters spelled out (Rich doubles a final
    # backslash, so that it cannot escape markup that follows)
    expected = terminal_text(text, markup=False).expandtabs(8)
    assert printed in (expected, expected + "\\")


def test_the_report_and_plots_show_hostile_names_literally(tmp_path: Path) -> None:
    """The HTML report escapes control characters as the terminal does (a raw ESC replays in
    ``cat report.html``; U+202E reorders what follows it), and a ``$`` in a name does not
    start matplotlib's mathtext (``$x^{$`` raised a traceback from the plots)."""
    text = _program(tmp_path).read_text(encoding="utf-8")
    text = text.replace('name = "Iontophoresis', 'name = "$x^{$ \\u001b[31m Iontophoresis', 1)
    assert "$x^{$" in text
    path = tmp_path / "dollar.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["run", str(path), "-o", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in page
    assert "\\x1b" in page and "$x^{$" in page
    assert main(["waveform", str(path), "-o", str(tmp_path / "w.png")]) == 0


def test_the_brief_summary_shows_hostile_names_literally(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", "300")
        assert main(["run", str(_program(tmp_path)), "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "[link=https://evil.example]click[/link]" in out and "\\x1b[31mred" in out
    assert "\x1b" not in out and "\u202e" not in out
