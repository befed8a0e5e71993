"""A database that goes away gives one clear error; a server that comes back is used again."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.prereqs import require
from trajectories.db import DatabaseUnavailableError, DatabaseUrlError
from trajectories.records import RunConfig, StepRecord
from trajectories.store import TrajectoryStore
from trajectories.testing_pg import ThrowawayPostgres, find_pg_bin


@pytest.fixture
def own_pg() -> Iterator[ThrowawayPostgres]:
    """A server of this test's own, since the test stops it."""
    require([] if find_pg_bin() else ["server binaries not installed"], "PostgreSQL")
    with ThrowawayPostgres(fast=False) as server:  # durable: it survives the crash below
        yield server


@pytest.mark.postgres
def test_postgres_server_lost_and_back(own_pg: ThrowawayPostgres, tmp_path: Path) -> None:
    with TrajectoryStore(own_pg.create_database("trajectories"), tmp_path / "a") as store:
        store.upgrade()
        run_id = store.start_run(RunConfig(env="e", agent="noop"))
        ep = store.start_episode(run_id, "e", "d", "t", "test", 0, 0)
        store.record_step(ep, StepRecord(index=0))

        # The server drops our connections (restart, idle timeout): the pool replaces them.
        with psycopg.connect(f"host=127.0.0.1 port={own_pg.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = 'trajectories' AND pid <> pg_backend_pid()")
        assert store.get_run(run_id).id == run_id

        own_pg.stop_server()  # the server is gone
        with pytest.raises(DatabaseUnavailableError, match=rf"cannot use the database at postgresql\+psycopg://postgres@127.0.0.1:{own_pg.port}/trajectories"):
            store.get_run(run_id)
        with pytest.raises(DatabaseUnavailableError):
            store.record_step(ep, StepRecord(index=1), {"screenshot": (b"shot", "image/png")})

        own_pg.start_server()  # back: the same store object works again, nothing half-written
        store.record_step(ep, StepRecord(index=1), {"screenshot": (b"shot", "image/png")})
        assert [s.index for s in store.get_steps(ep)] == [0, 1]


def test_refused_connection(tmp_path: Path) -> None:
    with TrajectoryStore("postgresql://agents:s3cret@127.0.0.1:9/agents", tmp_path) as store:
        with pytest.raises(DatabaseUnavailableError, match=r"postgresql\+psycopg://agents:\*\*\*@127.0.0.1:9/agents") as info:
            store.upgrade()
    assert "s3cret" not in str(info.value) and "Connection refused" in str(info.value)


def test_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "agents.db").mkdir()  # a directory where the database file should be
    with TrajectoryStore(f"sqlite:///{tmp_path / 'agents.db'}", tmp_path / "a") as store:
        with pytest.raises(DatabaseUnavailableError, match="unable to open database file"):
            store.upgrade()


@pytest.mark.parametrize("url, message", [
    ("mysql://x@localhost/db", "unsupported database 'mysql'"),
    ("sqlite://", "in-memory SQLite"),
    ("postgresql+asyncpg://x@h/db", "use postgresql\\+psycopg://"),
    ("not a url", "malformed database URL"),
])
def test_bad_urls(url: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(DatabaseUrlError, match=message):
        TrajectoryStore(url, tmp_path)
