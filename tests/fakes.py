"""Fakes shared by the tests of the stimulator's background jobs: a clock moved by hand and
a preparation of two stages that waits between them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from estim.program.model import Program


class Clock:
    """A clock the test moves by hand (s)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Stages:
    """A prepare function of two stages that waits between them to be released."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self.prepared: list[str] = []
        self.finished: list[str] = []

    def __call__(self, program: Program, *, progress: Callable[[float, str], None]) -> Any:
        self.prepared.append(program.name)
        progress(0.1, "fields")
        self.reached.set()
        assert self.release.wait(10)
        progress(0.6, "thresholds")
        self.finished.append(program.name)
        return f"model of {program.name}"
