"""What the journal hands out: frozen copies of its rows, detached from the database.

Units: currents in amperes, durations in minutes, pain 0–10, times aware and in UTC.
``to_dict`` gives JSON-ready values (ISO 8601 times).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

__all__ = ["CalibrationRecord", "PersonRecord", "SessionRecord"]


@dataclass(frozen=True)
class PersonRecord:
    """A person in the journal."""

    id: int
    name: str
    notes: str
    created_at: datetime

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "notes": self.notes,
                "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class CalibrationRecord:
    """The dial marks (A) a person set for a program at a site, and the fitted model."""

    id: int
    person_id: int
    program: str
    site: str
    marks: Mapping[str, float | None]
    fit: Mapping[str, Any] = field(repr=False)
    created_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "marks", MappingProxyType(dict(self.marks)))
        object.__setattr__(self, "fit", MappingProxyType(dict(self.fit)))

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "person_id": self.person_id, "program": self.program,
                "site": self.site, "marks": dict(self.marks), "fit": dict(self.fit),
                "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class SessionRecord:
    """One therapy session: intensity (A), duration (min), pain (0–10) before and after."""

    id: int
    person_id: int
    program: str
    site: str
    intensity_a: float
    minutes: float
    pain_before: int
    pain_after: int
    notes: str
    started_at: datetime

    @property
    def pain_change(self) -> int:
        """Pain after minus pain before (negative: relief)."""
        return self.pain_after - self.pain_before

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "person_id": self.person_id, "program": self.program,
                "site": self.site, "intensity_a": self.intensity_a, "minutes": self.minutes,
                "pain_before": self.pain_before, "pain_after": self.pain_after,
                "notes": self.notes, "started_at": self.started_at.isoformat()}
