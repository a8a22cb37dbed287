"""The therapy journal of the virtual stimulator: people, the calibrations of their
sensation window, and their sessions (program, site, intensity, minutes, pain 0–10 before
and after, notes), in SQLite in the user's data directory or any SQLAlchemy database.

>>> from estim.journal import Journal
>>> with Journal("sqlite://") as journal:
...     ada = journal.add_person("Ada")
...     _ = journal.add_session(ada.id, program="tens_conventional", site="forearm",
...                             intensity_a="18 mA", minutes=30, pain_before=6, pain_after=3)
...     print(journal.export_csv().splitlines()[0])
session_id,person_id,person,started_at_utc,program,site,intensity_mA,minutes,pain_before_0_10,pain_after_0_10,notes

Needs the ``web`` extra (SQLAlchemy, Alembic, platformdirs); PostgreSQL also needs psycopg.
"""

from estim.journal.records import CalibrationRecord, PersonRecord, SessionRecord
from estim.journal.store import Journal, JournalUnavailable, JournalUnreadable, default_url
from estim.journal.validate import JournalError

__all__ = [
    "CalibrationRecord",
    "Journal",
    "JournalError",
    "JournalUnavailable",
    "JournalUnreadable",
    "PersonRecord",
    "SessionRecord",
    "default_url",
]
