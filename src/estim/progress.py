"""Progress messages of the long stages.

A stage says what it starts as one line of text (``"thresholds: 240 motor fibers (MRG
model)"``); a stage that knows how far it has got says so with :class:`Partway`, the same
line with a share done. Every face takes both as text: one that knows :class:`Partway`
updates the stage's line (the terminal's spinner, the stimulator's bar) instead of starting
a new one."""

from __future__ import annotations

__all__ = ["Partway"]


class Partway(str):
    """A stage's line with how far through it the work is (a value: neither changes).

    >>> step = Partway("thresholds: 240 motor fibers (MRG model)", 0.25)
    >>> step, step.done
    ('thresholds: 240 motor fibers (MRG model)', 0.25)
    >>> step.renamed("channel 2: " + step).done
    0.25
    """

    _done: float

    def __new__(cls, message: str, done: float) -> Partway:
        step = super().__new__(cls, message)
        object.__setattr__(step, "_done", min(max(float(done), 0.0), 1.0))
        return step

    @property
    def done(self) -> float:
        """The share of the stage done, 0..1."""
        return self._done

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Partway is a value: its {name} does not change")

    def renamed(self, message: str) -> Partway:
        """The same share under another line (its channel's name in front)."""
        return Partway(message, self._done)
