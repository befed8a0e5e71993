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
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def agents(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python -m agents …` as a user runs it (a real process)."""
    return subprocess.run([sys.executable, "-m", "agents", *args], env=env, capture_output=True,
                          text=True, timeout=120, cwd=env["CWD"])


def invoke(*args: str, env: dict[str, str]):
    """The same CLI in this process (no interpreter start-up; errors come back as exceptions)."""
    from typer.testing import CliRunner

    from agents.cli import app

    return CliRunner().invoke(app, list(args), env={k: env[k] for k in ("AGENTS_DB", "AGENTS_ARTIFACTS")})


@pytest.fixture(scope="module")
def cli(tmp_path_factory) -> dict[str, str]:
    """Two runs (oracle with 2 trials, noop) recorded by the real runner."""
    import tests.support.counter_env  # noqa: F401  (registers "test-counter")

    tmp = tmp_path_factory.mktemp("cli")
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
               AGENTS_PLUGINS="tests.support.counter_env", AGENTS_DB=f"sqlite:///{tmp}/runs.db",
               AGENTS_ARTIFACTS=str(tmp / "artifacts"), CWD=str(tmp))
    for agent, trials in (("oracle", "2"), ("noop", "1")):
        out = invoke("run", "--env", "test-counter", "--agent", agent, "--tasks", TASKS, "--trials", trials,
                     "--no-progress", env=env)
        assert out.exit_code == 0, out.output
    return env


def test_json_after_an_oracle_run_reports_success_with_a_wilson_interval(cli) -> None:
    out = agents("leaderboard", "--json", env=cli)
    assert out.returncode == 0, out.stderr
    rows = {row["model"]: row for row in json.loads(out.stdout)}
    assert set(rows) == {"oracle", "noop"}
    oracle = rows["oracle"]
    assert (oracle["env"], oracle["domain"], oracle["split"], oracle["agent"]) == ("test-counter", "counting", "test", "oracle")
    assert (oracle["episodes"], oracle["successes"], oracle["success_rate"]) == (6, 6, 1.0)
    low, _ = wilson_interval(6, 6)
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
    from envs.errors import UnknownIdError

    out = invoke("leaderboard", "--json", "--compare", "oracle", "noop", "--html", str(tmp_path / "site"), env=cli)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    cmp = data["comparison"]
    assert (cmp["tasks"], cmp["gap_points"], cmp["a_only"], cmp["b_only"]) == (3, 100.0, 3, 0)
    assert cmp["summary"].startswith("oracle leads noop by 100.0 points")
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "site" / "tasks.html").is_file()
    assert len(list((tmp_path / "site" / "episodes").glob("*.html"))) == 9

    table = invoke("leaderboard", "--models", "noop", env=cli)
    assert table.exit_code == 0 and "noop" in table.stdout and "oracle" not in table.stdout
    assert "0/3" in table.stdout and "0.0% [0.0, 56.1]" in table.stdout

    bad = invoke("leaderboard", "--models", "oracel", env=cli)
    assert isinstance(bad.exception, UnknownIdError) and bad.exception.close_matches == ["oracle"]
    bad = invoke("leaderboard", "--run", "run-nope", env=cli)
    assert isinstance(bad.exception, UnknownIdError) and "unknown run" in str(bad.exception)
    bad = invoke("leaderboard", "--compare", "oracle", "qwen", env=cli)
    assert isinstance(bad.exception, UnknownIdError)
    empty = invoke("leaderboard", "--json", "--split", "train", env=cli)
    assert empty.exit_code == 0 and json.loads(empty.stdout) == []


def test_view_serves_the_site_on_loopback(cli) -> None:
    import signal
    import socket
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "agents", "view", "--port", str(port)], env=cli,
                            cwd=cli["CWD"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                resp = httpx.get(f"http://127.0.0.1:{port}/index.html", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the viewer did not answer"
                time.sleep(0.2)
        assert resp.status_code == 200
        assert 'data-model="oracle"' in resp.text and 'data-model="noop"' in resp.text
        tasks = httpx.get(f"http://127.0.0.1:{port}/tasks.html", timeout=5)
        assert tasks.status_code == 200 and "count-to-4" in tasks.text
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
