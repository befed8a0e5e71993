"""Telecom episodes end to end: the real runner with the oracle and noop agents and the scripted
user (who makes the user-side gold calls on its phone), the export (the assistant is never
trained on the user's tool calls), the viewer (which shows them), and the LLM user calling
a phone tool over real HTTP."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agents.models import make_chat_model
from envs.registry import get_family
from envs.tau2_lite.domain import get_domain
from envs.types import Termination
from scoring.site import build_site
from scoring.source import StoreSource
from tests.agents_models.scripted_server import ScriptedServer, chat_reply, serving_registry_models
from trajectories.store import TrajectoryStore

ROOT = Path(__file__).resolve().parents[2]


def _agents(store: Path, *args: str) -> str:
    env = {**os.environ, "AGENTS_DB": f"sqlite:///{store / 'runs.db'}", "AGENTS_ARTIFACTS": str(store / "artifacts")}
    done = subprocess.run([sys.executable, "-m", "agents", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


def _run(store: Path, telecom_dir: Path, agent: str) -> dict:
    out = _agents(store, "run", "--env", "tau2-lite", "--domain", "telecom", "--data-dir", str(telecom_dir),
                  "--agent", agent, "--user", "scripted", "--json-summary", "--no-progress", "--concurrency", "4")
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.slow
def test_oracle_solves_every_task_noop_none_and_user_calls_stay_out_of_training(
        telecom_dir: Path, tmp_path: Path) -> None:
    oracle = _run(tmp_path, telecom_dir, "oracle")
    # No telecom task needs an LLM judge (reward bases are ENV_ASSERTION and ACTION).
    assert oracle["episodes"] == 114 and oracle["success_rate"] == 1.0, oracle
    assert oracle["terminations"] == {"user_stop": 114}
    noop = _run(tmp_path, telecom_dir, "noop")
    print(f"telecom noop success rate: {noop['success_rate']} over {noop['episodes']} tasks")
    assert noop["episodes"] == 114 and noop["success_rate"] == 0.0, noop

    out = tmp_path / "export"
    _agents(tmp_path, "export", "--format", "openai", "--run", oracle["run_id"], "--out", str(out), "--no-progress")
    domain = get_domain("telecom", str(telecom_dir))
    user_tools, agent_tools = set(domain.user_toolkit_class.specs()), set(domain.toolkit_class.specs())
    samples = [json.loads(line) for line in (out / "data.jsonl").read_text(encoding="utf-8").splitlines()]
    assert samples
    agent_calls = 0
    for sample in samples:
        assert {t["function"]["name"] for t in sample["tools"]} == agent_tools
        called = [tc["function"]["name"] for m in sample["messages"] for tc in m.get("tool_calls") or []]
        assert not set(called) & user_tools
        agent_calls += len(called)
        assert not any(m["role"] == "tool" and "Status Bar:" in (m.get("content") or "") for m in sample["messages"])
    assert agent_calls > 0

    store = TrajectoryStore(f"sqlite:///{tmp_path / 'runs.db'}", tmp_path / "artifacts")
    site = tmp_path / "site"
    build_site(StoreSource(store), site)
    pages = [p.read_text(encoding="utf-8") for p in (site / "episodes").glob("*.html")]
    shown = [p for p in pages if "user's tool call · toggle_airplane_mode" in p]
    assert shown and "user's tool result · toggle_airplane_mode" in shown[0] and "Status Bar:" in shown[0]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    with serving_registry_models(monkeypatch, tmp_path) as srv:
        yield srv


def test_llm_user_calls_its_phone_tools_over_http(server: ScriptedServer, telecom_dir: Path) -> None:
    task_id = "[mobile_data_issue]airplane_mode_on|data_mode_off[PERSONA:None]"
    env = get_family("tau2-lite").make(task_id, domain="telecom", data_dir=str(telecom_dir), user="llm",
                                       user_model=make_chat_model("qwen3.5-9b", base_url=server.base_url))
    server.script("chat",
                  chat_reply("My mobile data does not work."),
                  chat_reply(None, [("toggle_airplane_mode", {})]),
                  chat_reply(None, [("toggle_data", {})]),
                  chat_reply("Both done, the internet works now. ###STOP###"))
    obs, info = env.reset(seed=0)
    assert json.loads(obs)[-1] == {"role": "user", "content": "My mobile data does not work."}
    first = server.requests["chat"][0]
    system = first["messages"][0]["content"]
    # τ²-bench's structure: the guidelines for users with tools, then the scenario as it renders it.
    assert system.startswith("# User Simulation Guidelines") and "You have tools" in system
    assert "\n\n<scenario>\nInstructions:\n\tDomain: telecom\n\tReason for call:\n\t\t" in system
    assert system.endswith("</scenario>") and "###OUT-OF-SCOPE###" in system
    assert len(first["tools"]) == 30 and first.get("temperature") == 0.0
    obs, reward, terminated, truncated, info = env.step(
        {"type": "message", "content": "Please turn airplane mode off, then turn mobile data on."})
    assert terminated and info["termination"] == Termination.USER_STOP, info
    assert reward == 1.0, info["evaluation"]
    # The agent sees only the user's text; the phone traffic went to the user alone.
    assert json.loads(obs) == [{"role": "user", "content": "Both done, the internet works now. ###STOP###"}]
    recorded = info["conversation"]
    calls = [tc for m in recorded if m["role"] == "user" for tc in m.get("tool_calls") or []]
    assert [(c["name"], c["requestor"]) for c in calls] == [("toggle_airplane_mode", "user"), ("toggle_data", "user")]
    results = [m for m in recorded if m["role"] == "tool"]
    assert all(m["requestor"] == "user" and not m["error"] for m in results)
    assert results[1]["content"] == "Mobile Data is now ON.\nStatus Bar: 📶⁴ Excellent | 5G | 📱 Data Enabled | 🔋 80%"
    # Each result went back to the user model as a tool message answering its call.
    third = server.requests["chat"][2]["messages"]
    assert third[-2]["role"] == "assistant" and third[-2]["tool_calls"][0]["id"] == calls[0]["id"]
    assert third[-1] == {"role": "tool", "tool_call_id": calls[0]["id"], "content": results[0]["content"]}
    assert server.remaining("chat") == 0
