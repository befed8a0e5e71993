"""miniwob through the real runner and CLI: the oracle and noop baselines, both model agents
through the scripted endpoint, and the export of a model's episode in Qwen's format."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.runner import RunRequest, episode_seed, execute_run
from envs.registry import get_family
from tests.agents_models.scripted_server import ScriptedServer, serving_registry_models
from tests.agents_models.wire import gpt_computer_script, qwen_computer_script
from tests.support.paths import REPO_ROOT
from trajectories.records import EpisodeStatus
from trajectories.store import TrajectoryStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# A sample of the oracle's tasks: clicks, typing, keyboard shortcuts, dialogs, SVG, a spinner.
ORACLE_SAMPLE = ["click-dialog-2", "enter-text-2", "copy-paste", "grid-coordinate", "use-spinner",
                 "multi-layouts", "choose-list", "read-table-2"]
FAST = {"retry_max_attempts": 3, "retry_initial_s": 0.01, "retry_max_s": 0.05, "retry_jitter_s": 0.01}


def _agents(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "AGENTS_DB": f"sqlite:///{tmp}/runs.db",
           "AGENTS_ARTIFACTS": str(tmp / "artifacts")}
    return subprocess.run([sys.executable, "-m", "agents", *args], capture_output=True, text=True, env=env,
                          cwd=tmp, timeout=600)


def _summary(done: subprocess.CompletedProcess[str]) -> dict:
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_oracle_meets_the_bar_and_noop_scores_nothing_through_the_cli(miniwob_ready, tmp_path: Path) -> None:
    oracle = _summary(_agents(tmp_path, "run", "--env", "miniwob", "--agent", "oracle", "--split", "test",
                              "--tasks", ",".join(ORACLE_SAMPLE), "--json-summary",
                              "--no-progress"))
    assert oracle["episodes"] == len(ORACLE_SAMPLE) and oracle["excluded_share"] == 0
    assert oracle["success_rate"] >= 0.95, oracle
    noop = _summary(_agents(tmp_path, "run", "--env", "miniwob", "--agent", "noop", "--split", "train",
                            "--tasks", "click-test,enter-text,click-checkboxes", "--episode-max-time", "600",
                            "--json-summary", "--no-progress"))
    assert noop["episodes"] == 3 and noop["success_rate"] == 0.0
    store = TrajectoryStore(f"sqlite:///{tmp_path}/runs.db", tmp_path / "artifacts")
    limits = {e.evaluation["details"]["time_limit_ms"] for e in store.iter_episodes(run_ids=[noop["run_id"]])}
    assert limits == {600_000}
    listed = _agents(tmp_path, "list", "tasks", "--env", "miniwob", "--split", "train", "--json")
    rows = json.loads(listed.stdout)
    assert len(rows) >= 100 and {r["split"] for r in rows} == {"train"}
    assert sum(r["has_solution"] for r in rows) >= 40


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ScriptedServer]:
    with serving_registry_models(monkeypatch, tmp_path) as srv:
        yield srv


def _solution(task_id: str, seed: int, split: str) -> tuple[list[dict], int, int]:
    env = get_family("miniwob").make(task_id, split=split)
    try:
        env.reset(seed=seed)
        return env.reference_solution(), env.width, env.height
    finally:
        env.close()


@pytest.mark.parametrize("model", ["qwen3.5-9b", "gpt-5.4-mini"])
async def test_both_models_solve_a_task_and_the_episode_exports(
        miniwob_ready, server: ScriptedServer, tmp_path: Path, model: str) -> None:
    task_id, split = "login-user", "train"
    # The instance the runner will hand out: the scripted model answers with its solution.
    gold, width, height = _solution(task_id, episode_seed(0, task_id, 0), split)
    if model == "qwen3.5-9b":
        server.script("chat", *qwen_computer_script(gold, width, height))
    else:
        server.script("responses", *gpt_computer_script(gold))
    store = TrajectoryStore(f"sqlite:///{tmp_path}/runs.db", tmp_path / "artifacts")
    store.upgrade()
    request = RunRequest(env="miniwob", agent="model", model=model, env_options={"split": split},
                         agent_options={"model": model, **FAST}, task_ids=[task_id], max_steps=20,
                         episode_timeout_s=120, max_error_rate=1.0)
    summary = await execute_run(request, store, show_progress=False)
    [episode] = list(store.iter_episodes(run_ids=[summary.run_id]))
    assert episode.status == EpisodeStatus.SUCCEEDED, (episode.error, episode.evaluation)
    steps = store.get_steps(episode.id)
    assert steps[0].observation["screenshot"]["shape"] == [height, width, 3]
    assert any(s.action and s.action.get("action_type") == "TYPING" for s in steps)
    calls = [c for c in store.get_model_calls(episode.id) if c.role == "agent"]
    assert calls and all(c.model == model for c in calls)
    first = json.dumps(calls[0].request)
    assert "login" in first.lower() or "username" in first   # the instance's utterance reached the model

    from tests.export.qwen_template import IMAGE_PAD, load_template, read_trl, render

    done = _agents(tmp_path, "export", "--format", "trl", "--out", str(tmp_path / "out"), "--env", "miniwob",
                   "--no-progress")
    assert done.returncode == 0, done.stderr[-3000:]
    [record] = [json.loads(line) for line in (tmp_path / "out" / "data.jsonl").read_text().splitlines()]
    messages, tools, n_images = read_trl(record)
    text = render(load_template(), messages, tools)
    assert n_images >= 2 and text.count(IMAGE_PAD) == n_images
    assert "<function=computer_use>" in text and "<parameter=action>\ntype\n</parameter>" in text
    # the viewer shows the page's screenshots with the model's clicks drawn on them
    site = tmp_path / "site"
    assert _agents(tmp_path, "leaderboard", "--html", str(site)).returncode == 0
    [page] = list((site / "episodes").glob("*.html"))
    html = page.read_text()
    assert f'<svg class="overlay" viewBox="0 0 {width} {height}"' in html and ".png" in html
