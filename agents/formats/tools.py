"""tau2-lite actions <-> function-calling wire formats (Chat Completions and Responses).

Env actions are ``{"type": "tool_call", "id", "name", "arguments": {...}}`` or
``{"type": "message", "content": "..."}``. In chat history Qwen's template needs tool-call
``arguments`` as a dict (`env_to_chat_message(..., dict_arguments=True)`); the OpenAI wire
format carries them as a JSON string.
"""
from __future__ import annotations

import json
from typing import Any

from agents.formats.computer13 import ActionConversionError


def parse_arguments(raw: Any, name: str = "") -> dict[str, Any]:
    """Tool-call arguments (JSON text or dict) -> dict; ActionConversionError if malformed."""
    if isinstance(raw, dict):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, json.JSONDecodeError) as exc:
        raise ActionConversionError(
            f"arguments of {name or 'the tool call'} are not valid JSON: {str(raw)[:200]!r}") from exc
    if not isinstance(value, dict):
        raise ActionConversionError(f"arguments of {name or 'the tool call'} must be a JSON object")
    return value


def chat_tool_call_to_env(call: dict[str, Any], known_tools: set[str] | None = None) -> dict[str, Any]:
    """An OpenAI chat ``tool_calls`` entry -> a tau2 tool_call env action."""
    fn = call.get("function") or {}
    name = fn.get("name")
    if not name:
        raise ActionConversionError("a tool call without a function name")
    if known_tools is not None and name not in known_tools:
        raise ActionConversionError(f"unknown tool {name!r}; available: {', '.join(sorted(known_tools))}")
    return {"type": "tool_call", "id": call.get("id") or "", "name": name,
            "arguments": parse_arguments(fn.get("arguments"), name)}


def response_function_call_to_env(item: dict[str, Any], known_tools: set[str] | None = None) -> dict[str, Any]:
    """A Responses API ``function_call`` item -> a tau2 tool_call env action."""
    name = item.get("name")
    if known_tools is not None and name not in known_tools:
        raise ActionConversionError(f"unknown tool {name!r}; available: {', '.join(sorted(known_tools))}")
    return {"type": "tool_call", "id": item.get("call_id") or "", "name": name,
            "arguments": parse_arguments(item.get("arguments"), str(name))}


def env_to_chat_message(action: dict[str, Any], dict_arguments: bool = True) -> dict[str, Any]:
    """A tau2 env action -> the assistant chat message that expresses it."""
    if action.get("type") == "message":
        return {"role": "assistant", "content": action.get("content", "")}
    if action.get("type") != "tool_call":
        raise ActionConversionError(f"unknown tau2 action type {action.get('type')!r}")
    args = action.get("arguments") or {}
    return {"role": "assistant", "content": None, "tool_calls": [{
        "id": action.get("id") or "", "type": "function",
        "function": {"name": action["name"],
                     "arguments": args if dict_arguments else json.dumps(args)}}]}


def observation_to_chat(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A tau2 observation (new user/tool messages) -> chat messages."""
    out: list[dict[str, Any]] = []
    for m in items:
        if m.get("role") == "tool":
            out.append({"role": "tool", "tool_call_id": m.get("tool_call_id", ""),
                        "name": m.get("name"), "content": str(m.get("content", ""))})
        else:
            message = {"role": m.get("role", "user"), "content": m.get("content") or ""}
            if m.get("role") == "assistant" and m.get("tool_calls"):
                # Task history may hold earlier agent tool calls: keep them, or the tool
                # results that follow would answer calls the model never made.
                message["tool_calls"] = m["tool_calls"]
                message["content"] = m.get("content") or None
            out.append(message)
    return out


def chat_tools_to_responses(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat-style function tools -> Responses API function tools (flattened)."""
    out = []
    for t in tools:
        fn = t.get("function", t)
        out.append({"type": "function", "name": fn["name"], "description": fn.get("description", ""),
                    "parameters": fn.get("parameters") or {"type": "object", "properties": {}},
                    "strict": False})
    return out
