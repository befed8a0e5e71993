"""Fixtures for the `osworld` family tests: OSWorld's task files (shared data) and small tasks."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import shared_path


@pytest.fixture(scope="session")
def osworld_dir() -> Path:
    return shared_path("osworld")


def write_task(folder: Path, domain: str, task: dict[str, Any]) -> Path:
    """One OSWorld task file at `folder/<domain>/<id>.json` (OSWorld's layout)."""
    path = folder / domain / f"{task['id']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(task))
    return path


def task(task_id: str, **fields: Any) -> dict[str, Any]:
    """An OSWorld task record with the given fields over harmless defaults."""
    base: dict[str, Any] = {"id": task_id, "snapshot": "os", "instruction": "Do it.", "source": "",
                            "trajectory": "trajectories/", "config": [], "related_apps": ["os"],
                            "evaluator": {"func": "infeasible"}, "proxy": False}
    base.update(fields)
    return base
