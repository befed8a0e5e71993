"""ms-swift agent format.

One line: ``{"messages": [...], "tools": "<JSON string>", "images": [paths]}``. Assistant tool
calls become ``tool_call`` messages whose content is ``{"name", "arguments": {...}}`` as JSON
(swift's agent template renders them for the model, here Qwen3.5's XML); tool results become
``tool_response`` messages. Each image is an ``<image>`` tag in the text, in the order of the
``images`` list. Kept reasoning goes first in the assistant text as ``<think>…</think>``.
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


@register_exporter
class SwiftExporter(JsonlExporter):
    name = "swift"
    description = "ms-swift agent format (tool_call / tool_response roles, tools as a JSON string, <image> + images)"

    def record(self, sample: Sample) -> dict[str, Any]:
        paths: list[str] = []
        messages: list[dict[str, str]] = []
        for m in sample.messages:
            role = m["role"]
            if role == "assistant":
                text = think_prefix(m) + tagged_text(m.get("content"), self.images, paths)
                if text or not m.get("tool_calls"):
                    messages.append({"role": "assistant", "content": text})
                messages.extend({"role": "tool_call", "content": call_json(c)} for c in m.get("tool_calls") or [])
            elif role == "tool":
                messages.append({"role": "tool_response", "content": tagged_text(m.get("content"), self.images, paths)})
            else:
                messages.append({"role": role, "content": tagged_text(m.get("content"), self.images, paths)})
        return {"messages": messages, "tools": json.dumps(sample.tools, ensure_ascii=False), "images": paths}
