"""Fixtures for the osworld-lite runtime tests: a live desktop session and small tasks."""
from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.prereqs import require

from .helpers import EXAMPLES, make_task  # noqa: F401  (re-exported for the tests)


@functools.lru_cache(maxsize=1)
def desktop_problems() -> tuple[str, ...]:
    from envs.osworld_lite import OSWorldLiteFamily

    return tuple(p for p in OSWorldLiteFamily().preflight() if not p.startswith("tasks cannot be loaded"))


@pytest.fixture
def desktop() -> None:
    problems = desktop_problems()
    if problems:
        require(problems, "the osworld-lite desktop")


@pytest.fixture
def session(desktop: None) -> Iterator[Any]:
    from envs.osworld_lite.session import DesktopSession

    s = DesktopSession(640, 480).start()
    try:
        yield s
    finally:
        s.close()

