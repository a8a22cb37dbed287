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
