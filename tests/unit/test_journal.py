"""The therapy journal (estim.journal) against SQLite: what is stored comes back exactly, bad
values are refused with the field named and nothing stored, the schema is the migrations',
and a writer killed mid-write loses nothing whose commit had returned.

tests/integration/test_journal_postgres.py runs these same test bodies against a throwaway
PostgreSQL server by overriding the ``journal_url`` fixture.
"""

from __future__ import annotations

import csv
import io
import math
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect

from estim.journal import Journal, JournalError
from estim.journal.export import COLUMNS
from estim.journal.models import Base
from estim.text import BIDI_CONTROLS

ROOT = Path(__file__).resolve().parents[2]

SESSION: dict[str, Any] = dict(program="tens_conventional", site="forearm", intensity_a=0.018,
                               minutes=30.0, pain_before=6, pain_after=3)


@pytest.fixture
def journal_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'journal.sqlite'}"


@pytest.fixture
def journal(journal_url: str) -> Iterator[Journal]:
    with Journal(journal_url) as j:
        yield j


def _counts(journal: Journal) -> tuple[int, int, int]:
    people = journal.people()
    calibrations = sum(len(journal.calibrations(p.id)) for p in people)
    return len(people), calibrations, len(journal.sessions())


# -- what is stored comes back ----------------------------------------------------------

def test_people_come_back_in_order_trimmed(journal: Journal) -> None:
    ada = journal.add_person("  Ada Lovelace ", notes="left knee\nsince 2024")
    bob = journal.add_person("Bøb «O'Brien» <script>")
    assert ada.name == "Ada Lovelace"  # a name is one trimmed line
    assert [p.name for p in journal.people()] == ["Ada Lovelace", "Bøb «O'Brien» <script>"]
    assert journal.person(ada.id).notes == "left knee\nsince 2024"
    assert journal.person(bob.id) == bob
    assert ada.created_at.tzinfo is not None


def test_session_values_and_units_round_trip(journal: Journal) -> None:
    ada = journal.add_person("Ada")
    local = datetime(2026, 3, 1, 9, 30)  # naive: the machine's local time
    paris = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    first = journal.add_session(ada.id, program="tens_conventional", site="forearm",
                                intensity_a="18.5 mA", minutes="1 h", pain_before="7",
                                pain_after=2, notes="felt warm", started_at=paris)
    second = journal.add_session(ada.id, **SESSION, started_at=local)
    stored = journal.sessions(ada.id)
    # Ordered by when they happened, not by when they were entered.
    assert [s.id for s in stored] == [second.id, first.id]
    got = stored[1]
    assert got == first
    assert got.intensity_a == pytest.approx(0.0185, rel=1e-12)  # [mA -> A], exact in pint
    assert got.minutes == pytest.approx(60.0, rel=1e-12)        # [h -> min]
    assert (got.pain_before, got.pain_after, got.pain_change) == (7, 2, -5)
    assert got.started_at == paris and got.started_at.utcoffset() == timedelta(0)
    assert stored[0].started_at == local.astimezone(UTC)
    assert stored[0].intensity_a == 0.018  # a float is stored exactly (double precision)
    as_dict = got.to_dict()
    assert as_dict["started_at"] == "2026-03-02T09:00:00+00:00"
    assert as_dict["intensity_a"] == got.intensity_a


def test_sessions_of_one_person_or_everyone(journal: Journal) -> None:
    ada, bob = journal.add_person("Ada"), journal.add_person("Bob")
    for who in (ada, bob, ada):
        journal.add_session(who.id, **SESSION)
    assert len(journal.sessions(ada.id)) == 2
    assert len(journal.sessions(bob.id)) == 1
    assert len(journal.sessions()) == 3


def test_calibration_round_trips(journal: Journal) -> None:
    ada = journal.add_person("Ada")
    fit = {"scale": 1.25, "skin_mm": 1.8, "residual_a": {"first_felt": 1e-4, "strong": -2e-4},
           "method": "least squares", "marks_used": ["first_felt", "strong"]}
    marks = {"first_felt": 0.008, "strong": "21 mA", "twitch": None}
    saved = journal.save_calibration(ada.id, program="tens_conventional", site="forearm",
                                     marks=marks, fit=fit)
    [got] = journal.calibrations(ada.id)
    assert got == saved
    assert dict(got.marks) == {"first_felt": 0.008, "strong": pytest.approx(0.021),
                               "twitch": None, "too_much": None}
    assert dict(got.fit) == fit
    assert got.to_dict()["fit"] == fit


def test_reopening_keeps_everything(journal_url: str) -> None:
    with Journal(journal_url) as j:
        pid = j.add_person("Ada").id
        j.add_session(pid, **SESSION)
    with Journal(journal_url) as j:  # upgrade head again: a no-op
        assert [p.name for p in j.people()] == ["Ada"]
        assert len(j.sessions(pid)) == 1


def test_threads_writing_at_once_lose_nothing(journal: Journal) -> None:
    """A web server writes from several threads; each write waits for the lock, none fails."""
    pid = journal.add_person("Ada").id
    errors: list[BaseException] = []

    def write(k: int) -> None:
        try:
            for i in range(5):
                journal.add_session(pid, **{**SESSION, "notes": f"{k}-{i}"})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(s.notes for s in journal.sessions(pid)) == sorted(
        f"{k}-{i}" for k in range(4) for i in range(5))


# -- bad values: the field named, nothing stored ----------------------------------------

BAD_SESSIONS = [
    ("pain_before", 11), ("pain_before", -1), ("pain_after", 3.5), ("pain_after", True),
    ("pain_after", "7a"), ("pain_before", None),
    ("minutes", 0), ("minutes", -5.0), ("minutes", 24 * 60 + 1), ("minutes", math.nan),
    # "30" is 30 minutes now, as 30 is (the page sends text; probe of 5 December 2026)
    ("minutes", math.inf), ("minutes", "1_0"), ("minutes", "\u0663\u0660"),
    ("minutes", "30 mA"), ("minutes", "200 us"),
    ("minutes", 0.01),
    ("intensity", -0.001), ("intensity", math.nan), ("intensity", math.inf),
    ("intensity", 20), ("intensity", "20"), ("intensity", "20 V"), ("intensity", None),
    ("site", "elbow"), ("site", ""), ("program", ""), ("program", "   "), ("program", "a\nb"),
    ("program", "x" * 201), ("notes", "nul\x00byte"), ("notes", "lone \ud800 surrogate"),
    ("notes", "x" * 10_001), ("notes", 42), ("notes", "\u202eevil"), ("program", "a\u2066b"),
    ("started_at", "2026-01-01"), ("started_at", datetime.now(UTC) + timedelta(days=2)),
    ("started_at", datetime(1969, 12, 31, tzinfo=UTC)),
]


def test_every_bad_session_value_is_named_at_once(journal: Journal) -> None:
    """A wrong duration and a wrong pain were told one at a time (probe of 6 December
    2026): the refusal is the first, and holds each, in the form's order."""
    pid = journal.add_person("Ada").id
    before = _counts(journal)
    with pytest.raises(JournalError) as info:
        journal.add_session(pid, **{**SESSION, "minutes": "2 d", "pain_after": 11,
                                    "site": "elbow"})
    problems = info.value.problems  # type: ignore[attr-defined]
    assert [p.field for p in problems] == ["site", "minutes", "pain_after"]
    assert info.value is problems[0]
    # a lead's program on the skin is told beside a bad duration (review)
    with pytest.raises(JournalError) as info:
        journal.add_session(pid, **{**SESSION, "program": "dbs_stn", "site": "lower_back",
                                    "minutes": "2 d"})
    assert [p.field for p in info.value.problems] == ["minutes", "site"]  # type: ignore[attr-defined]
    assert _counts(journal) == before


@pytest.mark.parametrize(("field", "value"), BAD_SESSIONS,
                         ids=[f"{f}={v!r}"[:40] for f, v in BAD_SESSIONS])
def test_bad_session_value_is_named_and_nothing_stored(journal: Journal, field: str,
                                                        value: object) -> None:
    pid = journal.add_person("Ada").id
    key = "intensity_a" if field == "intensity" else field
    before = _counts(journal)
    with pytest.raises(JournalError) as info:
        journal.add_session(pid, **{**SESSION, key: value})
    assert info.value.field == field
    message = str(info.value)
    assert message.startswith(f"{field}: got ") and "expected" in message
    assert "\n" not in message.replace("\\n", "")  # one line, as the CLI prints it
    assert _counts(journal) == before
    # a voltage is refused saying why: the journal keeps currents (it said "this one's dial
    # is in volts" of any program; probe of 6 December 2026)
    assert ("'20 V' is a voltage: the journal keeps the currents" in message) is \
        (value == "20 V"), message


BAD_PEOPLE = [("name", ""), ("name", "   "), ("name", "x" * 101), ("name", "Ada\nBob"),
              ("name", None), ("notes", "\x07bell")]


@pytest.mark.parametrize(("field", "value"), BAD_PEOPLE)
def test_bad_person_is_named_and_nothing_stored(journal: Journal, field: str,
                                                value: object) -> None:
    args: dict[str, Any] = {"name": "Ada", "notes": "", field: value}
    with pytest.raises(JournalError) as info:
        journal.add_person(args.pop("name"), **args)
    assert info.value.field == field
    assert journal.people() == []


BAD_CALIBRATIONS = [
    ("marks.strong", {"first_felt": 0.01, "strong": 0.005}),
    ("marks.strong", {"first_felt": 0.01}),
    ("marks.first_felt", {"first_felt": 0.0, "strong": 0.02}),
    ("marks.first_felt", {"first_felt": "8", "strong": 0.02}),
    ("marks.too_much", {"first_felt": 0.01, "strong": 0.02, "twitch": 0.03, "too_much": 0.025}),
    ("marks.pain", {"first_felt": 0.01, "strong": 0.02, "pain": 0.03}),
    ("marks", [0.01, 0.02]),
    ("fit", {"scale": math.nan}),
    ("fit", {"model": object()}),
    ("fit", {"big": "x" * 100_001}),
    ("site", "elbow"),
]


@pytest.mark.parametrize(("field", "bad"), BAD_CALIBRATIONS,
                         ids=[f for f, _ in BAD_CALIBRATIONS])
def test_bad_calibration_is_named_and_nothing_stored(journal: Journal, field: str,
                                                     bad: object) -> None:
    pid = journal.add_person("Ada").id
    args: dict[str, Any] = {"program": "tens_conventional", "site": "forearm",
                            "marks": {"first_felt": 0.008, "strong": 0.02}, "fit": {}}
    args[field.split(".")[0]] = bad
    with pytest.raises(JournalError) as info:
        journal.save_calibration(pid, **args)
    assert info.value.field == field
    assert journal.calibrations(pid) == []


# 2**31: past PostgreSQL's INTEGER id column, "integer out of range" was an HTTP 500
@pytest.mark.parametrize("bad_id", [999, 0, -1, True, "1", None, 2**31, 2**63])
def test_unknown_person_is_refused_everywhere(journal: Journal, bad_id: Any) -> None:
    journal.add_person("Ada")
    calls = [
        lambda: journal.person(bad_id),
        lambda: journal.sessions(bad_id) if bad_id is not None else journal.person(bad_id),
        lambda: journal.calibrations(bad_id),
        lambda: journal.add_session(bad_id, **SESSION),
        lambda: journal.save_calibration(bad_id, program="p", site="forearm",
                                         marks={"first_felt": 0.01, "strong": 0.02}, fit={}),
        lambda: journal.plot_png(bad_id),
    ]
    for call in calls:
        with pytest.raises(JournalError) as info:
            call()
        assert info.value.field == "person_id"
    assert _counts(journal) == (1, 0, 0)


def test_bad_url_is_named(tmp_path: Path) -> None:
    with pytest.raises(JournalError) as info:
        Journal("not a url")
    assert info.value.field == "database"
    with pytest.raises(JournalError, match="driver"):
        Journal("nosuchdb+nodriver://host/db")
    # each was a traceback with exit code 1 (probe of 7 December 2026); a password that
    # SQLAlchemy could not parse out is hidden all the same
    for url, words in (("postgresql+psycopg://u:secret@127.0.0.1:abc/db", "an SQLAlchemy URL"),
                       ("postgresql+psycopg://u:se/cret@127.0.0.1:abc/db", "an SQLAlchemy URL"),
                       ("postgresql+psycopg://u:se@cret@127.0.0.1:abc/db", "an SQLAlchemy URL"),
                       ("postgresql+psycopg://[::1/db", "an SQLAlchemy URL"),
                       (f"sqlite+aiosqlite:///{tmp_path}/j.sqlite", "driver is installed"),
                       (f"sqlite:///{tmp_path}/x%00y.sqlite", "null byte")):
        with pytest.raises(JournalError, match=words) as info:
            Journal(url)
        assert info.value.field == "database" and "cret" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_another_programs_database_is_refused_and_left_as_it_was(journal_url: str) -> None:
    """Another program's database was given estim's tables beside its own (and a SQLite
    file switched to WAL), where a journal of a newer estim was refused but switched to WAL
    all the same (probe of 7 December 2026): both are refused before anything is written."""
    engine = create_engine(journal_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO notes VALUES (1)")
    path = Path(journal_url.removeprefix("sqlite:///")) if engine.dialect.name == "sqlite" \
        else None
    written = path.read_bytes() if path else b""
    with pytest.raises(JournalError, match="another program's tables: notes") as info:
        Journal(journal_url)
    assert info.value.field == "database" and "nothing was changed" in str(info.value)
    assert set(inspect(engine).get_table_names()) == {"notes"}
    if path:
        assert path.read_bytes() == written
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
    # an empty alembic_version beside them, or a view alone, is not a journal either
    # (hostile probe of 7 December 2026)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32))")
    with pytest.raises(JournalError, match="another program's tables: notes"):
        Journal(journal_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
        conn.exec_driver_sql("CREATE VIEW recent AS SELECT 1 AS x")
        conn.exec_driver_sql("DROP TABLE notes")
    with pytest.raises(JournalError, match="another program's tables: recent"):
        Journal(journal_url)
    assert set(inspect(engine).get_table_names()) == set()
    with engine.begin() as conn:  # an estim journal of a newer schema: refused, unwritten
        conn.exec_driver_sql("DROP VIEW recent")
    Journal(journal_url).close()
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'abc123'")
        if path:
            conn.exec_driver_sql("PRAGMA journal_mode = DELETE")
    written = path.read_bytes() if path else b""
    with pytest.raises(JournalError, match="revision 'abc123' is not one this estim knows"):
        Journal(journal_url)
    if path:
        assert path.read_bytes() == written
    engine.dispose()


# -- CSV ---------------------------------------------------------------------------------

def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_has_units_and_round_trips_awkward_notes(journal: Journal) -> None:
    ada = journal.add_person("Ada, \"the\" first")
    bob = journal.add_person("=HYPERLINK(\"http://x\")")
    note = 'after a run, "tight" calves;\nsecond line\r\nthird, with ümlauts'
    journal.add_session(ada.id, **{**SESSION, "notes": note})
    journal.add_session(bob.id, **{**SESSION, "intensity_a": 0.0255, "minutes": 12.5,
                                   "notes": "-3 after\n=SUM(A1)", "site": "knee"})
    text = journal.export_csv()
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert "intensity_mA" in COLUMNS and "pain_before_0_10" in COLUMNS
    rows = _rows(text)
    assert [r["notes"] for r in rows] == [note, "'-3 after\n=SUM(A1)"]
    assert [r["person"] for r in rows] == ['Ada, "the" first', "'=HYPERLINK(\"http://x\")"]
    assert float(rows[1]["intensity_mA"]) == pytest.approx(25.5, rel=1e-12)  # [A -> mA]
    assert float(rows[1]["minutes"]) == 12.5
    assert rows[1]["site"] == "knee"
    assert (rows[0]["pain_before_0_10"], rows[0]["pain_after_0_10"]) == ("6", "3")
    started = datetime.fromisoformat(rows[0]["started_at_utc"])
    assert started.utcoffset() == timedelta(0)
    # One person's export holds only their sessions.
    assert [r["person_id"] for r in _rows(journal.export_csv(bob.id))] == [str(bob.id)]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                                  blacklist_characters=BIDI_CONTROLS)
                    | st.sampled_from(
    ",\"'\n\t="), max_size=60))
def test_any_accepted_note_round_trips_through_csv(journal: Journal, note: str) -> None:
    """What a user may type comes back from the CSV exactly, or with one leading quote
    when a spreadsheet would read it as a formula."""
    people = journal.people()
    pid = people[0].id if people else journal.add_person("Ada").id
    record = journal.add_session(pid, **{**SESSION, "notes": note})
    [row] = [r for r in _rows(journal.export_csv(pid)) if r["session_id"] == str(record.id)]
    protected = note[:1] in ("=", "+", "-", "@", "\t", "\r")
    assert row["notes"] == ("'" + note if protected else note)


# -- plot --------------------------------------------------------------------------------

def test_a_dollar_in_a_name_is_drawn_as_itself(journal: Journal) -> None:
    """A $ in a person's name started matplotlib's mathtext: the plot was a 500, and "Ann
    $5 and $6" was drawn in italics as "Ann 5 and 6" (probe of 6 December 2026)."""
    from estim.journal.export import sessions_figure

    for name in ("Smith $\\frac{1}{ $x^$ paid $5", "Ann $5 and $6"):
        person = journal.add_person(name)
        journal.add_session(person.id, **SESSION)
        assert journal.plot_png(person.id).startswith(b"\x89PNG")
        fig = sessions_figure(journal.sessions(person.id), title=name)
        fig.canvas.draw()  # mathtext would parse the title here
        assert fig.get_suptitle().startswith(name.replace("$", "\\$"))


def test_plot_is_a_readable_png(journal: Journal) -> None:
    import matplotlib.image

    from estim.journal.export import sessions_figure

    ada = journal.add_person("Ada")
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for day, (before, after, ma) in enumerate([(7, 5, 15), (6, 3, 18), (5, 2, 20)]):
        journal.add_session(ada.id, **{**SESSION, "pain_before": before, "pain_after": after,
                                       "intensity_a": ma * 1e-3},
                            started_at=start + timedelta(days=day))
    png = journal.plot_png(ada.id)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert image.shape[:2] == (550, 800)  # 8 x 5.5 in at 100 dpi
    assert image[..., :3].std() > 0.05  # something is drawn
    fig = sessions_figure(journal.sessions(ada.id), title="Ada")
    pain, current = fig.axes
    assert "Ada" in fig.get_suptitle() and "3 sessions" in fig.get_suptitle()
    assert pain.get_ylabel() == "pain (0–10 rating)"
    assert current.get_ylabel() == "intensity (mA)"
    assert current.get_xlabel() == "date (UTC)"
    # The lines hold the data in the plotted units: mA and the 0-10 scale.
    assert list(current.get_lines()[0].get_ydata()) == pytest.approx([15, 18, 20])
    assert list(pain.get_lines()[1].get_ydata()) == [5, 3, 2]
    assert pain.get_legend() is not None


def test_sessions_of_one_day_are_drawn_apart_and_a_name_the_font_lacks_is_left_out(
        journal: Journal) -> None:
    """Two sessions 40 minutes apart were one vertical line on a two-day axis; a Chinese
    name and an emoji were boxes in the title, an Arabic name reversed (probe of
    5 December 2026)."""
    import matplotlib.dates as mdates

    from estim.journal.export import sessions_figure

    ada = journal.add_person("Zoë 李 🙂")
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for minutes in (0, 40):
        journal.add_session(ada.id, **SESSION, started_at=start + timedelta(minutes=minutes))
    fig = sessions_figure(journal.sessions(ada.id), title="Zoë 李 🙂")
    lo, hi = fig.axes[1].get_xlim()
    width_px = fig.axes[1].get_window_extent().width
    # the 40 minutes take at least a third of the axis (they took 1/72 of two days)
    assert (mdates.date2num(start + timedelta(minutes=40)) - mdates.date2num(start)) \
        / (hi - lo) > 1 / 3, (lo, hi, width_px)
    assert fig.get_suptitle().startswith("This person: pain and intensity")
    assert sessions_figure([], title="Zoë Müller").get_suptitle().startswith("Zoë Müller:")
    assert sessions_figure([], title="مرحبا").get_suptitle().startswith("This person:")


def test_plot_without_sessions_says_so(journal: Journal) -> None:
    from estim.journal.export import sessions_figure

    ada = journal.add_person("Ada")
    assert journal.plot_png(ada.id).startswith(b"\x89PNG")
    fig = sessions_figure([], title="Ada")
    assert any("no sessions" in t.get_text() for t in fig.axes[0].texts)


# -- schema and migrations ---------------------------------------------------------------

def _alembic(journal_url: str, connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "src/estim/journal/migrations"))
    config.attributes["connection"] = connection
    return config


def test_migrations_make_exactly_the_models_schema(journal: Journal, journal_url: str) -> None:
    engine = create_engine(journal_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        head = ScriptDirectory.from_config(_alembic(journal_url, conn)).get_current_head()
        assert context.get_current_revision() == head
    engine.dispose()


def test_migrations_go_down_and_up(journal: Journal, journal_url: str) -> None:
    journal.close()
    engine = create_engine(journal_url)
    with engine.begin() as conn:
        command.downgrade(_alembic(journal_url, conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    with Journal(journal_url) as again:  # upgrade head on open
        assert again.people() == []
        again.add_person("Ada")


def test_a_schema_newer_than_this_estim_is_refused(journal: Journal, journal_url: str) -> None:
    journal.close()
    engine = create_engine(journal_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00d'")
    engine.dispose()
    with pytest.raises(JournalError, match="this version of estim or an older one") as info:
        Journal(journal_url)
    assert info.value.field == "database"


def test_a_migration_cut_short_leaves_no_half_schema(journal_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Upgrading runs in one transaction (SQLite and PostgreSQL both roll DDL back): a server
    killed during the first open leaves an empty database, not half of the tables."""
    from estim.journal import store

    upgrade = store.command.upgrade

    def upgrade_then_fail(config: Config, revision: str) -> None:
        upgrade(config, revision)
        raise KeyboardInterrupt("stopped after the DDL, before the commit")

    monkeypatch.setattr(store.command, "upgrade", upgrade_then_fail)
    with pytest.raises(KeyboardInterrupt):
        Journal(journal_url)
    engine = create_engine(journal_url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()
    monkeypatch.undo()
    with Journal(journal_url) as journal:
        assert journal.people() == []


def test_journals_opening_a_new_database_at_once_both_work(journal_url: str) -> None:
    """Two servers started together on an empty database: one migrates, the other waits."""
    opened: list[Journal] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(Journal(journal_url))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    opened[0].add_person("Ada")
    assert [p.name for p in opened[-1].people()] == ["Ada"]
    for j in opened:
        j.close()


# -- a writer killed mid-write -----------------------------------------------------------

WRITER = """
import sys
from estim.journal import Journal
journal = Journal(sys.argv[1])
person, i = int(sys.argv[2]), int(sys.argv[3])
while True:
    journal.add_session(person, program="tens_conventional", site="forearm",
                        intensity_a=1e-3 * (i % 50), minutes=1 + i % 7, pain_before=i % 11,
                        pain_after=(i * 3) % 11, notes=f"entry {i}, \\"quoted\\"\\n" * 3)
    print(i, flush=True)   # the commit has returned
    i += 1
"""


def _integrity(journal: Journal) -> None:
    """The file or server is consistent (SQLite checks every page and index)."""
    if journal.backend == "sqlite":
        with journal._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_writer_killed_mid_write_loses_no_returned_commit(journal_url: str) -> None:
    with Journal(journal_url) as j:
        pid = j.add_person("Ada").id
    rng = random.Random(11)
    start = 0
    for _ in range(2):  # two kills; each run of the writer costs a Python start (~1-2 s)
        writer = subprocess.Popen([sys.executable, "-c", WRITER, journal_url, str(pid),
                                   str(start)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert writer.stdout is not None
        # Let it write a few sessions, then kill it at a random moment, most likely inside
        # a write (a write is nearly all the loop's time).
        seen = [writer.stdout.readline() for _ in range(5)]
        assert all(seen), "the writer stopped before it was killed"
        threading.Event().wait(rng.uniform(0.0, 0.05))
        writer.send_signal(signal.SIGKILL)
        # the rest through the same reader: communicate(timeout=...) reads the pipe's file
        # descriptor, past the lines readline had buffered, so a loaded machine lost one
        # confirmed number ({0, 1, 2, 3, 4, 6, ...} stored 5; 5 December 2026)
        out = writer.stdout.read()
        writer.wait(timeout=30)
        assert writer.returncode == -signal.SIGKILL
        confirmed = {int(n) for n in "".join(seen).split() + out.split()}
        with Journal(journal_url) as j:
            _integrity(j)
            stored = {int(s.notes.split()[1].rstrip(",")): s for s in j.sessions(pid)
                      if s.notes.startswith("entry")}
            for i, s in stored.items():  # every row whole: its values are its number's
                assert s.notes == f'entry {i}, "quoted"\n' * 3
                assert (s.pain_before, s.pain_after, s.minutes, s.intensity_a) == (
                    i % 11, (i * 3) % 11, 1 + i % 7, 1e-3 * (i % 50))
            this_run = {i for i in stored if i >= start}
            # Every confirmed commit is there; at most one more (killed after its commit
            # and before it could say so).
            assert confirmed <= this_run
            assert len(this_run - confirmed) <= 1
            # The journal takes new writes (no lock left behind); the next run numbers on.
            j.add_session(pid, **{**SESSION, "notes": "after the kill"})
        start = max(this_run) + 1
    assert len(stored) >= 10


def test_a_bundled_program_is_recorded_at_a_site_it_goes_on(journal: Journal) -> None:
    """A session of tens_conventional at the brain and of dbs_stn at the lower back were
    stored (probe of 6 December 2026); a custom program goes anywhere."""
    ada = journal.add_person("Ada")
    with pytest.raises(JournalError, match="pads on the skin") as err:
        journal.add_session(ada.id, **{**SESSION, "program": "tens_conventional",
                                       "site": "brain"})
    assert err.value.field == "site"
    with pytest.raises(JournalError, match="a lead in the brain"):
        journal.add_session(ada.id, **{**SESSION, "program": "dbs_stn", "site": "lower_back"})
    assert journal.add_session(ada.id, **{**SESSION, "program": "dbs_stn", "site": "stn"})
    assert journal.add_session(ada.id, **{**SESSION, "program": "home unit", "site": "brain"})
    assert len(journal.sessions(ada.id)) == 2
