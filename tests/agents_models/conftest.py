from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.agents_models.scripted_server import ScriptedServer  # noqa: E402


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[ScriptedServer]:
    """A scripted endpoint both registry models point at (no real GPU or API key)."""
    with ScriptedServer() as srv:
        monkeypatch.chdir(tmp_path)                      # no stray agents.toml
        monkeypatch.delenv("AGENTS_CONFIG", raising=False)
        monkeypatch.setenv("QWEN_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        yield srv
