"""Registry entries and user config, preflight reports, the ChatModel adapter, `serve`."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.cli import app
from agents.models import (
    DEFAULT_USER_MODEL, ModelConfigError, default_model_names, get_model, list_models, make_chat_model,
)
from agents.models.chat_model import RegistryChatModel
from agents.models.client import RetryPolicy
from agents.models.preflight import check_models
from envs.errors import InfrastructureError, UnknownIdError
from tests.agents_models.scripted_server import ScriptedServer, chat_reply, server_error

ROOT = Path(__file__).resolve().parents[2]


def test_builtin_entries() -> None:
    qwen, gpt = get_model("qwen3.5-9b"), get_model("gpt-5.4-mini")
    assert (qwen.provider, qwen.api, qwen.action_format, qwen.thinking, qwen.coordinates) == (
        "vllm", "chat", "qwen_computer_use", True, "relative")
    assert (gpt.provider, gpt.api, gpt.action_format, gpt.api_key_env) == (
        "openai", "responses", "openai_computer", "OPENAI_API_KEY")
    assert (gpt.pricing.input_per_mtok, gpt.pricing.cached_input_per_mtok, gpt.pricing.output_per_mtok) == (0.75, 0.075, 4.5)
    assert qwen.pricing.gpu_hour_usd > 0 and qwen.pricing.cost(10**6, 0, 0, 3600) == qwen.pricing.gpu_hour_usd
    assert default_model_names() == ["gpt-5.4-mini", "qwen3.5-9b"] and DEFAULT_USER_MODEL == "gpt-5.4-mini"
    with pytest.raises(UnknownIdError, match="Did you mean: gpt-5.4-mini"):
        get_model("gpt-5.4mini")


def test_base_url_override_order(monkeypatch: pytest.MonkeyPatch) -> None:
    qwen = get_model("qwen3.5-9b")
    monkeypatch.delenv("QWEN_BASE_URL", raising=False)
    assert qwen.resolved_base_url() == "http://localhost:8000/v1"
    monkeypatch.setenv("QWEN_BASE_URL", "http://gpu-box:8000/v1")
    assert qwen.resolved_base_url() == "http://gpu-box:8000/v1"
    assert qwen.resolved_base_url("http://cli:1/v1") == "http://cli:1/v1"


def test_user_config_adds_and_overrides_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "agents.toml"
    config.write_text(textwrap.dedent("""
        [models."qwen3.5-9b-sft"]
        extends = "qwen3.5-9b"
        model_id = "/ckpt/sft"
        base_url = "http://localhost:8001/v1"
        base_url_env = "SFT_BASE_URL"

        [models."gpt-5.4-mini".pricing]
        input_per_mtok = 0.8

        [models.local-llama]
        provider = "openai-compatible"
        model_id = "llama"
        base_url = "http://127.0.0.1:9999/v1"
    """))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGENTS_CONFIG", raising=False)
    sft = get_model("qwen3.5-9b-sft")
    assert sft.model_id == "/ckpt/sft" and sft.api == "chat" and sft.thinking is True and not sft.default
    assert sft.source.endswith("agents.toml")
    gpt = get_model("gpt-5.4-mini")
    assert gpt.pricing.input_per_mtok == 0.8 and gpt.pricing.output_per_mtok == 4.5
    assert {m.name for m in list_models()} >= {"qwen3.5-9b-sft", "local-llama"}
    config.write_text('[models.bad]\nprovider = "vllm"\n')
    with pytest.raises(ModelConfigError, match="invalid entry models.bad"):
        list_models()
    config.write_text('[models.x\n')
    with pytest.raises(ModelConfigError, match="cannot read model config"):
        list_models()
    monkeypatch.setenv("AGENTS_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ModelConfigError, match="does not name a file"):
        list_models()


def test_preflight_reports_problems_with_the_fixing_command(server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_models(["qwen3.5-9b", "gpt-5.4-mini"]) == {"qwen3.5-9b": None, "gpt-5.4-mini": None}
    server.models = ["some/other-model"]
    problem = check_models(["qwen3.5-9b"])["qwen3.5-9b"]
    assert "not 'Qwen/Qwen3.5-9B'" in problem and "python -m agents serve qwen3.5-9b" in problem
    monkeypatch.setenv("QWEN_BASE_URL", "http://127.0.0.1:9/v1")
    problem = check_models(["qwen3.5-9b"])["qwen3.5-9b"]
    assert "does not answer" in problem and "python -m agents serve qwen3.5-9b" in problem
    monkeypatch.delenv("OPENAI_API_KEY")
    assert "export OPENAI_API_KEY=" in check_models(["gpt-5.4-mini"])["gpt-5.4-mini"]
    assert "unknown model" in check_models(["nope"])["nope"]


def test_preflight_reports_a_refused_key() -> None:
    with ScriptedServer(api_key="sk-right") as srv:
        env = {"OPENAI_BASE_URL": srv.base_url, "OPENAI_API_KEY": "sk-wrong"}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            problem = check_models(["gpt-5.4-mini"])["gpt-5.4-mini"]
        finally:
            for k, v in old.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    assert "refused the API key" in problem and "export OPENAI_API_KEY=" in problem


def test_chat_model_adapter_for_user_simulator(server: ScriptedServer) -> None:
    server.script("chat", chat_reply("I want to cancel order #W1.", model="gpt-5.4-mini"))
    model = make_chat_model("gpt-5.4-mini")
    reply = model.chat([{"role": "system", "content": "You are a customer."}, {"role": "user", "content": "Hi!"}],
                       temperature=0.0)
    assert model.name == "gpt-5.4-mini" and reply.content == "I want to cancel order #W1."
    assert reply.tokens_in > 0 and reply.cost_usd > 0
    assert reply.record["role"] == "user_simulator" and reply.record["response"]["content"] == reply.content
    sent = server.requests["chat"][0]
    assert sent["model"] == "gpt-5.4-mini" and "max_completion_tokens" in sent
    assert sent["reasoning_effort"] == "medium" and "temperature" not in sent   # rejected by reasoning models
    server.script("chat", server_error(), server_error())
    failing = RegistryChatModel(get_model("gpt-5.4-mini"), retry=RetryPolicy(max_attempts=2, initial_s=0.01, max_s=0.01, jitter_s=0))
    with pytest.raises(InfrastructureError, match="user_simulator model gpt-5.4-mini"):
        failing.chat([{"role": "user", "content": "Hi!"}])


def test_serve_dry_run_and_missing_vllm(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["serve", "qwen3.5-9b", "--dry-run", "--port", "8011", "--max-model-len", "32768",
                                 "--lora", "/adapters/sft"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "vllm serve Qwen/Qwen3.5-9B --served-model-name Qwen/Qwen3.5-9B --host 127.0.0.1 --port 8011 "
        "--max-model-len 32768 --reasoning-parser qwen3 --enable-auto-tool-choice --tool-call-parser qwen3_coder "
        "--enable-lora --lora-modules qwen3.5-9b-lora=/adapters/sft --max-lora-rank 64")
    result = runner.invoke(app, ["serve", "qwen3.5-9b", "--checkpoint", "/ckpt/sft", "--dry-run"])
    assert result.stdout.startswith("vllm serve /ckpt/sft --served-model-name Qwen/Qwen3.5-9B")
    monkeypatch.setenv("PATH", "/nonexistent")
    result = runner.invoke(app, ["serve", "qwen3.5-9b"])
    assert result.exit_code == 3 and "pip install '.[vllm]'" in result.output
    result = runner.invoke(app, ["serve", "gpt-5.4-mini", "--dry-run"])
    assert result.exit_code != 0 and "only self-hosted models" in result.output


def test_serve_waits_for_health_and_prints_the_base_url(tmp_path: Path) -> None:
    """A `vllm` executable on PATH standing in for the server: it answers /health after a delay."""
    fake = tmp_path / "bin" / "vllm"
    fake.parent.mkdir()
    fake.write_text(f"#!{sys.executable}\n" + textwrap.dedent("""
        import http.server, sys, time
        port = int(sys.argv[sys.argv.index("--port") + 1])
        time.sleep(0.5)
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200 if self.path == "/health" else 404); self.end_headers()
            def log_message(self, *a): pass
        srv = http.server.HTTPServer(("127.0.0.1", port), H)
        srv.timeout = 0.2
        deadline = time.time() + 1.5
        while time.time() < deadline:
            srv.handle_request()
    """))
    fake.chmod(0o755)
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "agents", "serve", "qwen3.5-9b", "--port", str(port),
                           "--wait-timeout", "20"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == f"http://127.0.0.1:{port}/v1", proc.stderr
    assert "ready: Qwen/Qwen3.5-9B" in proc.stderr and f"export QWEN_BASE_URL=http://127.0.0.1:{port}/v1" in proc.stderr
