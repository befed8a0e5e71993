"""The model registry: built-in entries plus the user's own from a TOML file.

Built-ins: ``qwen3.5-9b`` (vLLM, Chat Completions, Qwen's ``computer_use`` function) and
``gpt-5.4-mini`` (OpenAI, Responses API, the built-in ``computer`` tool). A user file —
``agents.toml`` in the working directory, or the path in ``AGENTS_CONFIG`` — adds entries or
overrides fields of existing ones::

    [models."qwen3.5-9b-sft"]
    extends = "qwen3.5-9b"              # start from a built-in, change what differs
    model_id = "/checkpoints/qwen3.5-9b-sft"
    base_url = "http://localhost:8001/v1"

    [models."gpt-5.4-mini".pricing]
    input_per_mtok = 0.80               # prices change: keep them in config
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from envs.errors import UnknownIdError

CONFIG_ENV = "AGENTS_CONFIG"
CONFIG_FILE = "agents.toml"
DEFAULT_USER_MODEL = "gpt-5.4-mini"

Provider = Literal["vllm", "openai", "openai-compatible"]


class ModelConfigError(ValueError):
    """The user's model config file is unreadable or invalid; the message names the file."""


class Pricing(BaseModel):
    """Token prices (USD per million tokens) and, for self-hosted models, a GPU-hour rate."""

    input_per_mtok: float = 0.0
    cached_input_per_mtok: float | None = None   # None: cached tokens cost as much as input
    output_per_mtok: float = 0.0
    gpu_hour_usd: float = 0.0                    # × wall time of the calls (self-hosted)

    def cost(self, tokens_in: int, tokens_cached: int, tokens_out: int, wall_s: float) -> float:
        cached = min(tokens_cached, tokens_in)
        cached_price = self.input_per_mtok if self.cached_input_per_mtok is None else self.cached_input_per_mtok
        tokens = ((tokens_in - cached) * self.input_per_mtok + cached * cached_price
                  + tokens_out * self.output_per_mtok) / 1e6
        return tokens + self.gpu_hour_usd * wall_s / 3600.0


class ModelEntry(BaseModel):
    name: str
    provider: Provider
    model_id: str                                 # the name the endpoint serves
    description: str = ""
    base_url: str
    base_url_env: str | None = None               # overrides base_url when set
    api_key_env: str | None = None                # None: the endpoint needs no key
    api: Literal["chat", "responses"] = "chat"
    action_format: Literal["qwen_computer_use", "openai_computer"] = "qwen_computer_use"
    coordinates: Literal["relative", "absolute"] = "relative"   # qwen_computer_use only
    thinking: bool | None = None                  # Qwen chat template's enable_thinking
    reasoning_effort: str | None = None           # Responses API reasoning.effort
    max_output_tokens: int | None = None
    temperature: float | None = None
    extra_body: dict[str, Any] = Field(default_factory=dict)   # extra request fields (top_k, …)
    context_window: int | None = None
    pricing: Pricing = Field(default_factory=Pricing)
    default: bool = False                         # run by `agents run` with no --model
    serve: dict[str, Any] = Field(default_factory=dict)   # vLLM serving defaults
    source: str = "built-in"

    def resolved_base_url(self, override: str | None = None) -> str:
        if override:
            return override
        if self.base_url_env and os.environ.get(self.base_url_env):
            return os.environ[self.base_url_env]
        return self.base_url

    def api_key(self) -> str | None:
        """The key from the environment; self-hosted endpoints get a placeholder when unset."""
        key = os.environ.get(self.api_key_env) if self.api_key_env else None
        if key:
            return key
        return None if self.provider == "openai" else "EMPTY"


BUILTIN: dict[str, dict[str, Any]] = {
    "qwen3.5-9b": dict(
        provider="vllm", model_id="Qwen/Qwen3.5-9B",
        description="Qwen3.5-9B served by vLLM (Chat Completions, qwen3_coder tool parser, thinking on)",
        base_url="http://localhost:8000/v1", base_url_env="QWEN_BASE_URL", api_key_env="VLLM_API_KEY",
        api="chat", action_format="qwen_computer_use", coordinates="relative", thinking=True,
        max_output_tokens=8192, temperature=0.6, extra_body={"top_p": 0.95, "top_k": 20},
        context_window=262144, default=True,
        pricing=dict(gpu_hour_usd=2.0),
        serve=dict(hf_model="Qwen/Qwen3.5-9B", max_model_len=262144, port=8000,
                   served_model_name="Qwen/Qwen3.5-9B"),
    ),
    "gpt-5.4-mini": dict(
        provider="openai", model_id="gpt-5.4-mini",
        description="GPT-5.4-mini on the OpenAI Responses API (computer tool, function tools)",
        base_url="https://api.openai.com/v1", base_url_env="OPENAI_BASE_URL", api_key_env="OPENAI_API_KEY",
        api="responses", action_format="openai_computer", reasoning_effort="medium",
        max_output_tokens=16384, default=True,
        pricing=dict(input_per_mtok=0.75, cached_input_per_mtok=0.075, output_per_mtok=4.50),
    ),
}


def config_path() -> Path | None:
    if os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
        if not path.is_file():
            raise ModelConfigError(f"{CONFIG_ENV}={path} does not name a file")
        return path
    path = Path.cwd() / CONFIG_FILE
    return path if path.is_file() else None


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_models(path: Path | None = None) -> dict[str, ModelEntry]:
    """Built-in entries merged with the user's config file (if any)."""
    raw: dict[str, dict[str, Any]] = {k: dict(v) for k, v in BUILTIN.items()}
    path = path if path is not None else config_path()
    user: dict[str, Any] = {}
    if path is not None:
        try:
            user = tomllib.loads(path.read_text(encoding="utf-8")).get("models", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ModelConfigError(f"cannot read model config {path}: {exc}") from exc
        if not isinstance(user, dict):
            raise ModelConfigError(f"{path}: [models] must be a table of model entries")
    for name, fields in user.items():
        if not isinstance(fields, dict):
            raise ModelConfigError(f"{path}: models.{name} must be a table")
        fields = dict(fields)
        parent = fields.pop("extends", None)
        if parent is not None and parent not in raw:
            raise ModelConfigError(f"{path}: models.{name} extends unknown model {parent!r}")
        base = raw.get(parent or name, {})
        if parent is not None:
            base = {**base, "default": False}
        raw[name] = {**_merge(base, fields), "source": str(path)}
    entries: dict[str, ModelEntry] = {}
    for name, fields in raw.items():
        try:
            entries[name] = ModelEntry(name=name, **{k: v for k, v in fields.items() if k != "name"})
        except ValidationError as exc:
            where = fields.get("source", "built-in")
            raise ModelConfigError(f"{where}: invalid entry models.{name}: {exc}") from exc
    return entries


def list_models() -> list[ModelEntry]:
    return sorted(load_models().values(), key=lambda m: m.name)


def get_model(name: str) -> ModelEntry:
    models = load_models()
    if name not in models:
        raise UnknownIdError("model", name, models)
    return models[name]


def default_model_names() -> list[str]:
    return [m.name for m in list_models() if m.default]
