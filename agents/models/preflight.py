"""Preflight: does each chosen model's endpoint answer, before any episode (or money) is spent?

`check_models(names)` returns ``{name: None}`` for a ready model and ``{name: problem}``
otherwise, where the problem says what is wrong and the command that fixes it.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai

from agents.models.client import describe_error
from agents.models.registry import ModelConfigError, ModelEntry, get_model
from envs.errors import UnknownIdError

TIMEOUT_S = 10.0


def _fix_unreachable(entry: ModelEntry) -> str:
    if entry.provider == "vllm":
        override = f" (or point {entry.base_url_env} / --base-url at a running server)" if entry.base_url_env else ""
        return f"start it with: python -m agents serve {entry.name}{override}"
    if entry.provider == "openai":
        return "check the network" + (f" and {entry.base_url_env}" if entry.base_url_env else "")
    return "start that server or fix base_url in agents.toml (or pass --base-url)"


def _fix_key(entry: ModelEntry) -> str:
    return f"export {entry.api_key_env}=..." if entry.api_key_env else "configure api_key_env in agents.toml"


def check_model(entry: ModelEntry, base_url: str | None = None) -> str | None:
    url = entry.resolved_base_url(base_url)
    key = entry.api_key()
    if key is None:
        return f"{entry.api_key_env} is not set; fix: {_fix_key(entry)}"
    client = openai.OpenAI(base_url=url, api_key=key, max_retries=0, timeout=TIMEOUT_S)
    try:
        try:
            served = [m.id for m in client.models.list()]
        except openai.NotFoundError:
            served = None  # no /models route: fall back to a 1-token call
        if served is not None:
            if entry.model_id not in served:
                shown = ", ".join(served[:5]) or "nothing"
                return (f"{url} serves {shown}, not {entry.model_id!r}; fix: "
                        + (f"python -m agents serve {entry.name}" if entry.provider == "vllm"
                           else f"set model_id for {entry.name} in agents.toml"))
            return None
        client.chat.completions.create(model=entry.model_id, messages=[{"role": "user", "content": "ping"}],
                                       max_tokens=1)
        return None
    except openai.AuthenticationError as exc:
        return f"{url} refused the API key ({describe_error(exc)}); fix: {_fix_key(entry)}"
    except openai.APIConnectionError as exc:
        return f"{url} does not answer ({describe_error(exc)}); {_fix_unreachable(entry)}"
    except openai.APIStatusError as exc:
        return f"{url} answered {describe_error(exc)}; {_fix_unreachable(entry)}"
    finally:
        client.close()


def check_models(names: list[str], base_url: str | None = None) -> dict[str, str | None]:
    """Check every model concurrently; unknown names and config errors are reported too."""
    def one(name: str) -> str | None:
        try:
            entry = get_model(name)
        except (UnknownIdError, ModelConfigError) as exc:
            return str(exc)
        return check_model(entry, base_url)

    names = list(dict.fromkeys(names))
    if not names:
        return {}
    with ThreadPoolExecutor(max_workers=min(8, len(names))) as pool:
        results: list[Any] = list(pool.map(one, names))
    return dict(zip(names, results, strict=True))
