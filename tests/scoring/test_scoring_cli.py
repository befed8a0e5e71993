"""`python -m agents leaderboard` after real runs (subprocesses, real SQLite, the test-counter env)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.metrics import wilson_interval

ROOT = Path(__file__).resolve().parents[2]
TASKS = "count-to-2,count-to-4,count-to-6"     # the test split of the counter family


def agents(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agents", *args], env=env, capture_output=True,
                          text=True, timeout=120, cwd=env["CWD"])


@pytest.fixture(scope="module")
def cli(tmp_path_factory) -> dict[str, str]:
    """Two runs (oracle with 2 trials, noop) recorded by the real runner."""
    tmp = tmp_path_factory.mktemp("cli")
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
               AGENTS_PLUGINS="tests.support.counter_env", AGENTS_DB=f"sqlite:///{tmp}/runs.db",
               AGENTS_ARTIFACTS=str(tmp / "artifacts"), CWD=str(tmp))
    for agent, trials in (("oracle", "2"), ("noop", "1")):
        out = agents("run", "--env", "test-counter", "--agent", agent, "--tasks", TASKS, "--trials", trials,
                     "--no-progress", env=env)
        assert out.returncode == 0, out.stderr
    return env


def test_json_after_an_oracle_run_reports_success_with_a_wilson_interval(cli) -> None:
    out = agents("leaderboard", "--json", env=cli)
    assert out.returncode == 0, out.stderr
    rows = {row["model"]: row for row in json.loads(out.stdout)}
    assert set(rows) == {"oracle", "noop"}
    oracle = rows["oracle"]
    assert (oracle["env"], oracle["domain"], oracle["split"], oracle["agent"]) == ("test-counter", "counting", "test", "oracle")
    assert (oracle["episodes"], oracle["successes"], oracle["success_rate"]) == (6, 6, 1.0)
    low, high = wilson_interval(6, 6)
    assert oracle["ci_low"] == pytest.approx(low) and oracle["ci_high"] == 1.0
    assert oracle["ci_low"] == pytest.approx(0.6097, abs=1e-4)       # Wilson 6/6, by hand
    assert oracle["pass_hat_k"] == {"1": 1.0, "2": 1.0} and oracle["trials_per_task"] == 2
    assert oracle["infra_errors"] == 0 and oracle["cost_per_success"] == 0.0
    noop = rows["noop"]
    assert (noop["episodes"], noop["successes"], noop["success_rate"]) == (3, 0, 0.0)
    assert noop["cost_per_success"] is None
    for field in ("pass_at_k", "mean_steps", "tokens_in", "tokens_out", "cost_per_episode",
                  "wall_time_s", "mean_wall_time_s", "runs", "tasks"):
        assert field in oracle


def test_compare_html_filters_and_errors(cli, tmp_path) -> None:
    out = agents("leaderboard", "--json", "--compare", "oracle", "noop", "--html", str(tmp_path / "site"), env=cli)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    cmp = data["comparison"]
    assert (cmp["tasks"], cmp["gap_points"], cmp["a_only"], cmp["b_only"]) == (3, 100.0, 3, 0)
    assert cmp["summary"].startswith("oracle leads noop by 100.0 points")
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "site" / "tasks.html").is_file()
    assert len(list((tmp_path / "site" / "episodes").glob("*.html"))) == 9

    table = agents("leaderboard", "--models", "noop", env=cli)
    assert table.returncode == 0 and "noop" in table.stdout and "oracle" not in table.stdout
    assert "0/3" in table.stdout and "0.0% [0.0, 56.1]" in table.stdout

    bad = agents("leaderboard", "--models", "oracel", env=cli)
    assert bad.returncode == 2 and "oracle" in bad.stderr
    bad = agents("leaderboard", "--run", "run-nope", env=cli)
    assert bad.returncode == 2 and "unknown run" in bad.stderr
    empty = agents("leaderboard", "--json", "--split", "train", env=cli)
    assert empty.returncode == 0 and json.loads(empty.stdout) == []
