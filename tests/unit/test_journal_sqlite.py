"""What only the SQLite journal does: its default place in the user's data directory, and
the settings that make a returned write durable (WAL, synchronous=FULL, foreign keys)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from estim.journal import Journal, JournalError, default_url


def test_default_journal_is_in_the_user_data_directory(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # platformdirs follows the XDG base directories on Linux.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    expected = tmp_path / "data" / "estim" / "journal.sqlite"
    assert default_url() == f"sqlite:///{expected}"
    with Journal() as journal:
        journal.add_person("Ada")
    assert expected.is_file()
    with Journal(f"sqlite:///{expected}") as again:
        assert [p.name for p in again.people()] == ["Ada"]


def test_a_sqlite_path_under_home_is_opened_there(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite does not expand ~: '~/sub/j.sqlite' passed the folder check and then could not
    be opened (review of 6 December 2026)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "sub").mkdir()
    with Journal("sqlite:///~/sub/j.sqlite") as journal:
        assert journal.backend == "sqlite"
    assert (tmp_path / "sub" / "j.sqlite").is_file()


def test_sqlite_settings_make_writes_durable(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"  # a new file in an existing folder: a new journal
    with Journal(f"sqlite:///{path}") as journal:
        assert journal.backend == "sqlite"
        with journal._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert path.is_file()


def test_in_memory_journal_is_shared_between_threads() -> None:
    """One connection for all threads: their transactions must take turns, not interleave."""
    import threading

    with Journal("sqlite://") as journal:
        pid = journal.add_person("Ada").id

        def write() -> None:
            for _ in range(10):
                journal.add_session(pid, program="tens_conventional", site="forearm",
                                    intensity_a=0.01, minutes=5, pain_before=3, pain_after=1)
                journal.sessions(pid)

        threads = [threading.Thread(target=write) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(journal.sessions(pid)) == 40


@pytest.mark.parametrize("name", ["estim.journal", "estim.journal.store",
                                  "estim.journal.export", "estim.journal.validate"])
def test_docstring_examples_run(name: str) -> None:
    """STYLE.md: a docstring opens with a runnable example (these use in-memory SQLite)."""
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(("url", "reason"), [
    ("sqlite:///{tmp}", "unable to open"),                 # a directory
    ("sqlite:///{tmp}/not-a-db.sqlite", "not a database"),  # some other file
    # a folder that does not exist was made, parents and all: a mistyped path opened a
    # new, empty journal (probe of 6 December 2026)
    ("sqlite:///{tmp}/no/such/folder/journal.sqlite", "does not exist: create it first"),
    ("sqlite:///{tmp}/not-a-db.sqlite/journal.sqlite", "is not a folder"),
    ("sqlite:///{tmp}/journal.sqlite?mode=ro", "without options after '?'"),
    # a '?' without '=' was no option to SQLAlchemy: 'j?x.sqlite' opened a new file 'j'
    # (review of 7 December 2026)
    ("sqlite:///{tmp}/j?x.sqlite", "a '?' in a file name is written %3F"),
    ("postgresql+psycopg://clinic:secret@127.0.0.1:1/journal", "refused"),  # no server
    # the URL is said as typed: SQLAlchemy's rendering read 'a%23b' (probe of 7 December
    # 2026)
    ("sqlite:///{tmp}/no/such/a#b c.sqlite", "got 'sqlite:///{tmp}/no/such/a#b c.sqlite'"),
    ("postgresql+psycopg://clinic:secret@127.0.0.1:1/j#1",
     "got 'postgresql+psycopg://clinic:***@127.0.0.1:1/j#1'"),
])
def test_a_database_that_cannot_be_opened_is_one_line(tmp_path: Path, url: str,
                                                      reason: str) -> None:
    (tmp_path / "not-a-db.sqlite").write_text("name,pain\nAda,3\n" * 100)
    with pytest.raises(JournalError) as info:
        Journal(url.format(tmp=tmp_path))
    message = str(info.value)
    assert info.value.field == "database" and reason.format(tmp=tmp_path) in message
    assert not (tmp_path / "no").exists() and not (tmp_path / "j").exists()
    assert "\n" not in message and "secret" not in message


@pytest.mark.parametrize("name", ["hash#1.sqlite", "q%3Fx.sqlite", "pct%2520.sqlite",
                                  "sp ace.sqlite"])
def test_another_programs_file_is_refused_whatever_its_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The read-only look at a file before it is opened: '#', '?' and '%' in its name made
    it look at another file (and make it) while the journal wrote to this one, and a
    relative path could not be looked at, so a journal made there could not be opened
    again (review of 7 December 2026). The names are URL-escaped as a URL needs."""
    import sqlite3
    from urllib.parse import unquote

    path = tmp_path / unquote(name)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (x INTEGER)")
    conn.close()
    written = path.read_bytes()
    with pytest.raises(JournalError, match="another program's tables: notes"):
        Journal(f"sqlite:///{tmp_path}/{name}")
    assert path.read_bytes() == written
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    monkeypatch.chdir(tmp_path)  # a relative path, opened twice
    with Journal("sqlite:///rel.sqlite") as journal:
        journal.add_person("Ada")
    with Journal("sqlite:///rel.sqlite") as journal:
        assert [p.name for p in journal.people()] == ["Ada"]


def test_a_row_edited_outside_estim_is_skipped_and_named(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    """One hand-edited row ('abc' as an intensity, 'yesterday' as a time, an infinite
    intensity, '{not json' as marks) made every read of its table an HTTP 500 and the
    whole journal's export unreadable (probe of 5 December 2026). Each such row is skipped
    and named on the log; the rest reads and exports as before."""
    import logging

    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'journal.sqlite'}"
    session = dict(program="tens_conventional", site="forearm", intensity_a=0.018,
                   minutes=30.0, pain_before=6, pain_after=3)
    with Journal(url) as journal:
        ada, bob = journal.add_person("Ada").id, journal.add_person("Bob").id
        for _ in range(7):
            journal.add_session(ada, **session)
        journal.add_session(bob, **session)
        for _ in range(4):
            journal.save_calibration(ada, program="tens_conventional", site="forearm",
                                     marks={"first_felt": 0.008, "strong": 0.021}, fit={})
        with journal._engine.begin() as conn:
            conn.execute(text("UPDATE therapy_session SET intensity_a = 'abc' WHERE id = 1"))
            conn.execute(text("UPDATE therapy_session SET started_at = 'yesterday' "
                              "WHERE id = 2"))
            conn.execute(text("UPDATE therapy_session SET intensity_a = 9e999 WHERE id = 3"))
            conn.execute(text("UPDATE calibration SET marks = '{not json' WHERE id = 1"))
            # marks the page cannot show ("strong NaN mA"), a fit with NaN (review)
            conn.execute(text("""UPDATE calibration SET marks = '{"first_felt": 0.008}'
                              WHERE id = 3"""))
            conn.execute(text("""UPDATE calibration SET fit = '{"a": NaN}' WHERE id = 4"""))
            conn.execute(text("UPDATE person SET created_at = 'then' WHERE id = 2"))
            # a time past 9999 in UTC: an OverflowError, not a ValueError (review)
            conn.execute(text("UPDATE therapy_session SET started_at = "
                              "'9999-12-31 23:00:00-05:00' WHERE id = 5"))
            conn.execute(text("UPDATE therapy_session SET intensity_a = '20 mA' WHERE id = 6"))
            # what an earlier estim wrote is read as written: 200 us kept as minutes, and
            # notes with a bidi control (today refused on the way in)
            conn.execute(text("UPDATE therapy_session SET minutes = 3.3e-06, "
                              "notes = 'a\u202eb' WHERE id = 7"))
        with caplog.at_level(logging.WARNING, logger="estim.journal"):
            assert [s.id for s in journal.sessions()] == [4, 7, 8]
            assert [s.id for s in journal.sessions(ada)] == [4, 7]
            assert journal.sessions(ada)[1].minutes == 3.3e-06
            assert [c.id for c in journal.calibrations(ada)] == [2]  # 1, 3 and 4 skipped
            assert [p.name for p in journal.people()] == ["Ada"]
            rows = journal.export_csv().splitlines()
            assert len(rows) == 4  # the header, Ada's two readable sessions and Bob's
            assert journal.plot_png(ada).startswith(b"\x89PNG")
        logged = caplog.text
        for named in ("therapy session 1 skipped", "intensity_a: got 'abc'",
                      "therapy session 2 skipped", "started_at: got 'yesterday'",
                      "therapy session 3 skipped", "calibration 1 skipped", "person 2 skipped",
                      "therapy session 5 skipped", "therapy session 6 skipped",
                      "calibration 3 skipped", "marks.strong", "calibration 4 skipped"):
            assert named in logged, named
        # a person asked for by id whose row cannot be read: an error naming the row
        with pytest.raises(JournalError, match=r"person 2: got 'then', expected a row as "
                                               r"estim writes it \(created_at"):
            journal.person(bob)


def test_a_value_the_driver_cannot_read_is_a_clear_error(tmp_path: Path) -> None:
    """PostgreSQL's driver fails a whole query on 'infinity' as a time, before any row can
    be skipped: a clear error naming the database, not a bare 500 or a 'try again in 5 s'
    (review of 5 December 2026)."""
    from sqlalchemy.exc import DataError

    from estim.journal import JournalUnreadable

    def fails(session: object) -> None:
        raise DataError("SELECT ...", {}, Exception("timestamp too large"))

    with Journal(f"sqlite:///{tmp_path / 'journal.sqlite'}") as journal:
        with pytest.raises(JournalUnreadable, match=r"holds a value estim cannot read "
                                                    r"\(timestamp too large\)"):
            journal._read(fails)


def test_another_programs_file_locked_at_startup_is_waited_for_and_refused(
        tmp_path: Path) -> None:
    """The look before writing gave up at once on "database is locked", and the migration
    then waited for the lock and wrote estim's tables into the file (hostile probe of
    7 December 2026): the look waits as the journal does, then refuses it unchanged."""
    import sqlite3
    import threading
    import time

    path = tmp_path / "customers.sqlite"
    owner = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    owner.execute("CREATE TABLE customers (x INTEGER)")
    owner.execute("BEGIN EXCLUSIVE")
    threading.Timer(1.0, lambda: owner.execute("COMMIT")).start()
    start = time.monotonic()
    with pytest.raises(JournalError, match="another program's tables: customers"):
        Journal(f"sqlite:///{path}")
    assert time.monotonic() - start >= 0.9  # it waited for the lock
    owner.close()
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert names == {"customers"} and mode == "delete"


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://ann:s3cr/t@db/journal", "postgresql://ann:***@db/journal"),
    ("postgresql://ann:p%40ss@db/x", "postgresql://ann:***@db/x"),
    # an '@' in the path leaves the host shown (it was hidden with the password; review of
    # 7 December 2026); one in the host hides up to it, none of the password shown
    ("postgresql://ann:pw@db/a@b", "postgresql://ann:***@db/a@b"),
    ("postgresql://u:p@w@h/d", "postgresql://u:***@h/d"),
    ("postgresql://ann@db/x", "postgresql://ann@db/x"),
    # a SQLite path has no password: 'x:y/a@b' read 'x:***@b'
    ("sqlite:////tmp/x:y/a@b.sqlite", "sqlite:////tmp/x:y/a@b.sqlite"),
])
def test_a_url_is_shown_as_typed_with_its_password_hidden(url: str, shown: str) -> None:
    from estim.journal.store import _hidden

    assert _hidden(url) == shown
