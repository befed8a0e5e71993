"""Project-wide fixtures: databases for the trajectory store.

* `pg_url` (session): a PostgreSQL server URL. AGENTS_TEST_PG_URL if set (the role needs
  CREATEDB), else a throwaway PostgreSQL started from Debian's binaries for this session and
  stopped at its end. Missing binaries fail the tests that need them: `make setup` installs
  them (tests/support/prereqs.py).
* `make_pg_database` (session): a function returning the URL of a fresh, empty database.
* `shared_dir` (session): the reference data folder beside the checkout (tests/support/paths.py);
  fails when it is missing.
* `db_url`: parametrised over "sqlite" and "postgresql" (marked `postgres`): a fresh, empty
  database per test.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# `tests.support` is imported by package name: the checkout must be importable even when pytest
# is started as `pytest` rather than `python -m pytest` (which puts the working folder first).
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.support.paths import shared_path  # noqa: E402
from tests.support.prereqs import require  # noqa: E402
from trajectories.testing_pg import INSTALL_HINT, ThrowawayPostgres, create_database_at, find_pg_bin  # noqa: E402


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[ThrowawayPostgres | str]:
    external = os.environ.get("AGENTS_TEST_PG_URL")
    if external:
        yield external
        return
    require([] if find_pg_bin() else [f"server binaries not installed ({INSTALL_HINT})"], "PostgreSQL")
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


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return shared_path()
