"""Both models, end to end: runner, real environments, store, and the scripted endpoint.

The scripted "model" answers with each task's reference solution in that model's wire format,
so a correct agent must reach the oracle's success; injected faults must end in retries or
infrastructure errors, with every model call (failed attempts too) in the store.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agents.runner import RunRequest, execute_run
from envs.registry import get_family
from tests.agents_models.scripted_server import (
    ScriptedServer, chat_reply, rate_limited, server_error,
)
from tests.agents_models.wire import gpt_computer_script, gpt_tool_script, qwen_computer_script, qwen_tool_script
from tests.support.paths import REPO_ROOT as ROOT, shared_path
from tests.support.prereqs import require_desktop
from trajectories.records import EpisodeStatus, TerminationReason
from trajectories.store import TrajectoryStore

FAST = {"retry_max_attempts": 3, "retry_initial_s": 0.01, "retry_max_s": 0.05, "retry_jitter_s": 0.01}
TAU2 = {"user": "scripted"}


@pytest.fixture
def store(tmp_path: Path) -> TrajectoryStore:
    s = TrajectoryStore(f"sqlite:///{tmp_path}/runs.db", tmp_path / "artifacts")
    s.upgrade()
    return s


def solution(env: str, task_id: str, **options) -> list[dict]:
    e = get_family(env).make(task_id, **options)
    try:
        return list(e.unwrapped.reference_solution())
    finally:
        e.close()


def tau2_options(domain: str) -> dict:
    data = shared_path("tau2", domain)
    return {**TAU2, "domain": domain, "data_dir": str(data)}


async def run(store, env: str, model: str, task_ids: list[str], env_options: dict, **agent_options):
    request = RunRequest(env=env, agent="model", model=model, env_options=env_options,
                         agent_options={"model": model, **FAST, **agent_options}, task_ids=task_ids,
                         max_steps=30, episode_timeout_s=120, max_error_rate=1.0)
    summary = await execute_run(request, store, show_progress=False)
    return summary, list(store.iter_episodes(run_ids=[summary.run_id]))


def check_calls_stored(store: TrajectoryStore, episode_id: str, model: str) -> list:
    calls = store.get_model_calls(episode_id)
    agent_calls = [c for c in calls if c.role == "agent"]
    assert agent_calls and all(c.model == model for c in agent_calls)
    ok = [c for c in agent_calls if c.error is None]
    assert all(c.tokens_in > 0 and c.tokens_out > 0 and c.latency_s > 0 and c.cost_usd > 0 for c in ok)
    return agent_calls


TAU2_TASKS = [("mock", "create_task_1"), ("mock", "update_task_with_initialization_data"), ("retail", "0")]


@pytest.mark.parametrize("model", ["qwen3.5-9b", "gpt-5.4-mini"])
async def test_tau2_both_models_reach_oracle_success(server: ScriptedServer, store, model: str) -> None:
    for domain, task_id in TAU2_TASKS:
        options = tau2_options(domain)
        gold = solution("tau2-lite", task_id, **options)
        if model == "qwen3.5-9b":
            server.script("chat", *qwen_tool_script(gold))
        else:
            server.script("responses", *gpt_tool_script(gold))
        summary, [episode] = await run(store, "tau2-lite", model, [task_id], options)
        assert episode.status == EpisodeStatus.SUCCEEDED, (task_id, episode.error, episode.evaluation)
        calls = check_calls_stored(store, episode.id, model)
        assert len(calls) == len(gold)
        assert episode.tokens_in > 0 and episode.cost_usd > 0
    assert server.remaining("chat") == server.remaining("responses") == 0


def desktop_ready() -> None:
    require_desktop()


OS_TASKS = ["os-make-script-executable", "editor-change-port"]


@pytest.mark.desktop
@pytest.mark.slow
@pytest.mark.parametrize("model", ["qwen3.5-9b", "gpt-5.4-mini"])
async def test_osworld_both_models_reach_oracle_success(server: ScriptedServer, store, model: str) -> None:
    desktop_ready()
    for task_id in OS_TASKS:
        gold = solution("osworld-lite", task_id)
        # a pointer move to the middle of the screen first: coordinates go through the real env
        if model == "qwen3.5-9b":
            server.script("chat", *qwen_computer_script(
                gold, 1280, 720, prelude=[{"action": "mouse_move", "coordinate": [500, 500]}]))
        else:
            server.script("responses", *gpt_computer_script(gold, prelude=[{"type": "move", "x": 640, "y": 360}]))
        summary, [episode] = await run(store, "osworld-lite", model, [task_id], {}, max_images=2)
        assert episode.status == EpisodeStatus.SUCCEEDED, (task_id, episode.error, episode.evaluation)
        steps = store.get_steps(episode.id)
        moves = [s.action for s in steps if s.action and s.action.get("action_type") == "MOVE_TO"]
        assert moves[0]["x"] == 640 and moves[0]["y"] == 360
        calls = check_calls_stored(store, episode.id, model)
        # every image a model saw is a stored screenshot artifact
        for call in calls:
            for msg in call.request["messages"]:
                for part in msg.get("content") or [] if isinstance(msg.get("content"), list) else []:
                    if part.get("type") == "image_ref":
                        data = store.get_artifact(part["sha256"])
                        assert hashlib.sha256(data).hexdigest() == part["sha256"]
    assert server.remaining("chat") == server.remaining("responses") == 0


async def test_transient_faults_and_bad_calls_still_succeed_and_are_stored(server: ScriptedServer, store) -> None:
    options = tau2_options("mock")
    gold = solution("tau2-lite", "create_task_1", **options)
    replies = qwen_tool_script(gold)
    server.script("chat", rate_limited(0.01), server_error(), replies[0],
                  chat_reply(None, [("create_task", '{"user_id": ')]), chat_reply(None, [("drop_database", {})]),
                  *replies[1:])
    summary, [episode] = await run(store, "tau2-lite", "qwen3.5-9b", ["create_task_1"], options)
    assert episode.status == EpisodeStatus.SUCCEEDED
    calls = store.get_model_calls(episode.id)
    assert [c.error is not None for c in calls] == [True, True, False, False, False, False]
    assert "HTTP 429" in calls[0].error and calls[0].attempt == 1 and calls[2].attempt == 3
    steps = store.get_steps(episode.id)
    errors = [e for s in steps for e in s.agent_output.get("agent_errors", [])]
    assert len(errors) == 2 and "not valid JSON" in errors[0] and "unknown tool 'drop_database'" in errors[1]


async def test_endpoint_down_is_an_infra_error_then_resume_finishes(server: ScriptedServer, store) -> None:
    options = tau2_options("mock")
    gold = solution("tau2-lite", "create_task_1", **options)
    server.script("responses", *[server_error() for _ in range(3)])
    summary, [episode] = await run(store, "tau2-lite", "gpt-5.4-mini", ["create_task_1"], options)
    assert summary.errors == 1 and summary.failed == 0
    assert episode.status == EpisodeStatus.ERROR and episode.termination == TerminationReason.INFRA_ERROR
    assert "3 attempt(s) failed" in episode.error
    failed_calls = store.get_model_calls(episode.id)
    assert len(failed_calls) == 3 and all("HTTP 500" in c.error for c in failed_calls)
    # the endpoint is back: resuming re-runs only the errored episode
    server.script("responses", *gpt_tool_script(gold))
    request = RunRequest(env="tau2-lite", resume_run_id=summary.run_id, runtime_env_options={}, max_error_rate=1.0)
    resumed = await execute_run(request, store, show_progress=False)
    assert resumed.succeeded == 1 and resumed.errors == 0 and resumed.episodes == 1


async def test_llm_user_simulator_through_the_registry_chat_model(server: ScriptedServer, store) -> None:
    """GPT-5.4-mini as the agent (Responses API) and as tau2's LLM user (Chat Completions)."""
    from agents.models import make_chat_model
    gold = solution("tau2-lite", "create_task_1", **tau2_options("mock"))
    options = {**tau2_options("mock"), "user": "llm"}
    server.script("chat", chat_reply("Hi, I'm user_1. Please create a task called 'Important Meeting'."),
                  chat_reply("Great, thanks! ###STOP###"))
    server.script("responses", *gpt_tool_script(gold))
    request = RunRequest(env="tau2-lite", agent="model", model="gpt-5.4-mini", env_options=options,
                         runtime_env_options={"user_model": make_chat_model("gpt-5.4-mini")},
                         agent_options={"model": "gpt-5.4-mini", **FAST}, task_ids=["create_task_1"])
    summary = await execute_run(request, store, show_progress=False)
    [episode] = list(store.iter_episodes(run_ids=[summary.run_id]))
    assert episode.status == EpisodeStatus.SUCCEEDED and episode.termination == TerminationReason.USER_STOP
    calls = store.get_model_calls(episode.id)
    users = [c for c in calls if c.role == "user_simulator"]
    assert len(users) == 2 and all(c.tokens_in > 0 and c.api == "chat" for c in users)
    assert users[0].request["messages"][0]["role"] == "system"
    first_agent_input = server.requests["responses"][0]["input"]
    assert any("Important Meeting" in json.dumps(i) for i in first_agent_input)


def test_cli_runs_a_model_through_the_endpoint_and_reports_dead_ones(server: ScriptedServer, tmp_path: Path) -> None:
    options = tau2_options("mock")
    gold = solution("tau2-lite", "create_task_1", **options)
    server.script("chat", *qwen_tool_script(gold))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AGENTS_DB": f"sqlite:///{tmp_path}/cli.db",
           "AGENTS_ARTIFACTS": str(tmp_path / "art")}
    base = [sys.executable, "-m", "agents", "run", "--env", "tau2-lite", "--domain", "mock", "--data-dir",
            options["data_dir"], "--user", "scripted", "--tasks", "create_task_1", "--no-progress", "--json-summary"]
    ok = subprocess.run(base + ["--model", "qwen3.5-9b", "--thinking", "off"], env=env, capture_output=True,
                        text=True, timeout=120, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert '"succeeded": 1' in ok.stdout
    assert server.requests["chat"][0]["chat_template_kwargs"] == {"enable_thinking": False}
    dead = {**env, "QWEN_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    down = subprocess.run(base, env=dead, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert down.returncode != 0
    assert "python -m agents serve qwen3.5-9b" in down.stderr and "does not answer" in down.stderr
