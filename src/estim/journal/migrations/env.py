"""Alembic's environment for the journal.

Two ways in: ``Journal()`` passes its own open connection in ``config.attributes
["connection"]`` (upgrade inside its transaction); the ``alembic`` command line, for
developers, connects to ``$ESTIM_JOURNAL_URL`` or the ini file's ``sqlalchemy.url``.
Logging is configured only on the command line (a library does not change it).
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from estim.journal.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return os.environ.get("ESTIM_JOURNAL_URL") or config.get_main_option("sqlalchemy.url") or ""


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters a table by copying it ("batch" mode); other backends alter in place.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    engine = create_engine(_url())
    with engine.connect() as conn:
        _configure(conn)
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
