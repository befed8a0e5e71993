"""Fixtures of the tau2-lite tests: τ²-bench's data (read from ../shared, never copied) and a
scripted stand-in for the LLM judge."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tau2_lite_helpers import ScriptedJudge

REPO = Path(__file__).resolve().parents[2]


def tau2_data_root() -> Path:
    return Path(os.environ.get("TAU2_DATA_DIR") or REPO.parent / "shared" / "tau2")


@pytest.fixture(scope="session")
def tau2_root() -> Path:
    root = tau2_data_root()
    if not (root / "retail" / "db.json").is_file():
        pytest.skip(f"τ²-bench test data not found at {root} (set TAU2_DATA_DIR)")
    return root


@pytest.fixture(scope="session")
def retail_dir(tau2_root: Path) -> Path:
    return tau2_root / "retail"


@pytest.fixture(scope="session")
def mock_dir(tau2_root: Path) -> Path:
    return tau2_root / "mock"


@pytest.fixture
def scripted_judge() -> ScriptedJudge:
    return ScriptedJudge()
