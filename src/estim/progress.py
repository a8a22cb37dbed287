"""Progress messages of the long stages.

A stage says what it starts as one line of text (``"thresholds: 240 motor fibers (MRG
model)"``); a stage that knows how far it has got says so with :class:`Partway`, the same
line with a share done. Every face takes both as text: one that knows :class:`Partway`
updates the stage's line (the terminal's spinner, the stimulator's bar) instead of starting
a new one."""

from __future__ import annotations

__all__ = ["Partway"]


class Partway(str):
    """A stage's line with how far through it the work is.

    >>> step = Partway("thresholds: 240 motor fibers (MRG model)", 0.25)
    >>> step, step.done
    ('thresholds: 240 motor fibers (MRG model)', 0.25)
    """

    done: float

    def __new__(cls, message: str, done: float) -> Partway:
        step = super().__new__(cls, message)
        step.done = min(max(float(done), 0.0), 1.0)
        return step
