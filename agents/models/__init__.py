"""Model registry, clients, preflight and the ChatModel adapter environments use.

The runner and CLI call: `get_model(name)`, `list_models()`, `default_model_names()`,
`DEFAULT_USER_MODEL`, `preflight.check_models(names, base_url=None)` and `make_chat_model(name)`.
"""
from agents.models.registry import (
    DEFAULT_USER_MODEL, ModelConfigError, ModelEntry, Pricing, default_model_names, get_model,
    list_models, load_models,
)

__all__ = [
    "DEFAULT_USER_MODEL", "ModelConfigError", "ModelEntry", "Pricing", "default_model_names",
    "get_model", "list_models", "load_models", "make_chat_model",
]


def make_chat_model(name: str, base_url: str | None = None, role: str = "user_simulator"):
    """A synchronous `envs.types.ChatModel` for tau2-lite's user simulator and NL judge."""
    from agents.models.chat_model import RegistryChatModel
    return RegistryChatModel(get_model(name), base_url=base_url, role=role)
