"""The journal's tables, as SQLAlchemy 2 ORM classes.

The schema is created only by the Alembic migrations in ``migrations/versions``; a test
checks that they produce exactly these tables (``alembic.autogenerate.compare_metadata``).
A change here needs a new migration (``alembic -c src/estim/journal/alembic.ini revision
--autogenerate -m "..."``).

Units: currents in amperes (``intensity_a``), durations in minutes, pain on the 0–10
numeric rating scale, times in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from estim.journal.validate import MAX_NAME_CHARS, MAX_PROGRAM_CHARS

__all__ = ["Base", "Calibration", "Person", "ReadJSON", "TherapySession", "UTCDateTime",
           "Unreadable"]

#: Constraint names that every backend spells the same, so migrations can name them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class _AsText(FunctionElement[Any]):
    """A time column read as its text on PostgreSQL, whose driver fails the whole query on a
    time Python cannot hold ('infinity', a year past 9999) before any row can be skipped;
    the column itself elsewhere (SQLite hands its text to the type's own processor)."""

    name = "estim_time_as_text"
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any], type_: TypeDecorator[Any]) -> None:
        super().__init__(column)
        self.type = type_  # its rows go through the column's own result processor


@compiles(_AsText)
def _as_itself(element: _AsText, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_AsText, "postgresql")
def _as_text(element: _AsText, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; read back aware on every backend (SQLite
    keeps no zone, so its naive values are UTC by construction). PostgreSQL's times are
    read as text and parsed here, so that a row whose time Python cannot hold is skipped
    as :class:`Unreadable` rather than failing its table's every read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def column_expression(self, colexpr: ColumnElement[Any]) -> ColumnElement[Any]:
        return _AsText(colexpr, self)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")  # programming error
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # PostgreSQL's text ('2026-12-05 19:57:31.123456+00', in the session's zone); its
        # 'infinity' or a year past 9999 raises ValueError: the row is Unreadable
        out: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        return out.replace(tzinfo=UTC) if out.tzinfo is None else out.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        return _tolerant(super().result_processor(dialect, coltype))


class Unreadable:
    """A stored value the column's type cannot read (a row edited outside estim: the text
    'yesterday' in a time, '{not json' in a JSON column); the journal skips its row and
    names it (:mod:`estim.journal.store`), where one such row made every read of its table
    an HTTP 500 (probe of 5 December 2026)."""

    def __init__(self, raw: object) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return repr(self.raw)


def _tolerant(inner: Any) -> Any:
    """``inner`` (a result processor, or None), with a value it cannot read as
    :class:`Unreadable` instead of an exception."""
    if inner is None:
        return None

    def process(value: Any) -> Any:
        try:
            return inner(value)
        except (ValueError, TypeError, OverflowError):  # a year past 9999 in UTC
            return Unreadable(value)

    return process


class ReadJSON(TypeDecorator[Any]):
    """JSON whose unreadable stored text reads as :class:`Unreadable`."""

    impl = JSON
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        return _tolerant(super().result_processor(dialect, coltype))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Person(Base):
    """Someone who uses the stimulator."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME_CHARS))
    notes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Calibration(Base):
    """The marks a person set on the dial for one program and site, and the fitted model."""

    __tablename__ = "calibration"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True)
    program: Mapped[str] = mapped_column(String(MAX_PROGRAM_CHARS))
    site: Mapped[str] = mapped_column(String(MAX_PROGRAM_CHARS))
    marks: Mapped[dict[str, Any]] = mapped_column(ReadJSON)  # mark name -> A or null
    fit: Mapped[dict[str, Any]] = mapped_column(ReadJSON)    # the person model, as given
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TherapySession(Base):
    """One session of stimulation, with pain before and after."""

    __tablename__ = "therapy_session"
    __table_args__ = (
        CheckConstraint("pain_before BETWEEN 0 AND 10", name="pain_before_0_10"),
        CheckConstraint("pain_after BETWEEN 0 AND 10", name="pain_after_0_10"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("intensity_a >= 0", name="intensity_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True)
    program: Mapped[str] = mapped_column(String(MAX_PROGRAM_CHARS))
    site: Mapped[str] = mapped_column(String(MAX_PROGRAM_CHARS))
    intensity_a: Mapped[float] = mapped_column(Double)     # A
    minutes: Mapped[float] = mapped_column(Double)         # min
    pain_before: Mapped[int] = mapped_column(Integer)      # 0-10 NRS
    pain_after: Mapped[int] = mapped_column(Integer)       # 0-10 NRS
    notes: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
