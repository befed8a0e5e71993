"""The example task file beside the project (../shared) runs on the real desktop: each task's
reference solution scores 1 and a lone DONE scores 0, each in its own sandboxed episode.

The same check over every built-in task is tests/tasks/test_oracle_noop_sweep.py.
"""
from __future__ import annotations

from typing import Any

import pytest

from envs.registry import get_family
from tests.support.paths import shared_path
from tests.support.prereqs import require_desktop

pytestmark = [pytest.mark.desktop, pytest.mark.slow]


@pytest.fixture(scope="module")
def family() -> Any:
    require_desktop()
    return get_family("osworld-lite")


def play(env: Any, actions: list[dict[str, Any]]) -> dict[str, Any]:
    env.reset(seed=0)
    for action in actions:
        _, reward, terminated, truncated, info = env.step(action)
        assert "action_error" not in info, (action, info["action_error"])
        if terminated:
            assert info["evaluation"]["reward"] == reward
            return info["evaluation"]
    raise AssertionError("the actions did not end the episode")


def run_pair(family: Any, task_id: str, **options: Any) -> None:
    env = family.make(task_id, **options)
    try:
        solution = env.unwrapped.reference_solution()
        infeasible = env.unwrapped.task_info.infeasible
        oracle = play(env, solution)
        assert oracle["reward"] == 1.0, (task_id, oracle)
        noop = play(env, [{"action_type": "DONE"}])
        assert noop["reward"] == 0.0, (task_id, noop)
        assert noop["details"]["infeasible"] is infeasible
    finally:
        env.close()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("task_id", ["example-rename-jpeg", "example-infeasible-printer"])
def test_user_task_file(family: Any, task_id: str) -> None:
    examples = str(shared_path("examples", "osworld-lite", "example_tasks.json"))
    assert task_id in {t.id for t in family.list_tasks(task_file=examples)}
    run_pair(family, task_id, task_file=examples)
