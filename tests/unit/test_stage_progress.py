"""The terminal's stage line: a stage that says how far it has got updates its own line
with the share done (the motor fibers' search, half of a cold preparation, showed only
its elapsed time), and a new stage starts a line of its own."""

from __future__ import annotations

import io

from rich.console import Console

import estim.report.terminal as terminal
from estim.cli.common import stage_progress
from estim.progress import Partway


def test_a_partway_message_updates_its_stage_line(monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(terminal, "console", lambda *, stderr=False: Console(
        file=screen, force_terminal=True, width=100, color_system=None))
    searching = "thresholds: 240 motor fibers (MRG model)"
    with stage_progress() as step:
        assert step is not None
        step("fields: meshing and solving")
        step(searching)
        step(Partway(searching, 0.25))
        step(Partway(searching, 0.42))
    drawn = screen.getvalue()
    # the last frame drawn before the lines are cleared (ANSI: erase line, cursor shown)
    last = drawn.split("\x1b[?25h")[0].rsplit("\x1b[2K", 1)[-1]
    lines = [line.strip() for line in last.splitlines() if line.strip()]
    # one line a stage, the search's with its share, not one line per share
    assert len(lines) == 2, drawn
    assert lines[0].startswith("fields: meshing and solving"), drawn
    assert lines[1].startswith(f"{searching} 42% "), drawn
