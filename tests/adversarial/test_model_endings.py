"""Hostile or broken models, end to end through `python -m agents run` and the runner: each
case asserts how the episode ends and whose fault it is (envs/endings.py).

The model is the one stand-in: a scripted OpenAI-compatible server on loopback answering in
each model's real wire format (vLLM Chat Completions for Qwen3.5, the Responses API for GPT).
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.runner import ErrorBudgetExceeded, RunRequest, execute_run
from envs.registry import get_family
from tests.agents_models.scripted_server import Fault, ScriptedServer, context_overflow, serving_registry_models
from tests.agents_models.wire import gpt_tool_script, qwen_tool_script
from tests.support.paths import REPO_ROOT, shared_path
from trajectories.records import EpisodeStatus, TerminationReason
from trajectories.store import TrajectoryStore

FAST = {"retry_max_attempts": 2, "retry_initial_s": 0.01, "retry_max_s": 0.02, "retry_jitter_s": 0.01}
TASK = "create_task_1"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ScriptedServer]:
    with serving_registry_models(monkeypatch, tmp_path) as srv:
        yield srv


def _mock_options() -> dict:
    return {"user": "scripted", "domain": "mock", "data_dir": str(shared_path("tau2", "mock"))}


def _gold() -> list[dict]:
    env = get_family("tau2-lite").make(TASK, **_mock_options())
    try:
        return list(env.unwrapped.reference_solution())
    finally:
        env.close()


def _cli(tmp_path: Path, model: str, *extra: str, tasks: str = TASK) -> subprocess.CompletedProcess:
    options = _mock_options()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "AGENTS_DB": f"sqlite:///{tmp_path}/runs.db",
           "AGENTS_ARTIFACTS": str(tmp_path / "artifacts")}
    argv = [sys.executable, "-m", "agents", "run", "--env", "tau2-lite", "--domain", "mock",
            "--data-dir", options["data_dir"], "--user", "scripted", "--tasks", tasks, "--model", model,
            "--no-progress", "--json-summary", "--max-corrections", "2", *extra]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180, cwd=tmp_path)


def _summary(out: subprocess.CompletedProcess) -> dict:
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert lines, out.stdout + out.stderr
    return json.loads(lines[-1])


def _episodes(tmp_path: Path) -> list:
    store = TrajectoryStore(f"sqlite:///{tmp_path}/runs.db", tmp_path / "artifacts")
    return list(store.iter_episodes())


@pytest.mark.parametrize("model", ["qwen3.5-9b", "gpt-5.4-mini"])
def test_context_overflow_after_trimming_is_an_agent_failure(server: ScriptedServer, tmp_path: Path,
                                                              model: str) -> None:
    """τ²-bench scores context exhaustion as a failure: counted, reward 0, not an error."""
    gold = _gold()
    if model == "qwen3.5-9b":
        # One good tool call, then every request overflows: the agent trims what it can, then stops.
        server.script("chat", qwen_tool_script(gold)[0], *[context_overflow() for _ in range(6)])
    else:
        # The Responses API trims itself (truncation="auto"): an overflow past it is final.
        server.script("responses", gpt_tool_script(gold)[0], context_overflow())
    out = _cli(tmp_path, model)
    assert out.returncode == 0, out.stderr
    summary = _summary(out)
    assert (summary["failed"], summary["errors"], summary["harness_errors"]) == (1, 0, 0)
    assert summary["terminations"] == {"context_exhausted": 1} and summary["success_rate"] == 0.0
    (episode,) = _episodes(tmp_path)
    assert episode.status == EpisodeStatus.FAILED and episode.termination == TerminationReason.CONTEXT_EXHAUSTED
    assert episode.reward == 0.0 and episode.evaluation["details"]["blame"] == "agent"
    assert "context window is exhausted" in episode.error


def test_a_401_mid_run_stops_the_run_as_a_configuration_error(server: ScriptedServer, tmp_path: Path) -> None:
    """The key passes preflight (/v1/models) but the endpoint refuses the completions: nothing
    further is wasted, the episode is excluded (not the agent's fault), the exit status says so."""
    server.script("chat", Fault(401, "Incorrect API key provided", "invalid_api_key"))
    out = _cli(tmp_path, "qwen3.5-9b", "--concurrency", "1", tasks="create_task_1,update_task_1")
    assert out.returncode == 4, out.stdout + out.stderr
    assert "refused the request: HTTP 401" in out.stderr and "run stopped" in out.stderr
    assert len(server.requests["chat"]) == 1                      # not retried, no second episode
    episodes = _episodes(tmp_path)
    assert [e.status for e in episodes] == [EpisodeStatus.ERROR]
    assert episodes[0].termination == TerminationReason.INFRA_ERROR and "configuration error" in episodes[0].error


def test_a_401_at_preflight_runs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ScriptedServer(api_key="sk-right") as srv:
        monkeypatch.setenv("QWEN_BASE_URL", srv.base_url)
        monkeypatch.setenv("QWEN_API_KEY", "sk-wrong")
        monkeypatch.setenv("VLLM_API_KEY", "sk-wrong")
        out = _cli(tmp_path, "qwen3.5-9b")
    assert out.returncode == 4
    assert "refused the API key" in out.stderr or "401" in out.stderr
    assert not (tmp_path / "runs.db").exists() or _episodes(tmp_path) == []


def test_a_dead_endpoint_is_excluded_and_spends_the_error_budget(tmp_path: Path) -> None:
    """An endpoint that stops answering mid-run: the episode is an infrastructure error
    (excluded, re-run on resume), and a run made only of those fails its error budget."""
    store = TrajectoryStore(f"sqlite:///{tmp_path}/runs.db", tmp_path / "artifacts")
    store.upgrade()
    dead = "http://127.0.0.1:9/v1"                               # the discard port: nothing listens
    request = RunRequest(env="tau2-lite", agent="model", model="qwen3.5-9b", env_options=_mock_options(),
                         agent_options={"model": "qwen3.5-9b", "base_url": dead, **FAST}, task_ids=[TASK])
    with pytest.raises(ErrorBudgetExceeded, match="1 of 1 finished episodes were excluded") as info:
        asyncio.run(execute_run(request, store, show_progress=False))
    summary = info.value.summary
    assert (summary.failed, summary.errors) == (0, 1) and summary.success_rate is None
    (episode,) = store.iter_episodes()
    assert episode.status == EpisodeStatus.ERROR and episode.termination == TerminationReason.INFRA_ERROR
    assert "connection error" in episode.error
    # A looser budget records the same ending and lets the run finish.
    tolerant = asyncio.run(execute_run(request.model_copy(update={"max_error_rate": 1.0}), store,
                                       show_progress=False))
    assert (tolerant.failed, tolerant.errors) == (0, 1)


def test_a_401_from_the_user_simulator_stops_the_run_too(server: ScriptedServer, tmp_path: Path) -> None:
    """τ²'s LLM user runs on a model endpoint as well: its refused key is a configuration error."""
    from agents.episode import RunConfigurationError
    from agents.models import make_chat_model

    store = TrajectoryStore(f"sqlite:///{tmp_path}/runs.db", tmp_path / "artifacts")
    store.upgrade()
    server.script("chat", Fault(401, "Incorrect API key provided", "invalid_api_key"))
    request = RunRequest(env="tau2-lite", agent="oracle", env_options={**_mock_options(), "user": "llm"},
                         runtime_env_options={"user_model": make_chat_model("qwen3.5-9b")},
                         task_ids=[TASK, "update_task_1"])
    with pytest.raises(RunConfigurationError, match="401"):
        asyncio.run(execute_run(request, store, show_progress=False))
    (episode,) = store.iter_episodes()
    assert episode.status == EpisodeStatus.ERROR and "configuration error" in episode.error
