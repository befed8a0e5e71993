"""`run --env tau2-lite --domain all`: one run per domain folder, one group, resumed as a group."""
from __future__ import annotations

import asyncio
import json
import re
import sqlite3

import pytest

from agents.runner import PreflightError
from agents.tau2_suite import create_group_runs, discover_domains, run_group
from trajectories.records import RunConfig

pytestmark = pytest.mark.slow   # each test runs the CLI in subprocesses

BASE = ("run", "--env", "tau2-lite", "--domain", "all", "--agent", "oracle", "--user", "scripted",
        "--no-progress", "--json-summary")


def test_all_domains_with_trials(cli, domains_dir):
    out = cli(*BASE, "--data-dir", str(domains_dir), "--limit", "2", "--trials", "2")
    *runs, group = cli.json_lines(out)
    assert "skipped" in out.stderr and "not_a_domain" in out.stderr
    assert set(group["runs"]) == {"mock", "retail"}
    assert list(group["skipped_domains"]) == ["not_a_domain"]
    assert {r["run_id"] for r in runs} == set(group["runs"].values())
    for run in runs:   # 2 tasks × 2 trials per domain, all solved by the oracle
        assert (run["episodes"], run["succeeded"], run["errors"]) == (4, 4, 0), run
    assert group["pass_hat_k"] == {"mock": {"1": 1.0, "2": 1.0}, "retail": {"1": 1.0, "2": 1.0}}
    assert group["average_over_domains"] == {"1": 1.0, "2": 1.0}

    store = cli.store()
    try:
        stored = {r.id: r for r in store.list_runs()}
        for domain, run_id in group["runs"].items():
            config = stored[run_id].config
            assert config.group == group["group"] and config.trials == 2
            assert config.env_options["domain"] == domain
            assert config.env_options["data_dir"] == str(domains_dir / domain)
            episodes = list(store.iter_episodes(run_ids=[run_id]))
            assert {e.domain for e in episodes} == {domain}
            assert sorted((e.task_id, e.trial) for e in episodes) == sorted(
                (t, k) for t in config.task_ids for k in range(2))
    finally:
        store.close()

    listed = {r["id"]: r["group"] for r in json.loads(cli("list", "runs", "--json").stdout)}
    assert {listed[r] for r in group["runs"].values()} == {group["group"]}

    # The leaderboard takes the group id for its runs and shows the τ²-bench view.
    board = cli("leaderboard", "--run", group["group"])
    assert "τ²-bench view" in board.stdout and "Average over domains" in board.stdout
    assert "pass^2 100.0%" in board.stdout


def test_resume_group_runs_unreached_domains_and_unfinished_episodes(cli, domains_dir):
    # A command killed right after planning leaves the group's runs without episodes.
    store = cli.store()
    store.upgrade()
    request = RunConfig(env="tau2-lite", agent="oracle", env_options={
        "domain": "all", "data_dir": str(domains_dir), "user": "scripted"}, limit=2)
    try:
        group, runs = asyncio.run(create_group_runs(request, store, discover_domains(domains_dir)))
    finally:
        store.close()
    assert set(runs) == {"mock", "retail"}

    first = cli.json_lines(cli("run", "--env", "tau2-lite", "--resume", group, "--no-progress", "--json-summary"))
    assert [r["run_id"] for r in first[:-1]] == list(runs.values())
    assert all(r["episodes"] == 2 and r["succeeded"] == 2 for r in first[:-1])

    # A process killed mid-episode leaves it "running": resuming the group re-runs only it.
    db_path = cli.db.removeprefix("sqlite:///")
    with sqlite3.connect(db_path) as conn:
        victim = conn.execute("SELECT id FROM episodes WHERE run_id = ? ORDER BY id LIMIT 1",
                              (runs["retail"],)).fetchone()[0]
        conn.execute("UPDATE episodes SET status = 'running', termination = NULL WHERE id = ?", (victim,))
    again = cli.json_lines(cli("run", "--env", "tau2-lite", "--resume", group, "--no-progress", "--json-summary"))
    retail = next(r for r in again[:-1] if r["run_id"] == runs["retail"])
    assert retail["episodes"] == 2 and retail["succeeded"] == 2
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT id, status, attempts FROM episodes").fetchall()
    assert len(rows) == 4 and all(status == "succeeded" for _, status, _ in rows)
    assert {eid: attempts for eid, _, attempts in rows}[victim] == 2


def test_a_stopped_domain_names_the_group_to_resume(cli, domains_dir):
    # retail's third task is graded by an LLM judge; without one it cannot be graded (an
    # infrastructure error), which spends the error budget of that domain's run.
    out = cli(*BASE, "--data-dir", str(domains_dir), "--limit", "3", ok=False)
    assert out.returncode == 3, out.stderr
    assert "stopped in retail" in out.stderr and "--resume group-" in out.stderr


def test_refusals(cli, domains_dir, tmp_path):
    # Through the CLI once: a preflight refusal is exit 4, an unknown group names what exists.
    out = cli(*BASE, "--data-dir", str(tmp_path / "nowhere"), ok=False)
    assert out.returncode == 4 and "data/tau2/domains" in out.stderr
    out = cli("run", "--env", "tau2-lite", "--resume", "group-20990101-000000000000", "--no-progress", ok=False)
    assert out.returncode != 0 and "run group" in out.stderr

    # The other refusals, in process: each stops before any run is created.
    empty = tmp_path / "empty"
    (empty / "airline_v0").mkdir(parents=True)
    only_mock = tmp_path / "only_mock"
    only_mock.mkdir()
    (only_mock / "mock").symlink_to(domains_dir / "mock")
    store = cli.store()
    store.upgrade()
    options = {"domain": "all", "user": "scripted"}
    try:
        for request, message in [
            (RunConfig(env="tau2-lite", env_options={**options, "data_dir": str(empty)}),
             "holds no folder of a tau2-lite domain"),
            (RunConfig(env="tau2-lite", split="train", env_options={**options, "data_dir": str(only_mock)}),
             "has a task to run: mock: no 'train'-split task"),     # mock has no train split
            (RunConfig(env="tau2-lite", task_ids=["0"], env_options={**options, "data_dir": str(domains_dir)}),
             "--domain NAME"),
            (RunConfig(env="tau2-lite", env_options=options), "--domain all needs --data-dir"),
        ]:
            with pytest.raises(PreflightError, match=re.escape(message)):
                asyncio.run(run_group(request, store, show_progress=False))
        assert store.list_runs() == []
    finally:
        store.close()
