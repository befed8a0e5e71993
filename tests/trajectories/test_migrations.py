"""Alembic migrations: up, down, up again on SQLite and PostgreSQL; the ORM matches them."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from datetime import datetime, timezone

from sqlalchemy import inspect, text
from typer.testing import CliRunner

from agents.cli import app
from trajectories.models import Base
from trajectories.records import RunConfig
from trajectories.store import TrajectoryStore

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"runs", "tasks", "episodes", "steps", "model_calls", "artifacts", "artifact_blobs"}
HEAD = "0003"


def _tables(store: TrajectoryStore) -> set[str]:
    with store.engines.read.connect() as conn:
        return set(inspect(conn).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(db_url: str, tmp_path: Path) -> None:
    with TrajectoryStore(db_url, tmp_path / "a") as store:
        assert store.current_revision() is None
        store.upgrade()
        assert store.current_revision() == store.head_revision() == HEAD
        assert _tables(store) == TABLES
        store.start_run(RunConfig(env="e", agent="noop"))

        store.downgrade("base")
        assert store.current_revision() is None
        assert _tables(store) == set()

        store.upgrade()
        assert _tables(store) == TABLES
        assert store.list_runs() == []  # the downgrade dropped the data with the tables
        store.upgrade()  # idempotent
        assert store.current_revision() == HEAD


def test_orm_matches_migration(db_url: str, tmp_path: Path) -> None:
    with TrajectoryStore(db_url, tmp_path / "a") as store:
        store.upgrade()
        with store.engines.read.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_alembic_command_line(db_url: str, tmp_path: Path) -> None:
    """`alembic -c trajectories/alembic.ini -x url=URL upgrade head / downgrade base` works,
    and AGENTS_DB stands in for -x url=."""
    alembic = [sys.executable, "-m", "alembic", "-c", str(ROOT / "trajectories" / "alembic.ini")]
    env = {k: v for k, v in os.environ.items() if k != "AGENTS_DB"}

    def run(*args: str, **extra_env: str) -> None:
        proc = subprocess.run([*alembic, *args], capture_output=True, text=True, cwd=tmp_path,
                              env={**env, **extra_env}, timeout=120)
        assert proc.returncode == 0, proc.stderr

    with TrajectoryStore(db_url, tmp_path / "a") as store:
        run("upgrade", "head", AGENTS_DB=db_url)
        assert store.current_revision() == HEAD and _tables(store) == TABLES
        run("-x", f"url={db_url}", "downgrade", "base", AGENTS_DB="sqlite:////nonexistent/ignored.db")
        assert store.current_revision() is None and _tables(store) == set()


def test_alembic_without_url_explains(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AGENTS_DB"}
    proc = subprocess.run([sys.executable, "-m", "alembic", "-c", str(ROOT / "trajectories" / "alembic.ini"),
                           "upgrade", "head"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert proc.returncode != 0
    assert "-x url=" in proc.stderr and "AGENTS_DB" in proc.stderr


def test_cli_db_commands(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["db", "current", "--db", db_url])
    assert res.exit_code == 0 and "none (empty database)" in res.output
    res = runner.invoke(app, ["db", "upgrade", "--db", db_url])
    assert res.exit_code == 0 and f"upgraded from empty to revision {HEAD}" in res.output, res.output
    res = runner.invoke(app, ["db", "upgrade", "--db", db_url])
    assert f"already at revision {HEAD}" in res.output
    res = runner.invoke(app, ["db", "downgrade", "base", "--db", db_url], input="n\n")
    assert res.exit_code != 0  # declined: nothing dropped
    res = runner.invoke(app, ["db", "current", "--db", db_url])
    assert f"revision {HEAD}" in res.output and "up to date" in res.output
    res = runner.invoke(app, ["db", "downgrade", "base", "--yes", "--db", db_url])
    assert res.exit_code == 0 and "base (empty)" in res.output


def test_cli_db_upgrade_honours_agents_db(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env' / 'x.db'}"
    res = CliRunner().invoke(app, ["db", "upgrade"], env={"AGENTS_DB": url})
    assert res.exit_code == 0, res.output
    assert (tmp_path / "env" / "x.db").exists()


def test_cli_db_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["db", "upgrade", "--db", "postgresql+psycopg://u:hunter2@127.0.0.1:9/x"])
    assert res.exit_code == 1
    assert "cannot use the database at postgresql+psycopg://u:***@127.0.0.1:9/x" in res.output
    assert "hunter2" not in res.output


UPGRADER = """
import os, sys, time
from trajectories.store import TrajectoryStore
store = TrajectoryStore(sys.argv[1], sys.argv[2])
print("ready", flush=True)
while not os.path.exists(sys.argv[3]):
    time.sleep(0.005)
store.upgrade()
print(store.current_revision(), flush=True)
"""


def test_concurrent_upgrades_of_a_fresh_database(db_url: str, tmp_path: Path) -> None:
    """Several processes upgrading the same new database at once: one creates it, none fails."""
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", UPGRADER, db_url, str(tmp_path / "a"), str(go)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        go.touch()
        results = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            p.kill() if p.poll() is None else None
    assert [out.strip() for out, _ in results] == [HEAD] * 3, [err for _, err in results]
    assert all(p.returncode == 0 for p in procs)


def test_upgrade_from_0001_keeps_episodes(db_url: str, tmp_path: Path) -> None:
    """A store made before `episodes.worker` and `artifact_blobs` upgrades with its data."""
    with TrajectoryStore(db_url, tmp_path / "a") as store:
        store.upgrade("0001")
        run_id = store.start_run(RunConfig(env="e", agent="noop"))
        episode_id = "ep-old-1"
        with store.engines.write.begin() as conn:  # the columns of revision 0001, no `worker`
            conn.execute(text(
                "INSERT INTO episodes (id, schema_version, run_id, env, domain, task_id, split, trial, "
                "status, steps, tokens_in, tokens_out, cost_usd, evaluation, attempts, created_at) VALUES "
                "(:id, 1, :run, 'e', 'd', 't1', 'test', 0, 'succeeded', 3, 0, 0, 0.0, '{}', 1, :now)"),
                {"id": episode_id, "run": run_id, "now": datetime.now(timezone.utc)})
        store.upgrade()
        assert store.current_revision() == HEAD and _tables(store) == TABLES
        [row] = store.iter_episodes(run_ids=[run_id])
        assert row.id == episode_id and row.worker is None and row.steps == 3
