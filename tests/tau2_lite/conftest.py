"""Fixtures of the tau2-lite tests: τ²-bench's data (read from ../shared, never copied) and a
scripted stand-in for the LLM judge."""
from __future__ import annotations

from pathlib import Path

import pytest

from tau2_lite_helpers import ScriptedJudge
from tests.support.paths import shared_path


@pytest.fixture(scope="session")
def tau2_root() -> Path:
    shared_path("tau2", "retail", "db.json")
    return shared_path("tau2")


@pytest.fixture(scope="session")
def retail_dir(tau2_root: Path) -> Path:
    return tau2_root / "retail"


@pytest.fixture(scope="session")
def mock_dir(tau2_root: Path) -> Path:
    return tau2_root / "mock"


@pytest.fixture
def scripted_judge() -> ScriptedJudge:
    return ScriptedJudge()
