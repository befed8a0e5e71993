"""`python -m agents collect` end to end over the scripted model server: Qwen3.5-9B (scripted to
answer as the reference solution on a task's first trial and to give up on its second) on
tau2-lite card_services' generated train tasks, best-of-2, DPO pairs, ms-swift export; the
same command again continues the collection without running anything twice."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agents.cli import app  # noqa: E402
from envs.registry import get_family  # noqa: E402
from tests.agents_models.scripted_server import ScriptedServer, chat_reply, serving_registry_models  # noqa: E402
from tests.export.test_render import _check_pairing  # noqa: E402

TASKS = 3


class OraclePolicy:
    """Answers a card_services conversation with the task's reference actions (found by the
    customer's opening message); every second episode of a task instead apologises and stops helping."""

    def __init__(self, task_ids: list[str]):
        self.plans: dict[str, list[dict[str, Any]]] = {}
        family = get_family("tau2-lite")
        for task_id in task_ids:
            env = family.make(task_id, domain="card_services", user="scripted")
            obs, _ = env.reset(seed=0)
            self.plans[json.loads(obs)[-1]["content"]] = env.unwrapped.reference_solution()
            env.close()
        self.episodes: dict[str, int] = {}

    def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        messages = body["messages"]
        first = next(i for i, m in enumerate(messages) if m["role"] == "user")
        opening = messages[first]["content"]
        turn = sum(1 for m in messages[first:] if m["role"] == "assistant")
        if turn == 0:
            self.episodes[opening] = self.episodes.get(opening, 0) + 1
        if self.episodes[opening] % 2 == 0:
            return chat_reply("Sorry, I cannot help with that.", reasoning="I give up.")
        action = self.plans[opening][turn]
        if action["type"] == "tool_call":
            return chat_reply(None, [(action["name"], action["arguments"])], reasoning=f"Next I call {action['name']}.")
        return chat_reply(action["content"], reasoning="The request is handled.")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    with serving_registry_models(monkeypatch, tmp_path) as srv:
        yield srv


def _collect(tmp_path: Path, *extra: str) -> Any:
    return CliRunner().invoke(app, [
        "collect", "--env", "tau2-lite", "--model", "qwen3.5-9b", "--user", "scripted", "--generated", str(TASKS),
        "--trials", "2", "--pairs", "--thinking", "keep", "--export", "swift", "--max-steps", "12",
        "--out", str(tmp_path / "out"), "--db", f"sqlite:///{tmp_path / 'runs.db'}",
        "--artifacts", str(tmp_path / "artifacts"), "--no-progress", *extra])


def test_collect_exports_best_of_k_with_pairs_and_resumes(server: ScriptedServer, tmp_path: Path) -> None:
    task_ids = [t.id for t in get_family("tau2-lite").list_tasks(domain="card_services") if t.split == "train"][:TASKS]
    policy = OraclePolicy(task_ids)
    server.script("chat", *[policy] * 200)
    result = _collect(tmp_path)
    assert result.exit_code == 0, result.output
    state = json.loads((tmp_path / "out" / "collect.json").read_text())
    assert state["tasks"] == task_ids and state["models"] == ["qwen3.5-9b"]
    assert state["decontamination"]["checked"] == TASKS and state["decontamination"]["dropped"] == []
    counts = state["counts"]
    assert (counts["planned_episodes"], counts["graded"], counts["succeeded"]) == (2 * TASKS, 2 * TASKS, TASKS)
    assert counts["kept_episodes"] == counts["samples"] == TASKS and counts["pairs"] == TASKS
    assert state["git_revision"] and list(state["runs"]) == [f"collect-{state['recipe_id']}-qwen3.5-9b"]

    data = tmp_path / "out" / "data"
    rows = [json.loads(line) for line in (data / "data.jsonl").read_text().splitlines()]
    meta = [json.loads(line) for line in (data / "meta" / "episodes.jsonl").read_text().splitlines()]
    assert sorted(m["task_id"] for m in meta) == task_ids and all(m["trial"] == 0 and m["success"] for m in meta)
    for row in rows:
        _check_pairing([m["role"] for m in row["messages"]], 0, len(row["images"]))
        assert any(m["content"].startswith("<think>\nNext I call") for m in row["messages"] if m["role"] == "assistant")
    card = (data / "README.md").read_text()
    assert f"| tau2-lite/card_services | {TASKS} |" in card and "best-of-2 rejection sampling" in card
    assert f"Decontamination by content ({TASKS} tasks checked" in card
    pairs = [json.loads(line) for line in (data / "pairs" / "pairs.jsonl").read_text().splitlines()]
    assert len(pairs) == TASKS
    assert all("Sorry, I cannot help" in json.dumps(p["rejected"]) for p in pairs)

    # The same command again: the run is found and resumed, nothing runs twice, the export is rebuilt.
    asked = len(server.requests["chat"])
    again = _collect(tmp_path)
    assert again.exit_code == 0, again.output
    assert len(server.requests["chat"]) == asked
    assert json.loads((tmp_path / "out" / "collect.json").read_text())["counts"] == counts
    # Another recipe into the same folder is refused.
    other = _collect(tmp_path, "--limit", "1")
    assert other.exit_code == 2 and "another recipe" in other.output
