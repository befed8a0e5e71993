"""ms-swift agent format.

One line: ``{"messages": [...], "tools": "<JSON string>", "images": [paths]}``. Assistant tool
calls become ``tool_call`` messages whose content is ``{"name", "arguments": {...}}`` as JSON
(swift's agent template renders them for the model, here Qwen3.5's XML); tool results become
``tool_response`` messages. Each image is an ``<image>`` tag in the text, in the order of the
``images`` list. Kept reasoning goes first in the assistant text as ``<think>…</think>``.

ms-swift encodes a conversation as (query, reply) pairs, the query being user text or the tool
results of the previous reply, and rejects anything else (``AssertionError: response_role``).
Every line is therefore: optional system, then (user | tool_response+) and assistant turns in
strict alternation (an assistant turn being its text and/or its ``tool_call`` messages), ending
with an assistant turn; see `swift_messages` for the three places this differs from the live
conversation.
"""
from __future__ import annotations

import json
from typing import Any

from trajectories.export.formats.base import JsonlExporter, register_exporter
from trajectories.export.images import ImageSink
from trajectories.export.sample import Sample

IMAGE_TAG = "<image>"


def tagged_text(content: Any, images: ImageSink, paths: list[str]) -> str:
    """Text with one `<image>` tag per image part; appends the image paths to `paths`."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    out = []
    for part in content:
        if part.get("type") == "image":
            out.append(IMAGE_TAG)
            paths.append(images.path(part["image"]))
        else:
            out.append(part.get("text", ""))
    return "".join(out)


def think_prefix(message: dict[str, Any]) -> str:
    reasoning = message.get("reasoning_content")
    return f"<think>\n{reasoning.strip()}\n</think>\n\n" if reasoning else ""


def call_json(call: dict[str, Any]) -> str:
    fn = call["function"]
    return json.dumps({"name": fn["name"], "arguments": fn["arguments"]}, ensure_ascii=False)


def call_xml(calls: list[dict[str, Any]]) -> str:
    """Calls in Qwen3.5's XML tool-call text, as its chat template writes them."""
    blocks = []
    for call in calls:
        fn = call["function"]
        params = "".join(
            f"<parameter={k}>\n{json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v}\n</parameter>\n"
            for k, v in (fn.get("arguments") or {}).items())
        blocks.append(f"<tool_call>\n<function={fn['name']}>\n{params}</function>\n</tool_call>")
    return "\n".join(blocks)


def reply_text(message: dict[str, Any], images: ImageSink, paths: list[str]) -> str:
    """An assistant reply as one text, as Qwen3.5's template writes it: ``<think>`` block (kept
    reasoning), the reply's words, then its calls in XML (after a blank line when there are words)."""
    text = think_prefix(message) + tagged_text(message.get("content"), images, paths)
    calls = message.get("tool_calls") or []
    if not calls:
        return text
    body = tagged_text(message.get("content"), images, []).strip()
    return text + ("\n\n" if body else "") + call_xml(calls)


def swift_messages(messages: list[dict[str, Any]], images: ImageSink, paths: list[str]) -> list[dict[str, str]]:
    """Sample messages in ms-swift's layout, paired as ms-swift encodes them.

    ms-swift pairs a query (user, or the tool results of the previous reply) with one assistant
    reply, strictly in turn. So: a user message right after tool results (a desktop step's
    screenshot) joins the last ``tool_response``; an opening assistant turn (tau2's greeting)
    gets an explicit empty user turn before it, which is what ms-swift would insert itself;
    calls with no result after them (the reply that ends a desktop task) stay in the assistant
    text, written as Qwen3.5's template writes them.
    """
    out: list[dict[str, str]] = []
    for k, m in enumerate(messages):
        role = m["role"]
        if role == "system":
            out.append({"role": "system", "content": tagged_text(m.get("content"), images, paths)})
            continue
        if role == "assistant" and (not out or out[-1]["role"] == "system"):
            out.append({"role": "user", "content": ""})
        if role == "assistant":
            calls = m.get("tool_calls") or []
            answered = k + 1 < len(messages) and messages[k + 1]["role"] == "tool"
            if calls and not answered:
                out.append({"role": "assistant", "content": reply_text(m, images, paths)})
                continue
            text = think_prefix(m) + tagged_text(m.get("content"), images, paths)
            if text or not calls:
                out.append({"role": "assistant", "content": text})
            out.extend({"role": "tool_call", "content": call_json(c)} for c in calls)
        elif role == "tool":
            out.append({"role": "tool_response", "content": tagged_text(m.get("content"), images, paths)})
        elif out and out[-1]["role"] == "tool_response":
            out[-1]["content"] += "\n" + tagged_text(m.get("content"), images, paths)
        else:
            out.append({"role": role, "content": tagged_text(m.get("content"), images, paths)})
    return out


@register_exporter
class SwiftExporter(JsonlExporter):
    name = "swift"
    description = "ms-swift agent format (tool_call / tool_response roles, tools as a JSON string, <image> + images)"

    def record(self, sample: Sample) -> dict[str, Any]:
        paths: list[str] = []
        messages = swift_messages(sample.messages, self.images, paths)
        return {"messages": messages, "tools": json.dumps(sample.tools, ensure_ascii=False), "images": paths}
