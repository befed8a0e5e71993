"""Fixtures for the osworld-lite runtime tests: a live desktop session and small tasks."""
from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from envs.osworld_lite.task import Task, parse_task

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples" / "osworld-lite" / "example_tasks.json"


@functools.lru_cache(maxsize=1)
def desktop_problems() -> tuple[str, ...]:
    from envs.osworld_lite import OSWorldLiteFamily

    return tuple(p for p in OSWorldLiteFamily().preflight() if not p.startswith("tasks cannot be loaded"))


@pytest.fixture
def desktop() -> None:
    problems = desktop_problems()
    if problems:
        pytest.skip("; ".join(problems))


@pytest.fixture
def session(desktop: None) -> Iterator[Any]:
    from envs.osworld_lite.session import DesktopSession

    s = DesktopSession(640, 480).start()
    try:
        yield s
    finally:
        s.close()


def make_task(**fields: Any) -> Task:
    data = {"id": "t", "instruction": "Test task.", "domain": "os", "evaluator": {"func": "infeasible"}}
    data.update(fields)
    return parse_task(data)
