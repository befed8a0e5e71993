"""vLLM serving defaults: loopback only, an API key the server requires and the client sends."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from agents.cli import app
from agents.commands.serve import server_environment
from agents.models.registry import get_model

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker" / "vllm" / "compose.yaml"
KEY = "s3cret-key-for-tests"


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray agents.toml
    monkeypatch.delenv("AGENTS_CONFIG", raising=False)
    monkeypatch.delenv("VLLM_API_KEY", raising=False)


def _serve(*args: str) -> Any:
    return CliRunner().invoke(app, ["serve", "qwen3.5-9b", *args])


def test_dry_run_binds_loopback_and_references_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VLLM_API_KEY", KEY)
    result = _serve("--dry-run")
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert "--host 127.0.0.1" in line
    assert line.endswith('--api-key "$VLLM_API_KEY"')
    assert KEY not in result.output


def test_dry_run_without_a_key_warns_on_loopback_and_refuses_other_interfaces() -> None:
    result = _serve("--dry-run")
    assert result.exit_code == 0 and "--api-key" not in result.stdout
    assert "VLLM_API_KEY is not set" in result.output
    result = _serve("--dry-run", "--host", "0.0.0.0")
    assert result.exit_code == 2 and "refusing to serve on 0.0.0.0 without an API key" in result.output


def test_server_gets_the_key_in_its_environment_not_its_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `vllm` stand-in records its argv and environment, then exits."""
    record = tmp_path / "record.txt"
    fake = tmp_path / "bin" / "vllm"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" \"$VLLM_API_KEY\" > {record}\nexit 7\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("VLLM_API_KEY", KEY)
    result = _serve("--wait-timeout", "20")
    assert result.exit_code == 1, result.output
    argv, env_key = record.read_text().splitlines()
    assert KEY not in argv and "--host 127.0.0.1" in argv and env_key == KEY
    assert KEY not in result.output


def test_an_entry_with_its_own_key_variable_serves_and_sends_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "agents.toml").write_text('[models.mine]\nextends = "qwen3.5-9b"\napi_key_env = "MINE_KEY"\n')
    monkeypatch.setenv("MINE_KEY", KEY)
    monkeypatch.setenv("VLLM_API_KEY", "other")
    result = CliRunner().invoke(app, ["serve", "mine", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith('--api-key "$MINE_KEY"')
    assert server_environment("MINE_KEY")["VLLM_API_KEY"] == KEY
    assert "VLLM_API_KEY" not in server_environment(None)
    assert get_model("mine").api_key() == KEY


def test_qwen_client_sends_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    qwen = get_model("qwen3.5-9b")
    assert qwen.api_key_env == "VLLM_API_KEY"
    monkeypatch.setenv("VLLM_API_KEY", KEY)
    assert qwen.api_key() == KEY


_VAR = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Docker Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}` forms."""
    def one(match: re.Match[str]) -> str:
        name, kind, arg = match.groups()
        if env.get(name):
            return env[name]
        if kind == "?":
            raise LookupError(f"{name}: {arg}")
        return arg if kind == "-" else ""
    return _VAR.sub(one, value)


def test_compose_publishes_on_loopback_and_requires_the_key() -> None:
    service = yaml.safe_load(COMPOSE.read_text())["services"]["vllm"]
    (port,) = service["ports"]
    assert _interpolate(port, {"VLLM_API_KEY": KEY}) == "127.0.0.1:8000:8000"
    key = service["environment"]["VLLM_API_KEY"]
    assert re.fullmatch(r"\$\{VLLM_API_KEY:\?.+\}", key)
    with pytest.raises(LookupError, match="VLLM_API_KEY"):
        _interpolate(key, {})
    assert _interpolate(key, {"VLLM_API_KEY": KEY}) == KEY
    assert not any(KEY in _interpolate(str(arg), {"VLLM_API_KEY": KEY}) for arg in service["command"])
