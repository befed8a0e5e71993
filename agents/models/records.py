"""Model exchanges in the store's canonical shape (OpenAI chat), images as artifact references.

Screenshots are sent to models as ``data:image/png;base64,…`` URLs of the very PNG bytes the
runner stores as observation artifacts, so an image's sha256 here names the stored artifact.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

_DATA_PREFIX = "data:"


def png_data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def image_ref(url: str) -> dict[str, Any]:
    """``{"type": "image_ref", "sha256": …}`` for a data URL (or the URL itself if remote)."""
    if url.startswith(_DATA_PREFIX) and ";base64," in url:
        try:
            data = base64.b64decode(url.split(";base64,", 1)[1], validate=False)
        except (binascii.Error, ValueError):
            return {"type": "image_ref", "sha256": None, "error": "undecodable data URL"}
        return {"type": "image_ref", "sha256": hashlib.sha256(data).hexdigest()}
    return {"type": "image_ref", "url": url}


def strip_images(value: Any) -> Any:
    """A deep copy of a request/input with every inline image replaced by an image_ref."""
    if isinstance(value, list):
        return [strip_images(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("type")
    if kind == "image_url":
        url = value.get("image_url")
        url = url.get("url") if isinstance(url, dict) else url
        return image_ref(str(url))
    if kind in ("input_image", "computer_screenshot") and isinstance(value.get("image_url"), str):
        return image_ref(value["image_url"])
    return {k: strip_images(v) for k, v in value.items()}


def _text_parts(content: Any) -> Any:
    if isinstance(content, str) or content is None:
        return content
    parts = []
    for part in content:
        kind = part.get("type")
        if kind in ("input_text", "output_text", "text"):
            parts.append({"type": "text", "text": part.get("text", "")})
        elif kind == "image_ref":
            parts.append(part)
        else:
            parts.append(part)
    return parts


def responses_input_to_chat(items: list[dict[str, Any]], instructions: str | None = None) -> list[dict[str, Any]]:
    """Responses API input items (images already stripped) -> chat messages."""
    messages: list[dict[str, Any]] = []
    if instructions:
        messages.append({"role": "system", "content": instructions})
    for item in items:
        kind = item.get("type", "message")
        if kind == "message" or "role" in item and kind not in ("function_call", "computer_call"):
            messages.append({"role": item.get("role", "user"), "content": _text_parts(item.get("content"))})
        elif kind in ("function_call", "computer_call"):
            messages.append(assistant_from_output([item]))
        elif kind == "function_call_output":
            messages.append({"role": "tool", "tool_call_id": item.get("call_id"), "content": item.get("output")})
        elif kind == "computer_call_output":
            out = item.get("output")
            msg = {"role": "tool", "tool_call_id": item.get("call_id"), "content": [out] if out else []}
            if item.get("acknowledged_safety_checks"):
                msg["acknowledged_safety_checks"] = item["acknowledged_safety_checks"]
            messages.append(msg)
        # reasoning items carry no conversation text of their own
    merged: list[dict[str, Any]] = []
    for m in messages:  # consecutive assistant items (reasoning + calls) form one message
        if merged and m["role"] == "assistant" == merged[-1]["role"] and "tool_calls" in m:
            merged[-1].setdefault("tool_calls", []).extend(m["tool_calls"])
        else:
            merged.append(m)
    return merged


def assistant_from_output(output: list[dict[str, Any]]) -> dict[str, Any]:
    """Responses API output items -> one canonical assistant message."""
    text: list[str] = []
    reasoning: list[str] = []
    calls: list[dict[str, Any]] = []
    for item in output:
        kind = item.get("type")
        if kind == "message":
            for part in item.get("content") or []:
                if part.get("type") in ("output_text", "text"):
                    text.append(part.get("text", ""))
                elif part.get("type") == "refusal":
                    text.append(part.get("refusal", ""))
        elif kind == "reasoning":
            for s in item.get("summary") or []:
                reasoning.append(s.get("text", ""))
        elif kind == "function_call":
            calls.append({"id": item.get("call_id"), "type": "function",
                          "function": {"name": item.get("name"), "arguments": item.get("arguments") or "{}"}})
        elif kind == "computer_call":
            args = {"actions": item.get("actions") or ([item["action"]] if item.get("action") else [])}
            if item.get("pending_safety_checks"):
                args["pending_safety_checks"] = item["pending_safety_checks"]
            calls.append({"id": item.get("call_id"), "type": "function",
                          "function": {"name": "computer", "arguments": json.dumps(args)}})
    msg: dict[str, Any] = {"role": "assistant", "content": "\n".join(text) or None}
    if reasoning:
        msg["reasoning"] = "\n".join(reasoning)
    if calls:
        msg["tool_calls"] = calls
    return msg
