"""Baselines through the real runner, as a user runs them: the oracle with the scripted user
scores 1.0 on every banking_knowledge task that needs no LLM judge; noop scores 0 on all."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

JUDGED = {"task_102"}   # graded on NL_ASSERTION too: needs an LLM judge


def _run(agent: str, banking_dir: Path, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "agents", "run", "--env", "tau2-lite", "--domain", "banking_knowledge",
         "--data-dir", str(banking_dir), "--agent", agent, "--user", "scripted", "--db", f"sqlite:///{db}",
         "--json-summary", "--no-progress"],
        capture_output=True, text=True, timeout=600, cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
             "AGENTS_ARTIFACTS": str(db.parent / "artifacts")})
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_oracle_scores_one_and_noop_zero_through_the_runner(banking_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    oracle = _run("oracle", banking_dir, db)
    noop = _run("noop", banking_dir, db)
    rows = sqlite3.connect(db).execute(
        "select e.run_id, e.task_id, e.split, e.status, e.reward, e.error from episodes e").fetchall()
    by_run = {run: {r[1]: r for r in rows if r[0] == run} for run in (oracle["run_id"], noop["run_id"])}
    assert oracle["episodes"] == noop["episodes"] == 97
    for tid, (_, _, split, status, reward, error) in by_run[oracle["run_id"]].items():
        if tid in JUDGED:
            assert status == "error" and "needs an LLM judge" in error
        else:
            assert (status, reward) == ("succeeded", 1.0), (tid, error)
    assert {r[2] for r in by_run[oracle["run_id"]].values()} == {"train", "test"}
    graded_noop = [r for tid, r in by_run[noop["run_id"]].items() if tid not in JUDGED]
    assert len(graded_noop) == 96 and all(r[4] == 0.0 for r in graded_noop)
