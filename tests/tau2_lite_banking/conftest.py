"""Fixtures of the banking_knowledge tests: τ²-bench's data, read from ../shared (never copied)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from envs.tau2_lite.domain import get_domain
from tests.support.paths import shared_path


@pytest.fixture(scope="session")
def banking_dir() -> Path:
    return shared_path("tau2", "banking_knowledge")


@pytest.fixture(scope="session")
def banking(banking_dir: Path):
    return get_domain("banking_knowledge", banking_dir)


@pytest.fixture(scope="session")
def vectors(banking_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((banking_dir / "vectors").glob("*.json"))]
