"""Objects an environment needs at run time that cannot be stored as JSON.

tau2-lite's LLM user simulator and NL-assertion judge are model clients. A run stores their
registry names in its env options (`user_model_name`, `judge_model_name`), so that resumed
runs and remote workers rebuild the same clients from the stored configuration.
"""
from __future__ import annotations

from typing import Any

USER_MODEL_KEY = "user_model_name"
JUDGE_MODEL_KEY = "judge_model_name"


def simulator_model_names(env: str, user: str, user_model: str | None,
                          judge_model: str | None) -> dict[str, str]:
    """Registry names of the user simulator and judge a run needs (JSON-safe env options).

    With `--user llm` (tau2-lite's default) both default to the user model; with
    `--user scripted` a judge is used only when named.
    """
    if env != "tau2-lite":
        return {}
    names: dict[str, str] = {}
    if user == "llm":
        from agents.models import DEFAULT_USER_MODEL

        names[USER_MODEL_KEY] = user_model or DEFAULT_USER_MODEL
        names[JUDGE_MODEL_KEY] = judge_model or names[USER_MODEL_KEY]
    elif judge_model:
        names[JUDGE_MODEL_KEY] = judge_model
    return names


def check_simulator_models(env_options: dict[str, Any]) -> dict[str, str]:
    """Preflight problems of the simulator/judge models named in the env options."""
    names = sorted({env_options[k] for k in (USER_MODEL_KEY, JUDGE_MODEL_KEY) if env_options.get(k)})
    if not names:
        return {}
    from agents.models.preflight import check_models

    return {name: problem for name, problem in check_models(names).items() if problem}


def build_runtime_options(env_options: dict[str, Any]) -> dict[str, Any]:
    """Model clients for the names in `env_options`, under the keys environments read."""
    built: dict[str, Any] = {}
    if env_options.get(USER_MODEL_KEY) or env_options.get(JUDGE_MODEL_KEY):
        from agents.models import make_chat_model

        if env_options.get(USER_MODEL_KEY):
            built["user_model"] = make_chat_model(env_options[USER_MODEL_KEY], role="user_simulator")
        if env_options.get(JUDGE_MODEL_KEY):
            built["judge_model"] = make_chat_model(env_options[JUDGE_MODEL_KEY], role="judge")
    return built
