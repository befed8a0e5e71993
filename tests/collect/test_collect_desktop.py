"""`collect` on generated osworld-lite tasks over the scripted model server: Qwen3.5-9B's
computer_use calls (scripted to follow the task's reference solution) drive the real desktop,
and the export is shaped for LLaMA-Factory with the screenshots in its observation turns."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agents.cli import app  # noqa: E402
from agents.formats import CoordinateSpace, env_to_qwen  # noqa: E402
from envs.osworld_lite.generated import generate_tasks  # noqa: E402
from tests.agents_models.scripted_server import ScriptedServer, qwen_computer_call, serving_registry_models  # noqa: E402
from tests.export.test_render import _check_pairing  # noqa: E402

SPACE = CoordinateSpace(1280, 720)   # osworld-lite's default screen, Qwen's relative grid


class SolutionPolicy:
    """Replies with the next step of the task's reference solution as a computer_use call."""

    def __init__(self, tasks: list[Any]):
        self.calls = {t.instruction: [c for action in t.solution for c in env_to_qwen(action, SPACE)] for t in tasks}

    def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        messages = body["messages"]
        first = next(m for m in messages if m["role"] == "user")
        text = "".join(p.get("text", "") for p in first["content"] if isinstance(p, dict)) \
            if isinstance(first["content"], list) else first["content"]
        (calls,) = [c for instruction, c in self.calls.items() if instruction in text]
        turn = sum(1 for m in messages if m["role"] == "assistant")
        return qwen_computer_call(calls[turn], reasoning=f"Step {turn + 1} of the plan.")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    with serving_registry_models(monkeypatch, tmp_path) as srv:
        yield srv


@pytest.mark.slow
def test_collect_generated_desktop_tasks(server: ScriptedServer, tmp_path: Path) -> None:
    tasks = generate_tasks(1, seed=5)
    server.script("chat", *[SolutionPolicy(tasks)] * 60)
    result = CliRunner().invoke(app, [
        "collect", "--env", "osworld-lite", "--model", "qwen3.5-9b", "--generated", "1", "--seed", "5",
        "--export", "llamafactory", "--thinking", "keep", "--out", str(tmp_path / "out"),
        "--db", f"sqlite:///{tmp_path / 'runs.db'}", "--artifacts", str(tmp_path / "artifacts"), "--no-progress"])
    assert result.exit_code == 0, result.output
    state = json.loads((tmp_path / "out" / "collect.json").read_text())
    assert state["tasks"] == [t.id for t in tasks] and state["env_options"]["generated"] == 1
    assert state["decontamination"]["checked"] == 1 and state["decontamination"]["leaking_tasks"] == 0
    assert state["counts"]["succeeded"] == 1 and state["counts"]["samples"] == 1, state["counts"]
    data = tmp_path / "out" / "data"
    (row,) = [json.loads(line) for line in (data / "data.jsonl").read_text().splitlines()]
    sides = [t["from"] for t in row["conversations"]]
    n_tags = sum(t["value"].count("<image>") for t in row["conversations"])
    _check_pairing(["system", *sides], n_tags, len(row["images"]))
    assert len(row["images"]) >= 2 and all((data / p).is_file() for p in row["images"])
    # Reasoning kept: reasoned calls are gpt turns in Qwen3.5's text, never a <think> function_call.
    assert all(not t["value"].startswith("<think>") for t in row["conversations"] if t["from"] == "function_call")
    assert any(t["value"].startswith("<think>\nStep 1 of the plan.") for t in row["conversations"] if t["from"] == "gpt")
    card = (data / "README.md").read_text()
    assert "| osworld-lite/" in card and "image sizes | 1280x720" in card
