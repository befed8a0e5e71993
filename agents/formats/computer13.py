"""Helpers for OSWorld computer_13 action dicts (the osworld-lite action JSON form)."""
from __future__ import annotations

from typing import Any


def flat_params(action: dict[str, Any]) -> dict[str, Any]:
    """Parameters of a computer_13 action, whether flat or under ``"parameters"``."""
    params = dict(action.get("parameters") or {})
    params.update({k: v for k, v in action.items() if k not in ("action_type", "parameters")})
    return params


class ActionConversionError(ValueError):
    """A model call or env action that has no counterpart; the message says why."""
