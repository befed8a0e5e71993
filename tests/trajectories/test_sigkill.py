"""A writer killed with SIGKILL mid-write leaves a consistent database and artifact store."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import text

from trajectories.records import RunConfig
from trajectories.store import TrajectoryStore

ROOT = Path(__file__).resolve().parents[2]

# Records steps as fast as it can (each with a fresh 50 KB screenshot and two model calls)
# until it is killed; prints each committed step index.
WRITER = textwrap.dedent("""
    import os, sys
    from trajectories.records import ModelCall, StepRecord
    from trajectories.store import TrajectoryStore
    store = TrajectoryStore(sys.argv[1], sys.argv[2])
    i = 0
    while True:
        calls = [ModelCall(model="m", tokens_in=i), ModelCall(model="m", tokens_in=i, attempt=2)]
        store.record_step(sys.argv[3], StepRecord(index=i, model_calls=calls),
                          {"screenshot": (os.urandom(50_000), "image/png"), "tree": (os.urandom(999), "text/plain")})
        print(i, flush=True)
        i += 1
""")


def test_sigkill_mid_write_leaves_consistent_store(db_url: str, tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    with TrajectoryStore(db_url, artifacts) as store:
        store.upgrade()
        run_id = store.start_run(RunConfig(env="osworld-lite", agent="random"))
        ep = store.start_episode(run_id, "osworld-lite", "calc", "t1", "test", 0, 0)

    proc = subprocess.Popen([sys.executable, "-c", WRITER, db_url, str(artifacts), ep], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        committed = -1
        while committed < 20:  # let it get going, then kill it at an arbitrary point of a write
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            committed = int(line)
        time.sleep(0.013)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()

    with TrajectoryStore(db_url, artifacts) as store:
        if db_url.startswith("sqlite"):
            with store.engines.read.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        steps = store.get_steps(ep)
        n = len(steps)
        assert n >= 21 and [s.index for s in steps] == list(range(n))  # whole steps only, no gaps
        for s in steps:  # each committed step has all of its rows and all of its blobs
            assert [c.attempt for c in s.model_calls] == [1, 2]
            assert set(s.observation_artifacts) == {"screenshot", "tree"}
            assert all(store.artifacts.verify(sha) for sha in s.observation_artifacts.values())
        # Blobs on disk are whole (any extra is an orphan written before its rows' commit).
        blobs = [p for p in artifacts.rglob("*") if p.is_file() and not p.name.endswith(".tmp")]
        assert all(store.artifacts.verify(p.name) for p in blobs)
        assert len(blobs) >= 2 * n

        # Resume: the dead writer's episode becomes a retriable error, then restarts clean.
        assert store.reset_unfinished_episodes(run_id) == 1
        assert store.start_episode(run_id, "osworld-lite", "calc", "t1", "test", 0, 0) == ep
        assert store.get_steps(ep) == []
