"""Alembic environment of the trajectory store.

The database URL comes, in order, from a connection handed over by the store
(`config.attributes["connection"]`), `-x url=…` on the alembic command line, or `AGENTS_DB`.
On PostgreSQL an advisory lock serialises concurrent upgrades (several workers starting at
once); on SQLite the write engine's `BEGIN IMMEDIATE` does the same.
"""
from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from trajectories.db import StoreError, make_engines
from trajectories.models import Base

MIGRATION_LOCK_KEY = 0x61676E74  # arbitrary, fixed: pg_advisory_xact_lock key for migrations

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("AGENTS_DB")
    if not url:
        raise StoreError("no database URL: pass -x url=sqlite:///PATH (or postgresql+psycopg://…) or set AGENTS_DB")
    return url


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        **kwargs,
    )


def run_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_with(connection: Connection) -> None:
    _configure(connection=connection)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    if config.config_file_name:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    url = _url()
    engines = make_engines(url)
    try:
        with engines.write.begin() as conn:
            _run_with(conn)
    finally:
        engines.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
