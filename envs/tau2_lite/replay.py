"""Replaying a task's gold actions on a fresh DB (check-tasks, the DB reward, the oracle)."""
from __future__ import annotations

import weakref
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
        return [{"name": r.name, "requestor": r.requestor, "error": r.error, "output": r.content}
                for r in self.results]


def replay_gold(domain: Domain, task: Task, *, writes_only: bool = False, seed: int = 0) -> GoldReplay:
    """Fresh DB, the task's initial state, then every gold action in order (or only the
    mutating ones with `writes_only`, which reach the same state faster)."""
    runtime = Runtime(domain, seed=seed, task=task)
    runtime.apply_initial_state(task.initial_state)
    replay = GoldReplay(task, runtime)
    for action in task.gold_actions:
        if writes_only and not runtime.mutates_state(action.name):
            continue
        call = ToolCall(action.action_id, action.name, dict(action.arguments), action.requestor)
        replay.results.append(runtime.respond(call))
    return replay


_WRITES: weakref.WeakKeyDictionary[Domain, dict[str, bool]] = weakref.WeakKeyDictionary()


def gold_writes(domain: Domain, task: Task) -> bool:
    """Do the task's gold actions change the DB (agent or user side)? Failing gold writes
    (e.g. retail task 105) change nothing, so such a task does not count as writing."""
    cache = _WRITES.setdefault(domain, {})
    if task.id not in cache:
        baseline = Runtime(domain, task=task)
        baseline.apply_initial_state(task.initial_state)
        runtime = replay_gold(domain, task, writes_only=True).runtime
        same_user = (runtime.user_db is None and baseline.user_db is None) or (
            runtime.user_db is not None and baseline.user_db is not None
            and runtime.user_db.same_state(baseline.user_db))
        cache[task.id] = not (runtime.db.same_state(baseline.db) and same_user)
    return cache[task.id]
