"""Shared helpers of the osworld-lite runtime tests."""
from __future__ import annotations

from typing import Any

from envs.osworld_lite.task import Task, parse_task
from tests.support.paths import SHARED_DIR

# The example tasks shipped beside the project (read in place, never copied).
EXAMPLES = SHARED_DIR / "examples" / "osworld-lite" / "example_tasks.json"


def make_task(**fields: Any) -> Task:
    """A small task: infeasible evaluator and no config unless given."""
    data = {"id": "t", "instruction": "Test task.", "domain": "os", "evaluator": {"func": "infeasible"}}
    data.update(fields)
    return parse_task(data)
