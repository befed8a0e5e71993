"""Replaying a task's gold actions on a fresh DB (check-tasks, the DB reward, the oracle)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from envs.tau2_lite.domain import Domain
from envs.tau2_lite.runtime import Runtime, ToolCall, ToolMessage
from envs.tau2_lite.tasks import Task


@dataclass
class GoldReplay:
    task: Task
    runtime: Runtime
    results: list[ToolMessage] = field(default_factory=list)

    @property
    def failed(self) -> list[tuple[str, ToolMessage]]:
        """(action_id, message) of every gold action that returned an error."""
        return [(a.action_id, r) for a, r in zip(self.task.gold_actions, self.results) if r.error]

    def action_records(self) -> list[dict[str, Any]]:
        return [{"name": r.name, "error": r.error, "output": r.content} for r in self.results]


def replay_gold(domain: Domain, task: Task, *, writes_only: bool = False, seed: int = 0) -> GoldReplay:
    """Fresh DB, the task's initial state, then every gold action in order (or only the
    mutating ones with `writes_only`, which reach the same state faster)."""
    runtime = Runtime(domain, seed=seed)
    runtime.apply_initial_state(task.initial_state)
    replay = GoldReplay(task, runtime)
    for action in task.gold_actions:
        if writes_only and not runtime.mutates_state(action.name):
            continue
        call = ToolCall(action.action_id, action.name, dict(action.arguments), action.requestor)
        replay.results.append(runtime.respond(call))
    return replay
