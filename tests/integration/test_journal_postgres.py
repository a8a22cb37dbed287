"""The journal's tests (tests/unit/test_journal.py), the same test bodies, against a
throwaway PostgreSQL server (tests/postgres.py): one server for the test session, a new
empty database for each test. Skipped, with the reason, where PostgreSQL's server binaries
are missing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.postgres import postgres_server, postgres_url  # noqa: F401 (fixtures)
from tests.unit.test_journal import *  # noqa: F403 (the same test bodies, collected here)

pytestmark = pytest.mark.integration


@pytest.fixture
def journal_url(postgres_url: Callable[[], str]) -> str:  # noqa: F811 (overrides SQLite's)
    return postgres_url()


def test_a_time_python_cannot_hold_skips_its_row_not_the_table(
        postgres_url: Callable[[], str], caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    """'infinity' or a year past 9999 as a time: the driver failed the whole query, so one
    row edited outside estim made its table unreadable (a clear HTTP 500, but every
    session gone from the page; left on 5 December 2026). The times are read as text and
    parsed row by row: that row is skipped and named, the rest read."""
    import logging

    from sqlalchemy import text

    from estim.journal import Journal

    session = dict(program="tens_conventional", site="forearm", intensity_a=0.018,
                   minutes=30.0, pain_before=6, pain_after=3)
    with Journal(postgres_url()) as journal:
        ada, bob, cy = (journal.add_person(n).id for n in ("Ada", "Bob", "Cy"))
        for _ in range(3):
            journal.add_session(ada, **session)
        written = journal.sessions(ada)[2].started_at
        with journal._engine.begin() as conn:
            conn.execute(text("UPDATE therapy_session SET started_at = 'infinity' "
                              "WHERE id = 1"))
            conn.execute(text("UPDATE person SET created_at = '10000-01-01 00:00:00+00' "
                              "WHERE id = :id"), {"id": bob})
            # a session's own zone: the same instant, read back in UTC
            conn.execute(text("SET TIME ZONE 'Asia/Kolkata'"))
        with caplog.at_level(logging.WARNING, logger="estim.journal"):
            assert [s.id for s in journal.sessions(ada)] == [2, 3]
            assert [p.id for p in journal.people()] == [ada, cy]
        assert "therapy session 1 skipped" in caplog.text
        assert f"person {bob} skipped" in caplog.text
        # what estim wrote reads back exactly, aware and in UTC
        assert journal.sessions(ada)[1].started_at == written
        assert written.utcoffset() is not None and written.utcoffset().total_seconds() == 0
