from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import tests.support.counter_env  # noqa: E402,F401  (registers "test-counter")


@pytest.fixture
def store(tmp_path):
    from trajectories.store import TrajectoryStore

    s = TrajectoryStore(f"sqlite:///{tmp_path}/runs.db", tmp_path / "artifacts")
    s.upgrade()
    return s


@pytest.fixture
def cli_env(tmp_path) -> dict[str, str]:
    """Environment for `python -m agents` subprocesses that can see the test family."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["AGENTS_PLUGINS"] = "tests.support.counter_env"
    env["AGENTS_DB"] = f"sqlite:///{tmp_path}/cli.db"
    env["AGENTS_ARTIFACTS"] = str(tmp_path / "cli_artifacts")
    return env
