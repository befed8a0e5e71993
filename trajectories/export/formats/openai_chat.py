"""OpenAI chat JSONL: ``{"messages": [...], "tools": [...]}`` per line.

The OpenAI wire shape: tool-call ``arguments`` are JSON strings (a Qwen3.5 trainer parses them
back into the dicts its chat template needs), images are ``image_url`` parts whose URL is the
file's path relative to the export directory (never base64), tool results carry their
``tool_call_id``. Reasoning, when kept, is ``reasoning_content`` (the field Qwen3.5's chat
template reads); OpenAI's own fine-tuning API does not take that field, so export such data
with ``thinking=drop`` for it.
"""
from __future__ import annotations

import json
from typing import Any

from trajectories.export.formats.base import JsonlExporter, register_exporter
from trajectories.export.images import ImageSink
from trajectories.export.sample import Sample


def openai_content(content: Any, images: ImageSink) -> Any:
    if not isinstance(content, list):
        return content if content is not None else ""
    parts = []
    for part in content:
        if part.get("type") == "image":
            parts.append({"type": "image_url", "image_url": {"url": images.path(part["image"])}})
        else:
            parts.append({"type": "text", "text": part.get("text", "")})
    return parts


def openai_messages(messages: list[dict[str, Any]], images: ImageSink) -> list[dict[str, Any]]:
    out = []
    for m in messages:
        msg: dict[str, Any] = {"role": m["role"], "content": openai_content(m.get("content"), images)}
        if m.get("reasoning_content"):
            msg["reasoning_content"] = m["reasoning_content"]
        if m.get("tool_calls"):
            msg["tool_calls"] = [
                {"id": c["id"], "type": "function",
                 "function": {"name": c["function"]["name"],
                              "arguments": json.dumps(c["function"]["arguments"], ensure_ascii=False)}}
                for c in m["tool_calls"]]
        if m["role"] == "tool":
            msg["tool_call_id"] = m.get("tool_call_id", "")
            if m.get("name"):
                msg["name"] = m["name"]
        out.append(msg)
    return out


@register_exporter
class OpenAIChatExporter(JsonlExporter):
    name = "openai"
    description = "OpenAI chat JSONL (messages + tools; arguments as JSON strings; image_url paths)"

    def record(self, sample: Sample) -> dict[str, Any]:
        return {"messages": openai_messages(sample.messages, self.images), "tools": sample.tools}
