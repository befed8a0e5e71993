"""Fixtures of the airline tests: the small data folder of airline_data.py, written to a temp dir."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from airline_data import DB, TASKS
from envs.tau2_lite.domain import get_domain


@pytest.fixture(scope="session")
def airline_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("airline")
    (folder / "db.json").write_text(json.dumps(DB))
    (folder / "tasks.json").write_text(json.dumps(TASKS))
    (folder / "policy.md").write_text("# Airline Agent Policy\n\nThe current time is 2024-05-15 15:00:00 EST.\n")
    (folder / "split_tasks.json").write_text(json.dumps({"train": ["0"], "test": ["1"], "base": ["0", "1"]}))
    return folder


@pytest.fixture(scope="session")
def airline(airline_dir: Path):
    return get_domain("airline", airline_dir)
