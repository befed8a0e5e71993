"""Project-wide fixtures: databases for the trajectory store.

* `pg_url` (session): a PostgreSQL server URL. AGENTS_TEST_PG_URL if set (the role needs
  CREATEDB), else a throwaway PostgreSQL started from Debian's binaries for this session and
  stopped at its end. Tests are skipped only when those binaries are not installed.
* `make_pg_database` (session): a function returning the URL of a fresh, empty database.
* `db_url`: parametrised over "sqlite" and "postgresql" (marked `postgres`): a fresh, empty
  database per test.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from trajectories.testing_pg import INSTALL_HINT, ThrowawayPostgres, create_database_at, find_pg_bin


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[ThrowawayPostgres | str]:
    external = os.environ.get("AGENTS_TEST_PG_URL")
    if external:
        yield external
        return
    if find_pg_bin() is None:
        pytest.skip(f"PostgreSQL server binaries not installed; install: {INSTALL_HINT}")
    with ThrowawayPostgres(fast=True) as server:
        yield server


@pytest.fixture(scope="session")
def pg_url(_pg_server: ThrowawayPostgres | str) -> str:
    return _pg_server if isinstance(_pg_server, str) else _pg_server.url()


@pytest.fixture(scope="session")
def make_pg_database(_pg_server: ThrowawayPostgres | str) -> Callable[[], str]:
    def make() -> str:
        if isinstance(_pg_server, str):
            return create_database_at(_pg_server)
        return _pg_server.create_database()
    return make


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'agents.db'}"
    return request.getfixturevalue("make_pg_database")()
