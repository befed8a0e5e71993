from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.agents_models.scripted_server import ScriptedServer, serving_registry_models  # noqa: E402


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[ScriptedServer]:
    """A scripted endpoint both registry models point at (no real GPU or API key)."""
    with serving_registry_models(monkeypatch, tmp_path) as srv:
        yield srv
