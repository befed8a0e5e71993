"""Fixtures of the trajectory-store tests."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trajectories.records import RunConfig
from trajectories.store import TrajectoryStore


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[TrajectoryStore]:
    with TrajectoryStore(db_url, tmp_path / "artifacts") as s:
        s.upgrade()
        yield s


@pytest.fixture
def run_config() -> RunConfig:
    return RunConfig(env="osworld-lite", agent="model", model="qwen3.5-9b", seed=7, trials=2,
                     env_options={"screen_width": 1280}, task_ids=["t1", "t2"])
