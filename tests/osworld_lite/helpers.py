"""Shared helpers of the osworld-lite runtime tests."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from envs.osworld_lite.task import Task, parse_task

# The example tasks shipped beside the project (read in place, never copied).
EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples" / "osworld-lite" / "example_tasks.json"


def make_task(**fields: Any) -> Task:
    """A small task: infeasible evaluator and no config unless given."""
    data = {"id": "t", "instruction": "Test task.", "domain": "os", "evaluator": {"func": "infeasible"}}
    data.update(fields)
    return parse_task(data)
