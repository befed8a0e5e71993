"""Fixtures of the telecom suite: τ²-bench's telecom data and its 74 train vectors (../shared)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.paths import shared_path  # noqa: E402


@pytest.fixture(scope="session")
def telecom_dir() -> Path:
    return shared_path("tau2", "telecom")


@pytest.fixture(scope="session")
def vectors(telecom_dir: Path) -> list[dict[str, Any]]:
    index = json.loads((telecom_dir / "vectors" / "index.json").read_text(encoding="utf-8"))
    out = [json.loads((telecom_dir / "vectors" / name).read_text(encoding="utf-8")) for name in index.values()]
    assert len(out) == 74 and [v["task_id"] for v in out] == list(index)
    return out


@pytest.fixture(scope="session")
def probes(telecom_dir: Path) -> dict[str, Any]:
    return json.loads((telecom_dir / "probes.json").read_text(encoding="utf-8"))
