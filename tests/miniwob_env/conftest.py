from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.prereqs import require  # noqa: E402


@pytest.fixture(scope="session")
def miniwob_ready() -> None:
    """Chromium, Playwright and the miniwob package: a missing one fails the test (make setup)."""
    from envs.registry import get_family

    require(get_family("miniwob").preflight(), "the miniwob environment (Chromium, Playwright, miniwob)")


@pytest.fixture
def make_env(miniwob_ready: None) -> Iterator:
    """MiniWoBEnv factory; every env made is closed after the test."""
    from envs.miniwob.env import MiniWoBEnv

    made = []

    def make(task_id: str, **options):
        env = MiniWoBEnv(task_id, **options)
        made.append(env)
        return env

    yield make
    for env in made:
        env.close()
