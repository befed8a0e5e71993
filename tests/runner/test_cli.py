"""The CLI as a user runs it: real subprocesses, real SQLite, SIGKILL and resume."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

PY = sys.executable
SUBCOMMANDS = ("run", "list", "leaderboard", "export", "view", "serve", "db")


def agents(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "agents", *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_help_lists_every_subcommand(cli_env):
    out = agents("--help", env=cli_env)
    assert out.returncode == 0
    for name in SUBCOMMANDS:
        assert name in out.stdout
    for name in SUBCOMMANDS:
        assert agents(name, "--help", env=cli_env).returncode == 0, name


def test_unknown_ids_answer_with_close_matches(cli_env):
    out = agents("run", "--env", "osworld-lit", "--agent", "oracle", env=cli_env)
    assert out.returncode == 2 and "osworld-lite" in out.stderr
    out = agents("run", "--env", "test-counter", "--agent", "orcale", env=cli_env)
    assert out.returncode == 2 and "oracle" in out.stderr
    out = agents("run", "--env", "test-counter", "--agent", "oracle", "--tasks", "count-to-99", env=cli_env)
    assert out.returncode == 2 and "count-to-" in out.stderr
    out = agents("list", "modles", env=cli_env)
    assert out.returncode == 2 and "models" in out.stderr


def test_run_json_summary_and_listing(cli_env):
    out = agents("run", "--env", "test-counter", "--agent", "oracle", "--tasks", "count-to-1,count-to-2",
                 "--json-summary", "--no-progress", env=cli_env)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(summary) == {"run_id", "env", "agent", "model", "episodes", "succeeded", "failed", "errors",
                            "harness_errors", "excluded_share", "success_rate", "cost_usd", "terminations",
                            "harness_error_episodes", "stopped"}
    assert summary["success_rate"] == 1.0 and summary["episodes"] == 2
    runs = json.loads(agents("list", "runs", "--json", env=cli_env).stdout)
    assert summary["run_id"] in {r["id"] for r in runs}
    tasks = json.loads(agents("list", "tasks", "--env", "test-counter", "--split", "train", "--json", env=cli_env).stdout)
    assert tasks and {t["split"] for t in tasks} == {"train"}


def _episode_rows(db_path: str) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT task_id, trial, status FROM episodes").fetchall()


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_leaves_a_consistent_database(cli_env, tmp_path):
    env = dict(cli_env, COUNTER_STEP_DELAY="0.15")
    tasks = ",".join(f"count-to-{n}" for n in range(1, 7))
    proc = subprocess.Popen([PY, "-m", "agents", "run", "--env", "test-counter", "--agent", "oracle",
                             "--tasks", tasks, "--trials", "2", "--concurrency", "2", "--json-summary",
                             "--no-progress"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    db_path = env["AGENTS_DB"].removeprefix("sqlite:///")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill once some episodes finished and others are running
        time.sleep(0.2)
        try:
            rows = _episode_rows(db_path)
        except sqlite3.Error:
            continue
        if sum(r[2] == "succeeded" for r in rows) >= 3 and any(r[2] == "running" for r in rows):
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _episode_rows(db_path)
    assert any(r[2] == "running" for r in before)
    finished_before = {(r[0], r[1]) for r in before if r[2] == "succeeded"}
    with sqlite3.connect(db_path) as conn:
        (run_id,) = conn.execute("SELECT id FROM runs").fetchone()

    out = agents("run", "--env", "test-counter", "--resume", run_id, "--json-summary", "--no-progress", env=env)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["episodes"] == 12 and summary["succeeded"] == 12 and summary["errors"] == 0
    after = _episode_rows(db_path)
    keys = [(r[0], r[1]) for r in after]
    assert len(keys) == len(set(keys)) == 12
    assert finished_before <= {(r[0], r[1]) for r in after if r[2] == "succeeded"}
    with sqlite3.connect(db_path) as conn:
        # every step belongs to an episode, and each episode's steps are numbered without gaps
        orphans = conn.execute("SELECT COUNT(*) FROM steps WHERE episode_id NOT IN (SELECT id FROM episodes)").fetchone()[0]
        assert orphans == 0
        for (ep_id, n_steps) in conn.execute("SELECT id, steps FROM episodes"):
            indexes = [i for (i,) in conn.execute('SELECT step_index FROM steps WHERE episode_id=? ORDER BY step_index', (ep_id,))]
            assert indexes == list(range(len(indexes))) and len(indexes) == n_steps + 1


def test_run_exit_status_tells_an_error_budget_spent_from_a_finished_run(cli_env):
    base = ["run", "--env", "test-counter", "--agent", "oracle", "--json-summary", "--no-progress"]
    spent = agents(*base, "--tasks", "crash-1,count-to-1,count-to-2", env=cli_env)
    assert spent.returncode == 3, spent.stderr
    assert "run stopped" in spent.stderr and "--max-error-rate" in spent.stderr
    summary = json.loads(spent.stdout.strip().splitlines()[-1])
    assert summary["errors"] == 1 and summary["stopped"]
    tolerated = agents(*base, "--tasks", "crash-1,count-to-1,count-to-2", "--max-error-rate", "0.5", env=cli_env)
    assert tolerated.returncode == 0, tolerated.stderr
    endings = agents("list", "endings", "--json", env=cli_env)
    rules = {r["termination"]: r for r in json.loads(endings.stdout)}
    assert rules["context_exhausted"]["counts"] == "yes" and rules["infra_error"]["counts"] == "no"
