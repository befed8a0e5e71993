"""Render exported samples with Qwen3.5's own chat template, as each trainer would feed it.

The template is read from ../shared/qwen3.5/ (never copied into the project). Each format's
reader turns one exported record back into the (messages, tools, n_images) a trainer hands to
the template: ms-swift merges ``tool_call`` turns into the assistant message and splits
``<image>`` tags; LLaMA-Factory maps sharegpt roles; OpenAI-format arguments are JSON strings
that a Qwen trainer parses; parquet rows come back through `datasets`.
"""
from __future__ import annotations

import json
import re
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tests.support.paths import SHARED_DIR, require_shared
from trajectories.export.formats.parquet import to_chat_messages

TEMPLATE = SHARED_DIR / "qwen3.5" / "chat_template.jinja"
IMAGE_PAD = "<|vision_start|><|image_pad|><|vision_end|>"


def _raise(message: str) -> None:
    raise jinja2.exceptions.TemplateError(message)


def _tojson(value: Any, ensure_ascii: bool = False, indent: int | None = None,
            separators: Any = None, sort_keys: bool = False) -> str:
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def load_template() -> jinja2.Template:
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = _raise
    return env.from_string(require_shared(TEMPLATE).read_text(encoding="utf-8"))


def render(template: jinja2.Template, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> str:
    return template.render(messages=messages, tools=tools or None, add_generation_prompt=False)


# -- readers: one exported record -> (messages, tools, number of image files) --------------------

def _split_think(text: str) -> tuple[str | None, str]:
    m = re.match(r"<think>\n(.*?)\n</think>\n\n", text, re.S)
    return (m.group(1), text[m.end():]) if m else (None, text)


def _tagged_parts(text: str) -> str | list[dict[str, Any]]:
    if "<image>" not in text:
        return text
    parts: list[dict[str, Any]] = []
    for i, chunk in enumerate(text.split("<image>")):
        if i:
            parts.append({"type": "image"})
        if chunk:
            parts.append({"type": "text", "text": chunk})
    return parts


def read_openai(rec: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    messages = []
    n_images = 0
    for m in rec["messages"]:
        m = dict(m)
        if isinstance(m["content"], list):
            for p in m["content"]:
                if p["type"] == "image_url":
                    assert not p["image_url"]["url"].startswith("data:"), "base64 image in JSON"
                    n_images += 1
        if m.get("tool_calls"):
            assert all(isinstance(c["function"]["arguments"], str) for c in m["tool_calls"])
            m["tool_calls"] = [{**c, "function": {**c["function"], "arguments": json.loads(c["function"]["arguments"])}}
                               for c in m["tool_calls"]]
        messages.append(m)
    return messages, rec["tools"], n_images


_XML_CALL = re.compile(r"<tool_call>\n<function=([^>\n]+)>\n(.*?)</function>\n</tool_call>", re.S)
_XML_PARAM = re.compile(r"<parameter=([^>\n]+)>\n(.*?)\n</parameter>\n", re.S)


def _xml_calls(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Split Qwen3.5's XML tool calls off the end of an assistant text (dict arguments)."""
    start = text.find("<tool_call>\n<function=")
    if start < 0:
        return text, []
    calls = []
    for name, params in _XML_CALL.findall(text[start:]):
        args: dict[str, Any] = {}
        for key, value in _XML_PARAM.findall(params):
            args[key] = json.loads(value) if value[:1] in "[{" else value
        calls.append({"type": "function", "function": {"name": name, "arguments": args}})
    return text[:start].rstrip("\n"), calls


def read_swift(rec: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    assert isinstance(rec["tools"], str)
    messages: list[dict[str, Any]] = []
    for m in rec["messages"]:
        role, text = m["role"], m["content"]
        if role == "tool_call":
            call = json.loads(text)
            assert isinstance(call["arguments"], dict)
            entry = {"type": "function", "function": {"name": call["name"], "arguments": call["arguments"]}}
            if messages and messages[-1]["role"] == "assistant" and (
                    not messages[-1].get("tool_calls") or messages[-1].get("_calls_open")):
                messages[-1].setdefault("tool_calls", []).append(entry)
                messages[-1]["_calls_open"] = True
            else:
                messages.append({"role": "assistant", "content": "", "tool_calls": [entry], "_calls_open": True})
            continue
        if messages and messages[-1].get("_calls_open"):
            messages[-1].pop("_calls_open")
        if role == "assistant":
            reasoning, body = _split_think(text)
            body, calls = _xml_calls(body)   # a reply's calls with no result after them
            msg: dict[str, Any] = {"role": "assistant", "content": body}
            if reasoning is not None:
                msg["reasoning_content"] = reasoning
            if calls:
                msg["tool_calls"] = calls
            messages.append(msg)
        elif role == "tool_response":
            messages.append({"role": "tool", "content": _tagged_parts(text)})
        else:
            messages.append({"role": role, "content": _tagged_parts(text)})
    for m in messages:
        m.pop("_calls_open", None)
    return messages, json.loads(rec["tools"]), len(rec["images"])


def read_llamafactory(rec: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": rec["system"]}] if rec["system"] else []
    for turn in rec["conversations"]:
        side, value = turn["from"], turn["value"]
        if side == "human":
            messages.append({"role": "user", "content": _tagged_parts(value)})
        elif side == "observation":
            messages.append({"role": "tool", "content": _tagged_parts(value)})
        else:
            reasoning, body = _split_think(value)
            msg: dict[str, Any] = {"role": "assistant"}
            if reasoning is not None:
                msg["reasoning_content"] = reasoning
            if side == "function_call":
                assert reasoning is None, "a function_call turn holds the JSON call only"
                calls = json.loads(body)
                calls = calls if isinstance(calls, list) else [calls]
                msg["content"] = ""
                msg["tool_calls"] = [{"type": "function", "function": c} for c in calls]
            else:
                body, xml = _xml_calls(body)   # a call with reasoning or words: a gpt turn
                msg["content"] = body
                if xml:
                    msg["tool_calls"] = xml
            messages.append(msg)
    return messages, json.loads(rec["tools"]), len(rec["images"])


def read_trl(rec: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    for m in rec["messages"]:
        for c in m.get("tool_calls") or []:
            assert isinstance(c["function"]["arguments"], dict)
    return rec["messages"], rec["tools"], len(rec["images"])


def read_parquet_row(row: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    return to_chat_messages(row["messages"]), json.loads(row["tools"]), len(row["images"])


READERS = {"openai": read_openai, "swift": read_swift, "llamafactory": read_llamafactory, "trl": read_trl}
