"""Options of the virtual stimulator, each defined once (StrEnum)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["JobState", "Level", "ModeKind"]


class ModeKind(StrEnum):
    """Where a mode of the menu comes from."""

    EXAMPLE = "example"    # a bundled example program
    MASSAGE = "massage"    # a massage-like TENS pattern (knead, tap, rub)
    CUSTOM = "custom"      # a program file's text the user pastes


class Level(StrEnum):
    """What the person feels at a dial setting, mildest first (the sensation window)."""

    NONE = "none"          # below the sensory threshold
    SENSORY = "sensory"    # light tingling
    STRONG = "strong"      # strong tingling, no contraction
    MOTOR = "motor"        # visible contraction
    PAIN = "pain"          # painful
    UNKNOWN = "unknown"    # no sensation model for this modality (DBS, iontophoresis...)


class JobState(StrEnum):
    """The state of a background preparation."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
