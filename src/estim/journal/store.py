"""The therapy journal: people, their calibrations and sessions, in any SQLAlchemy database.

>>> from estim.journal import Journal
>>> journal = Journal("sqlite://")                      # in memory; None: the user's file
>>> ada = journal.add_person("Ada")
>>> s = journal.add_session(ada.id, program="tens_conventional", site="forearm",
...                         intensity_a=0.018, minutes=30, pain_before=6, pain_after=3)
>>> [(r.intensity_a, r.pain_change) for r in journal.sessions(ada.id)]
[(0.018, -3)]
>>> journal.add_session(ada.id, program="tens_conventional", site="forearm",
...                     intensity_a=0.018, minutes=30, pain_before=6, pain_after=11)
Traceback (most recent call last):
...
estim.journal.validate.JournalError: pain_after: got 11, expected a whole number from 0 ...10...
>>> journal.close()

Durability: every write is one transaction, committed before the call returns, so a
server killed mid-write loses at most the entry whose call had not returned. SQLite runs in
WAL mode with ``synchronous=FULL`` (a returned commit is on disk) and foreign keys on, and
each transaction takes the write lock at its start (``BEGIN IMMEDIATE``), so two processes
writing the same file wait for each other instead of failing. The schema is made only by
the Alembic migrations, upgraded to head on open (under an advisory lock on PostgreSQL, so
two servers starting at once do not both create it).
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DataError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from estim.errors import InputError
from estim.journal import validate
from estim.journal.models import Base, Calibration, Person, TherapySession
from estim.journal.records import CalibrationRecord, PersonRecord, SessionRecord
from estim.journal.validate import JournalError

__all__ = ["Journal", "JournalUnavailable", "default_url", "migrate"]

class JournalUnavailable(RuntimeError):
    """The database could not be used now (locked by another program past the busy timeout,
    or its server gone): not the values' fault, and nothing was changed."""


class JournalUnreadable(RuntimeError):
    """The database holds a value its driver cannot read at all: the query fails before any
    row is read, so no row can be skipped; trying again does not help. (PostgreSQL's times
    are read as text and parsed row by row, so its 'infinity' or a year past 9999 skips
    its row instead: :class:`estim.journal.models.UTCDateTime`.)"""


#: Seconds a writer waits for another process's write lock on a SQLite file.
SQLITE_BUSY_TIMEOUT_S = 30
#: PostgreSQL advisory lock key held while migrating ("estim" in ASCII).
_MIGRATION_LOCK = 0x657374696D

T = TypeVar("T")


def default_url() -> str:
    """SQLite in ``platformdirs.user_data_dir("estim")/journal.sqlite`` (directory created)."""
    import platformdirs

    directory = Path(platformdirs.user_data_dir("estim", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'journal.sqlite'}"


def _sqlite_engine(url: str) -> Engine:
    typed = url  # as the user wrote it: SQLAlchemy's rendering escapes it ('a%23b')
    parsed = make_url(url)
    memory = parsed.database in (None, "", ":memory:")
    if parsed.query or "?" in url:  # 'j?x.sqlite' opened the file 'j' (review)
        # '?mode=ro' printed SQLAlchemy's warning and the journal was opened to write all the
        # same (probe of 6 December 2026)
        raise JournalError("database", _hidden(typed),
                           "a SQLite file without options after '?' (the journal is opened "
                           "to write, in WAL mode; a '?' in a file name is written %3F)")
    if not memory:
        assert parsed.database is not None
        # ~ is the user's home for the check and for SQLite alike (SQLite does not expand
        # it: '~/sub/j.sqlite' passed the check and could not be opened; review)
        path = Path(parsed.database).expanduser()
        url = parsed.set(database=str(path)).render_as_string(hide_password=False)
        folder = path.parent
        if not folder.is_dir():
            # it was made, parents and all: a mistyped clinic path opened a new, empty
            # journal without a word (probe of 6 December 2026); a new file in an existing
            # folder is a new journal, as asked
            why = ("is not a folder" if folder.exists() else
                   "does not exist: create it first, or check the path")
            raise JournalError("database", _hidden(typed),
                               f"a SQLite file in an existing folder ({folder} {why})")
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        # An in-memory database lives in one connection: share it between threads.
        **({"poolclass": StaticPool} if memory else {}))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the sqlite3 module, says where transactions start and end (the
        # module's own implicit transactions commit DDL early and start late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")  # [s -> ms]
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _hidden(url: str) -> str:
    """A URL as the user typed it, with what looks like a password hidden as SQLAlchemy
    hides one ('user:***@host'), whether or not SQLAlchemy can parse it.

    >>> _hidden("postgresql://ann:s3cr/t@db/journal"), _hidden("sqlite:///x:y/a@b.sqlite")
    ('postgresql://ann:***@db/journal', 'sqlite:///x:y/a@b.sqlite')
    >>> _hidden("postgresql://ann:pw@db/a@b")
    'postgresql://ann:***@db/a@b'
    """
    if url.startswith("sqlite"):
        return url  # a file's path, no password ('x:y/a@b.sqlite' read 'x:***@b'; review)
    from urllib.parse import quote

    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        password = None
    if password is not None:
        # the password SQLAlchemy reads, as typed or percent-encoded: the '@' after it
        # ends the user's part, whatever '@' the path holds (review of 7 December 2026)
        for typed in (str(password), quote(str(password), safe="")):
            found = url.find(f":{typed}@")
            after = url[found + len(typed) + 2:] if found >= 0 else ""
            # an '@' in the host that follows: the password may run on to it; hidden to
            # the last '@' below, which shows less of the host and none of the password
            if found >= 0 and "@" not in after.split("/", 1)[0]:
                return f"{url[:found]}:***{url[found + len(typed) + 1:]}"
    # up to the last '@' before the path: a password may hold '/' or '@' (review)
    scheme, sep, rest = url.partition("//")
    if not sep:
        return url
    at = rest.rfind("@")
    if at < 0:
        return url
    userinfo = rest[:at]
    if ":" not in userinfo:
        return url  # no password
    return f"{scheme}//{userinfo.split(':', 1)[0]}:***{rest[at:]}"


def _engine(url: str) -> Engine:
    try:
        backend = make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        # ValueError: a port that is not a number ('host:abc'), an unclosed '[::1'; a
        # traceback with exit code 1 (probe of 7 December 2026)
        raise JournalError("database", _hidden(url), "an SQLAlchemy URL, e.g. "
                           "sqlite:///journal.sqlite or postgresql+psycopg://user@host/db"
                           ) from None
    try:
        if backend == "sqlite":
            return _sqlite_engine(url)
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        # 'sqlite+aiosqlite://' went past the SQLite branch to a traceback (probe of
        # 7 December 2026)
        raise JournalError("database", _hidden(url),
                           f"an SQLAlchemy URL whose driver is installed ({exc})") from None


def _each_checked(*checks: Callable[[], Any],
                  then: Callable[[list[Any]], object] | None = None,
                  before: Sequence[InputError] = ()) -> list[Any]:
    """Each check's value; where any refuses, the first refusal, holding every one in its
    ``problems`` (as a device setting's :class:`estim.stimulator.SettingsError` does).

    :param then: a check of the values together (None for each refused).
    :param before: refusals already made, told first: a field refused there is not refused
        again ("20 MA" got two answers under one box, "from 0 to 100 mA" and "from 0 to
        5 A"; hostile probe of 7 December 2026).
    """
    values: list[Any] = []
    problems: list[InputError] = list(before)

    def refused(err: InputError) -> None:
        if not any(p.field == err.field for p in before):
            problems.append(err)

    for check in checks:
        try:
            values.append(check())
        except JournalError as err:
            refused(err)
            values.append(None)
    if then is not None:
        try:
            then(values)
        except JournalError as err:
            refused(err)
    if problems:
        first = problems[0]
        first.problems = problems  # type: ignore[attr-defined]
        raise first
    return values


def _alembic_config() -> Config:
    """Alembic's configuration of the journal's migrations."""
    config = Config()
    config.set_main_option("script_location",
                           str(resources.files("estim.journal").joinpath("migrations")))
    return config


def _revisions() -> set[str]:
    """Every schema revision this estim's migrations know."""
    from alembic.script import ScriptDirectory

    return {r.revision for r in ScriptDirectory.from_config(_alembic_config())
            .walk_revisions()}


#: Tables a database extension makes in a new PostgreSQL database (PostGIS's): not another
#: program's data (review of 7 December 2026).
_EXTENSION_TABLES = frozenset({"spatial_ref_sys"})
#: The tables of a journal: the models' and Alembic's.
_JOURNAL_TABLES = frozenset({"alembic_version", *Base.metadata.tables})


def _foreign(url: str, engine: Engine) -> str | None:
    """Why the database is not a journal estim may write (another program's tables, or a
    schema revision this estim does not know), read without writing anything; None where
    it is new, empty or a journal of this estim or an older one. Another program's SQLite
    file was given estim's tables beside its own and switched to WAL, and a refused one was
    still switched to WAL (probe of 7 December 2026)."""
    from sqlalchemy import inspect

    parsed = make_url(url)
    if engine.dialect.name == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return None
        path = Path(parsed.database).expanduser()
        if not path.is_file() or path.stat().st_size == 0:
            return None
        # a plain read-only engine: the journal's own sets WAL on every connection. The
        # URI goes to sqlite3 as built (SQLAlchemy's URL parsing undid its escapes: '#',
        # '?' and '%' in a name opened another file, and a relative path had no URI;
        # review of 7 December 2026)
        uri = f"{path.resolve().as_uri()}?mode=ro"
        # waiting for another program's write lock, as the journal would (it returned None
        # on "database is locked", and the migration then waited and wrote its tables
        # into a locked file of another program's; hostile probe of 7 December 2026)
        reader = create_engine("sqlite://", creator=lambda: sqlite3.connect(
            uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_S))
    else:
        reader = engine
    try:
        with reader.connect() as connection:
            seen = inspect(connection)
            tables = set(seen.get_table_names()) | set(seen.get_view_names())
            versions = (set(connection.execute(text("SELECT version_num FROM "
                                                    "alembic_version")).scalars())
                        if "alembic_version" in tables else set())
    except DBAPIError as exc:
        if "locked" in str(exc.orig) or "busy" in str(exc.orig):
            return (f"a database estim can read now (another program holds it locked past "
                    f"{SQLITE_BUSY_TIMEOUT_S} s); nothing was changed")
        return None  # not a database at all, or unreachable: said when it is opened
    finally:
        if reader is not engine:
            reader.dispose()
    # any table or view but a journal's own: an empty alembic_version beside another
    # program's tables, or a view alone, was taken over (hostile probe of 7 December 2026)
    others = tables - _JOURNAL_TABLES - _EXTENSION_TABLES
    if others:
        named = ", ".join(sorted(others)[:5]) + (", ..." if len(others) > 5 else "")
        return (f"a new database or an estim journal (it holds another program's tables: "
                f"{named}); nothing was changed")
    unknown = sorted(versions - _revisions())
    if unknown:
        return (f"a journal written by this version of estim or an older one (its schema "
                f"revision '{unknown[0]}' is not one this estim knows: a newer estim's or "
                "another program's); nothing was changed")
    return None


def migrate(engine: Engine) -> None:
    """Upgrade the database's schema to the newest migration, in one transaction."""
    config = _alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _migrate_when_free(engine: Engine) -> None:
    """:func:`migrate`, retried while another connection holds a new SQLite file: two
    servers opening one empty database at once can get "database is locked" at once, not
    after the busy timeout (switching a fresh file to WAL needs it alone), so wait up to
    :data:`SQLITE_BUSY_TIMEOUT_S` as a busy handler would."""
    import time

    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            migrate(engine)
            return
        except OperationalError as exc:
            locked = "locked" in str(exc.orig) or "busy" in str(exc.orig)
            if engine.dialect.name != "sqlite" or not locked or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# Rows are checked as they are read, as they were when written: a row edited outside estim
# ('abc' as an intensity, 'yesterday' as a time, '{not json' as marks) is skipped and named
# on the server's log, where it made every read of its table an HTTP 500 and left the
# whole journal's export unreadable (probe of 5 December 2026).
_log = logging.getLogger("estim.journal")


# What a row needs to be read: the types and ranges the schema means, not today's rules
# for new values (a session of 3.3e-06 minutes, or notes with a bidi control, that an earlier
# estim stored are read as stored; review of 5 December 2026).


def _when(field: str, value: object) -> datetime:
    if not isinstance(value, datetime):
        raise JournalError(field, value, "a date and time")
    return value


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise JournalError(field, value, "text")
    return value


def _id(field: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise JournalError(field, value, "a whole number")
    return value


def _number(field: str, value: object, *, low: float, high: float = math.inf,
            above: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and \
        math.isfinite(value) and (value > low if above else value >= low) and value <= high
    if not ok:
        raise JournalError(field, value, f"a finite number {'above' if above else 'from'} "
                           f"{low:g}" + ("" if math.isinf(high) else f" to {high:g}"))
    return float(value)  # type: ignore[arg-type]


def _mapping(field: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise JournalError(field, value, "a mapping with text keys")
    return value


def _marks(value: object) -> dict[str, float | None]:
    """The marks as the page reads them: only the known ones, first felt and strong set
    (a row without one showed "strong NaN mA"; review of 5 December 2026)."""
    marks = _mapping("marks", value)
    unknown = [k for k in marks if k not in validate.MARKS]
    if unknown:
        raise JournalError(f"marks.{unknown[0]}", marks[unknown[0]],
                           f"only the marks {', '.join(validate.MARKS)}")
    out = {k: None if marks.get(k) is None else
           _number(f"marks.{k}", marks[k], low=0.0, above=True) for k in validate.MARKS}
    for k in ("first_felt", "strong"):
        if out[k] is None:
            raise JournalError(f"marks.{k}", None, "a current (A); this mark is required")
    return out


def _person(row: Person) -> PersonRecord:
    return PersonRecord(id=_id("id", row.id), name=_text("name", row.name),
                        notes=_text("notes", row.notes),
                        created_at=_when("created_at", row.created_at))


def _calibration(row: Calibration) -> CalibrationRecord:
    return CalibrationRecord(id=_id("id", row.id), person_id=_id("person_id", row.person_id),
                             program=_text("program", row.program),
                             site=_text("site", row.site), marks=_marks(row.marks),
                             fit=json.loads(validate.fit(row.fit)),
                             created_at=_when("created_at", row.created_at))


def _session(row: TherapySession) -> SessionRecord:
    return SessionRecord(id=_id("id", row.id), person_id=_id("person_id", row.person_id),
                         program=_text("program", row.program), site=_text("site", row.site),
                         intensity_a=_number("intensity_a", row.intensity_a, low=0.0),
                         minutes=_number("minutes", row.minutes, low=0.0, above=True),
                         pain_before=int(_number("pain_before", _id("pain_before",
                                                                     row.pain_before),
                                                 low=0, high=10)),
                         pain_after=int(_number("pain_after", _id("pain_after",
                                                                   row.pain_after),
                                                low=0, high=10)),
                         notes=_text("notes", row.notes),
                         started_at=_when("started_at", row.started_at))


R = TypeVar("R")


def _readable(rows: Iterable[Any], convert: Callable[[Any], R], table: str) -> list[R]:
    """The rows that read as they were written; each other one is named on the log."""
    out = []
    for row in rows:
        try:
            out.append(convert(row))
        except JournalError as err:
            _log.warning("journal: %s %s skipped, it cannot be read (%s); was it edited "
                         "outside estim?", table, row.id, err)
    return out


def _one(row: Any, convert: Callable[[Any], R], table: str) -> R:
    """One row read as it was written, or :class:`JournalError` naming it."""
    try:
        return convert(row)
    except JournalError as err:
        raise JournalError(f"{table} {row.id}", err.value,
                           f"a row as estim writes it ({err}); was it edited outside "
                           "estim?") from None


class Journal:
    """People, their calibrations and their therapy sessions.

    :param url: an SQLAlchemy URL (``postgresql+psycopg://user@host/db`` for a clinic);
        ``None``: SQLite in the user's data directory (:func:`default_url`).

    Every method that takes values checks all of them first; a bad one raises
    :class:`JournalError` naming the field, and nothing is stored.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url if url is not None else default_url()
        engine: Engine | None = None
        try:
            engine = _engine(self.url)
            foreign = _foreign(self.url, engine)
            if foreign is not None:
                raise self._refused(engine, foreign)
            _migrate_when_free(engine)
        except JournalError:
            raise
        except CommandError as exc:  # a revision this estim does not know: a newer schema
            raise self._refused(engine, "a journal written by this version of estim or an "
                                f"older one ({exc})") from None
        except (DBAPIError, OSError, ValueError) as exc:
            # ValueError: a NUL in a SQLite path ("embedded null byte"; probe of
            # 7 December 2026)
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise self._refused(engine, f"a database estim can open and write ({reason})"
                                ) from None
        self._engine = engine
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        # An in-memory SQLite journal is one connection shared by every thread: its
        # transactions take turns here (a file or a server gives each thread its own).
        self._one_at_a_time: AbstractContextManager[object] = (
            threading.Lock() if isinstance(engine.pool, StaticPool) else nullcontext())

    def _refused(self, engine: Engine | None, expected: str) -> JournalError:
        if engine is not None:
            engine.dispose()
        return JournalError("database", self._shown(), expected)

    def _shown(self) -> str:
        """The URL as typed, with its password hidden (SQLAlchemy's rendering escaped it:
        'a#b.sqlite' read 'a%23b.sqlite'; probe of 7 December 2026)."""
        return _hidden(self.url)

    def __repr__(self) -> str:
        return f"Journal({self._shown()!r})"

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def in_memory(self) -> bool:
        """Whether the journal lives in memory (``sqlite://``): gone when it is closed."""
        return isinstance(self._engine.pool, StaticPool)

    @property
    def backend(self) -> str:
        """The database's dialect name: ``sqlite``, ``postgresql``, ..."""
        return self._engine.dialect.name

    # -- transactions ------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        try:
            with self._one_at_a_time, self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            # a SQLite file another program kept locked past the busy timeout, a server
            # gone: a plain-text HTTP 500 after 30 s (probe of 5 December 2026)
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise JournalUnavailable(
                f"database: {self._shown()} could not be used now ({reason}); nothing was "
                "changed, try again") from None
        except DataError as exc:
            # a value the driver cannot read at all: the query fails before any row is
            # read, so no row can be skipped (review of 5 December 2026; a PostgreSQL time
            # is read as text since, so its 'infinity' skips its row alone)
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise JournalUnreadable(
                f"database: {self._shown()} holds a value estim cannot read ({reason}): a "
                "row was edited outside estim; find it with the database's own tools and "
                "correct or delete it. Nothing was changed") from None

    def _read(self, query: Callable[[Session], T]) -> T:
        with self._transaction() as session:
            return query(session)

    @staticmethod
    def _existing(session: Session, person_id: int) -> Person:
        row = session.get(Person, person_id)
        if row is None:
            raise JournalError("person_id", person_id, "the id of a person in the journal")
        return row

    # -- people ------------------------------------------------------------------------

    def add_person(self, name: str, *, notes: str = "") -> PersonRecord:
        """Add someone; returns the stored record (with its id)."""
        row = Person(name=validate.name(name), notes=validate.notes(notes),
                     created_at=datetime.now(UTC))
        with self._transaction() as session:
            session.add(row)
            session.flush()
            return _person(row)

    def people(self) -> list[PersonRecord]:
        """Everyone, in the order they were added."""
        return self._read(lambda s: _readable(
            s.scalars(select(Person).order_by(Person.id)), _person, "person"))

    def person(self, person_id: int) -> PersonRecord:
        """One person; :class:`JournalError` naming ``person_id`` if there is none."""
        pid = validate.person_id(person_id)
        return self._read(lambda s: _one(self._existing(s, pid), _person, "person"))

    # -- calibrations ------------------------------------------------------------------

    def save_calibration(self, person_id: int, *, program: str, site: str,
                         marks: Mapping[str, float | None], fit: Mapping[str, object],
                         check: Callable[[str, str, dict[str, float | None]], None]
                         | None = None) -> CalibrationRecord:
        """Store the dial marks (A) a person set and the model fitted to them.

        :param marks: ``first_felt`` and ``strong`` (required), ``twitch``, ``too_much``
            (optional, ``None`` when not set), in amperes or as text with units.
        :param fit: the fitted person model (``PersonFit.to_dict()``), plain JSON data.
        :param check: called with the program, site and marks as checked (A), before
            anything is stored; raises :class:`JournalError` where they contradict the fit.
        """
        pid = validate.person_id(person_id)
        checked_marks = dict(validate.marks(marks))
        checked_fit = json.loads(validate.fit(fit))
        checked_program, checked_site = validate.program(program), validate.site(site)
        validate.program_at_site(checked_program, checked_site)
        if check is not None:
            check(checked_program, checked_site, checked_marks)
        row = Calibration(person_id=pid, program=checked_program,
                          site=checked_site, marks=checked_marks, fit=checked_fit,
                          created_at=datetime.now(UTC))
        with self._transaction() as session:
            self._existing(session, pid)
            session.add(row)
            session.flush()
            return _calibration(row)

    def calibrations(self, person_id: int) -> list[CalibrationRecord]:
        """A person's calibrations, oldest first."""
        pid = validate.person_id(person_id)

        def query(session: Session) -> list[CalibrationRecord]:
            self._existing(session, pid)
            rows = session.scalars(select(Calibration).where(Calibration.person_id == pid)
                                   .order_by(Calibration.created_at, Calibration.id))
            return _readable(rows, _calibration, "calibration")

        return self._read(query)

    # -- sessions ----------------------------------------------------------------------

    def add_session(self, person_id: int, *, program: str, site: str,
                    intensity_a: float | str, minutes: float | str, pain_before: int,
                    pain_after: int, notes: str = "",
                    started_at: datetime | None = None,
                    problems: Sequence[InputError] = ()) -> SessionRecord:
        """Record a session.

        :param intensity_a: the dial's intensity (A), or text with units (``"18 mA"``).
        :param minutes: how long (min), or text with units (``"30 min"``).
        :param pain_before: pain on the 0–10 scale before the session.
        :param pain_after: pain on the 0–10 scale after it.
        :param started_at: when it started (naive: local time); ``None``: now.
        :param problems: the caller's own refusals of these values (the web page's check
            of the intensity against the program's dial), told with the journal's.
        :raises InputError: the first bad value (a :class:`JournalError` but for the
            caller's own), each in its ``problems``.
        """
        # every bad value at once, each under its own box: a wrong minutes and pain were
        # told one at a time (probe of 6 December 2026)
        pid, name, where, intensity, duration, before, after, text, when = _each_checked(
            lambda: validate.person_id(person_id),
            lambda: validate.program(program), lambda: validate.site(site),
            lambda: validate.intensity(intensity_a), lambda: validate.minutes(minutes),
            lambda: validate.pain("pain_before", pain_before),
            lambda: validate.pain("pain_after", pain_after), lambda: validate.notes(notes),
            lambda: validate.started_at(started_at),
            then=lambda got: None if None in got[1:3] else validate.program_at_site(*got[1:3]),
            before=problems)
        row = TherapySession(
            person_id=pid, program=name, site=where, intensity_a=intensity, minutes=duration,
            pain_before=before, pain_after=after, notes=text, started_at=when,
            created_at=datetime.now(UTC))
        with self._transaction() as session:
            self._existing(session, pid)
            session.add(row)
            session.flush()
            return _session(row)

    def sessions(self, person_id: int | None = None) -> list[SessionRecord]:
        """Sessions in the order they happened: one person's, or everyone's (``None``)."""
        pid = None if person_id is None else validate.person_id(person_id)

        def query(session: Session) -> list[SessionRecord]:
            statement = select(TherapySession)
            if pid is not None:
                self._existing(session, pid)
                statement = statement.where(TherapySession.person_id == pid)
            rows = session.scalars(statement.order_by(TherapySession.started_at,
                                                      TherapySession.id))
            return _readable(rows, _session, "therapy session")

        return self._read(query)

    # -- outputs -----------------------------------------------------------------------

    def export_csv(self, person_id: int | None = None) -> str:
        """The sessions as CSV text (units in the column names; see :mod:`.export`)."""
        from estim.journal.export import sessions_csv

        people = {p.id: p.name for p in self.people()}
        return sessions_csv(self.sessions(person_id), people)

    def plot_png(self, person_id: int) -> bytes:
        """A PNG of one person's pain before and after and intensity over time."""
        from estim.journal.export import sessions_png

        who = self.person(person_id)
        return sessions_png(self.sessions(person_id), title=who.name)

    def close(self) -> None:
        """Release the database connections (the journal cannot be used afterwards)."""
        self._engine.dispose()
