"""The neutral training sample every format is written from.

A `Sample` is one conversation in Qwen3.5's chat shape (what its chat template renders):
messages with roles system/user/assistant/tool, assistant ``tool_calls`` whose ``arguments``
are dicts, reasoning in ``reasoning_content``, and images as content parts
``{"type": "image", "image": <artifact sha256>}``. Formats turn the sha256 into a file path,
a placeholder tag or embedded bytes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.formats import OMITTED_SCREENSHOT
from pydantic import Field

from trajectories.records import EpisodeRow, StepRecord

# As the live Qwen computer-use agent words it.
OMITTED_IMAGE_TEXT = OMITTED_SCREENSHOT


class EpisodeMeta(EpisodeRow):
    """The store's episode record joined with its run's env options: what export needs."""

    env_options: dict[str, Any] = Field(default_factory=dict)

    @property
    def producer(self) -> str:
        """Who produced the trajectory: the model name, or the baseline agent's name."""
        return self.model or self.agent or "unknown"


@dataclass
class EpisodeData:
    meta: EpisodeMeta
    steps: list[StepRecord]


@dataclass
class Sample:
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)

    def image_refs(self) -> list[str]:
        """The sha256 of every image in message order (one entry per occurrence)."""
        return [part["image"] for m in self.messages for part in content_parts(m) if part.get("type") == "image"]


def content_parts(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message.get("content")
    return content if isinstance(content, list) else []


def text_of(content: Any) -> str:
    """The text of a message content (string or parts), images left out."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if p.get("type") == "text")


def keep_last_images(messages: list[dict[str, Any]], limit: int | None) -> int:
    """Replace all but the last `limit` images by a short text, in place; returns how many went."""
    if limit is None:
        return 0
    if limit < 0:
        raise ValueError("max_images must be >= 0")
    seen = dropped = 0
    for message in reversed(messages):
        parts = content_parts(message)
        for i in range(len(parts) - 1, -1, -1):
            if parts[i].get("type") != "image":
                continue
            seen += 1
            if seen > limit:
                parts[i] = {"type": "text", "text": OMITTED_IMAGE_TEXT}
                dropped += 1
    return dropped


def drop_reasoning(messages: list[dict[str, Any]]) -> None:
    for message in messages:
        message.pop("reasoning_content", None)


def trim_to_last_assistant(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Training targets are assistant turns: what follows the last one teaches nothing."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i]["role"] == "assistant":
            return messages[: i + 1]
    return []
