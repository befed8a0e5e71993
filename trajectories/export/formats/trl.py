"""TRL conversational format: ``{"messages", "tools", "images"}`` per line.

Messages are what Qwen3.5's chat template takes: tool-call ``arguments`` as dicts, reasoning in
``reasoning_content``, every image a ``{"type": "image"}`` placeholder whose file is the next
entry of ``images`` (paths relative to the export directory). Text-only messages keep string
content. `trl_messages` is shared with the preference pairs.
"""
from __future__ import annotations

from typing import Any

from trajectories.export.formats.base import JsonlExporter, register_exporter
from trajectories.export.images import ImageSink
from trajectories.export.sample import Sample


def trl_messages(messages: list[dict[str, Any]], images: ImageSink, paths: list[str]) -> list[dict[str, Any]]:
    out = []
    for m in messages:
        msg = {k: v for k, v in m.items() if k != "content"}
        content = m.get("content")
        if isinstance(content, list):
            parts = []
            for part in content:
                if part.get("type") == "image":
                    paths.append(images.path(part["image"]))
                    parts.append({"type": "image"})
                else:
                    parts.append({"type": "text", "text": part.get("text", "")})
            msg["content"] = parts
        else:
            msg["content"] = content if content is not None else ""
        out.append(msg)
    return out


@register_exporter
class TrlExporter(JsonlExporter):
    name = "trl"
    description = "TRL conversational (messages with dict arguments, tools, images with {type: image} placeholders)"

    def record(self, sample: Sample) -> dict[str, Any]:
        paths: list[str] = []
        messages = trl_messages(sample.messages, self.images, paths)
        return {"messages": messages, "tools": sample.tools, "images": paths}
