"""The reference solutions solve their tasks on the real desktop, and doing nothing does not.

A sample: one task per domain (plus an infeasible one and the shared example task file), each
run twice in its own sandboxed episode: the oracle's actions, then a lone DONE.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from envs.registry import get_family

pytestmark = [pytest.mark.desktop, pytest.mark.slow]

SAMPLE = [
    "os-count-error-lines", "files-find-invoice", "editor-change-port", "calc-total-revenue",
    "writer-title-heading", "chrome-open-release-notes", "multi-oncall-to-note", "os-connect-wifi",
]
EXAMPLES = Path("/work/shared/examples/osworld-lite/example_tasks.json")


@pytest.fixture(scope="module")
def family() -> Any:
    fam = get_family("osworld-lite")
    problems = fam.preflight()
    if problems:
        pytest.skip("; ".join(problems))
    return fam


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


@pytest.mark.timeout(120)
@pytest.mark.parametrize("task_id", SAMPLE)
def test_oracle_solves_and_noop_fails(family: Any, task_id: str) -> None:
    run_pair(family, task_id)


@pytest.mark.timeout(60)
@pytest.mark.skipif(not EXAMPLES.exists(), reason="shared examples not present on this machine")
@pytest.mark.parametrize("task_id", ["example-rename-jpeg", "example-infeasible-printer"])
def test_user_task_file(family: Any, task_id: str) -> None:
    assert task_id in {t.id for t in family.list_tasks(task_file=str(EXAMPLES))}
    run_pair(family, task_id, task_file=str(EXAMPLES))
