"""Every command's --help fits an 80-column terminal."""

from __future__ import annotations

import pytest

from estim.cli.main import main

COMMANDS = ("programs", "sites", "placements", "new", "check", "waveform", "run", "field",
            "fibers", "sweep", "serve")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_fits_80_columns(command: str, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    """``estim fibers --help`` printed its docstring's 91-character lines, which an
    80-column terminal wrapped mid-word (docs audit of 7 December 2026); its usage
    examples stay as written."""
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    long = [line for line in out.splitlines() if len(line) > 80]
    assert not long, long
    if command == "fibers":
        assert "\n    estim fibers PROGRAM [--amplitude 30mA] [-o DIR] [--json]\n" in out
