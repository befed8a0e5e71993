"""`python -m agents serve MODEL`: serve a registry model with vLLM and print its base URL.

Builds ``vllm serve`` with the flags Qwen3.5 needs for agentic use (``--enable-auto-tool-choice
--tool-call-parser qwen3_coder --reasoning-parser qwen3``), starts it, waits until ``/health``
answers, prints the base URL and keeps serving until interrupted. ``--dry-run`` only prints
the command. vLLM is an optional extra: ``pip install '.[vllm]'``.

The server listens on 127.0.0.1 unless told otherwise. When the entry's API-key variable
(``VLLM_API_KEY`` for the built-in Qwen entry, the same variable its clients send) is set, vLLM
requires that key: the printed command references the variable (``--api-key "$VLLM_API_KEY"``)
and the server gets the key through its environment, never on its command line, where any local
user could read it. Serving on a non-loopback interface without a key is refused.
"""
from __future__ import annotations

import ipaddress
import os
import shlex
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Annotated

import typer

from agents.models.registry import ModelEntry, get_model

INSTALL_HINT = "vLLM is not installed. Install it with: pip install '.[vllm]'  (or: pip install 'vllm>=0.17')"
VLLM_KEY_ENV = "VLLM_API_KEY"   # the variable `vllm serve` reads its API key from


def key_env(entry: ModelEntry) -> str:
    """The variable holding the key this entry's server requires and its clients send."""
    return entry.api_key_env or VLLM_KEY_ENV


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def shown_command(cmd: list[str], api_key_env: str | None) -> str:
    """The command as a shell line; the key appears as a reference to its variable, never in clear."""
    line = shlex.join(cmd)
    return f'{line} --api-key "${api_key_env}"' if api_key_env else line


def server_environment(api_key_env: str | None) -> dict[str, str]:
    """The environment of the vllm process, with the key where vllm reads it."""
    env = dict(os.environ)
    if api_key_env:
        env[VLLM_KEY_ENV] = os.environ[api_key_env]
    else:
        env.pop(VLLM_KEY_ENV, None)  # a key the clients would not send
    return env


def build_command(entry: ModelEntry, *, checkpoint: str | None = None, lora: str | None = None,
                  host: str = "127.0.0.1", port: int | None = None, max_model_len: int | None = None,
                  served_model_name: str | None = None, extra: list[str] | None = None) -> list[str]:
    if entry.provider == "openai":
        raise typer.BadParameter(f"{entry.name} is an OpenAI API model; only self-hosted models can be served")
    serve = entry.serve
    model = checkpoint or serve.get("hf_model") or entry.model_id
    cmd = ["vllm", "serve", model,
           "--served-model-name", served_model_name or serve.get("served_model_name") or entry.model_id,
           "--host", host, "--port", str(port or serve.get("port", 8000)),
           "--max-model-len", str(max_model_len or serve.get("max_model_len") or entry.context_window or 32768),
           "--reasoning-parser", serve.get("reasoning_parser", "qwen3"),
           "--enable-auto-tool-choice", "--tool-call-parser", serve.get("tool_call_parser", "qwen3_coder")]
    if lora:
        cmd += ["--enable-lora", "--lora-modules", f"{entry.name}-lora={lora}",
                "--max-lora-rank", str(serve.get("max_lora_rank", 64))]
    return cmd + list(serve.get("extra_args", [])) + list(extra or [])


def wait_healthy(url: str, proc: subprocess.Popen | None, timeout_s: float, interval_s: float = 1.0) -> None:
    """Poll `url` until it answers 200; raise if the process dies or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"vllm exited with status {proc.returncode} before becoming healthy")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(interval_s)
    raise TimeoutError(f"{url} did not answer within {timeout_s:g} s")


def register(app: typer.Typer) -> None:
    @app.command("serve", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def serve(
        ctx: typer.Context,
        model: Annotated[str, typer.Argument(help="Registry model to serve, e.g. qwen3.5-9b.")],
        checkpoint: Annotated[Path | None, typer.Option(help="Serve these weights (a fine-tuned checkpoint directory) instead of the hub model.")] = None,
        lora: Annotated[Path | None, typer.Option(help="A LoRA adapter to serve on top of the base model.")] = None,
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int | None, typer.Option(help="Port (default: the entry's, 8000).")] = None,
        max_model_len: Annotated[int | None, typer.Option("--max-model-len", help="Context length (default: the entry's).")] = None,
        served_model_name: Annotated[str | None, typer.Option("--served-model-name", help="Name clients use (default: the entry's model_id).")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the vllm command and exit.")] = False,
        wait_timeout: Annotated[float, typer.Option("--wait-timeout", help="Seconds to wait for /health.")] = 1800.0,
    ) -> None:
        """Serve a model with vLLM (extra arguments are passed to vllm serve) and print its base URL."""
        entry = get_model(model)
        for path, what in ((checkpoint, "--checkpoint"), (lora, "--lora")):
            if path is not None and not dry_run and not path.exists():
                raise typer.BadParameter(f"{what} {path} does not exist")
        cmd = build_command(entry, checkpoint=str(checkpoint) if checkpoint else None,
                            lora=str(lora) if lora else None, host=host, port=port,
                            max_model_len=max_model_len, served_model_name=served_model_name, extra=ctx.args)
        listen_port = int(cmd[cmd.index("--port") + 1])
        client_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        base_url = f"http://{client_host}:{listen_port}/v1"
        variable = key_env(entry)
        api_key_env = variable if os.environ.get(variable) else None
        if api_key_env is None and not is_loopback(host):
            typer.secho(f"error: refusing to serve on {host} without an API key: export {variable}=<a long "
                        "random secret> (clients of this model send the same variable)", err=True, fg=typer.colors.RED)
            raise typer.Exit(2)
        if api_key_env is None:
            typer.echo(f"note: {variable} is not set, so the server accepts any local client; set it to "
                       "require that key", err=True)
        if dry_run:
            typer.echo(shown_command(cmd, api_key_env))
            return
        if shutil.which("vllm") is None:
            typer.secho(f"error: {INSTALL_HINT}", err=True, fg=typer.colors.RED)
            raise typer.Exit(3)
        typer.echo(f"starting: {shown_command(cmd, api_key_env)}", err=True)
        proc = subprocess.Popen(cmd, env=server_environment(api_key_env))
        try:
            wait_healthy(f"http://{client_host}:{listen_port}/health", proc, wait_timeout)
        except (RuntimeError, TimeoutError) as exc:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
            typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
            raise typer.Exit(1) from exc
        typer.echo(base_url)
        served = cmd[cmd.index("--served-model-name") + 1]
        hint = f"export {entry.base_url_env}={base_url}" if entry.base_url_env else f"--base-url {base_url}"
        typer.echo(f"ready: {served} at {base_url} ({hint}); Ctrl-C stops it", err=True)
        if lora:
            typer.echo(f'the adapter is served as "{entry.name}-lora": add an agents.toml entry with '
                       f'extends = "{entry.name}" and model_id = "{entry.name}-lora"', err=True)
        try:
            proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
        raise typer.Exit(proc.returncode or 0)
