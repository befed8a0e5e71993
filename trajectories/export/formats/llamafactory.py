"""LLaMA-Factory sharegpt format plus its ``dataset_info.json``.

One line: ``{"conversations": [{"from", "value"}...], "system", "tools": "<JSON>", "images"}``.
Roles: human / gpt / function_call (``{"name", "arguments"}`` JSON, a list for parallel calls)
/ observation. LLaMA-Factory wants human or observation turns at even positions and gpt or
function_call at odd ones, so: turns of the same side are merged (a desktop step's tool result
and the screenshot that follows it become one observation), and an assistant opening (tau2's
greeting, before any user turn) gets an explicit empty human turn before it (LLaMA-Factory
rejects a row that opens with gpt). A reply whose calls come with reasoning (``--thinking
keep``) or words is a ``gpt`` turn holding ``<think>…</think>``, the words and the calls in
Qwen3.5's XML, the exact text the template gives it; a bare call is a ``function_call`` turn.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trajectories.export.formats.base import JsonlExporter, register_exporter
from trajectories.export.formats.swift import reply_text, tagged_text, think_prefix
from trajectories.export.sample import Sample, text_of

USER_SIDE = ("human", "observation")


@register_exporter
class LlamaFactoryExporter(JsonlExporter):
    name = "llamafactory"
    description = "LLaMA-Factory sharegpt (function_call / observation) + dataset_info.json"

    def open(self) -> None:
        super().open()
        self.dropped_texts = 0

    def _turn(self, m: dict[str, Any], paths: list[str]) -> tuple[str, str] | None:
        role = m["role"]
        if role == "assistant":
            calls = m.get("tool_calls") or []
            if calls and (m.get("reasoning_content") or text_of(m.get("content")).strip()):
                # A function_call turn holds the JSON call and nothing else (LLaMA-Factory's
                # checker and its JSON parse want exactly that): a call with reasoning or words
                # is a gpt turn with the text Qwen3.5's template writes, the same text
                # LLaMA-Factory's qwen3_5 function formatter renders for the call.
                return "gpt", reply_text(m, self.images, paths)
            if calls:
                body = [{"name": c["function"]["name"], "arguments": c["function"]["arguments"]} for c in calls]
                value = json.dumps(body[0] if len(body) == 1 else body, ensure_ascii=False)
                return "function_call", think_prefix(m) + value
            return "gpt", think_prefix(m) + tagged_text(m.get("content"), self.images, paths)
        if role == "tool":
            return "observation", tagged_text(m.get("content"), self.images, paths)
        if role == "user":
            return "human", tagged_text(m.get("content"), self.images, paths)
        return None

    def record(self, sample: Sample) -> dict[str, Any]:
        paths: list[str] = []
        system = ""
        turns: list[dict[str, str]] = []
        for m in sample.messages:
            if m["role"] == "system":
                system = tagged_text(m.get("content"), self.images, paths)
                continue
            if not turns and m["role"] == "assistant":
                turns.append({"from": "human", "value": ""})
            turn = self._turn(m, paths)
            if turn is None:
                continue
            side, value = turn
            if turns and (turns[-1]["from"] in USER_SIDE) == (side in USER_SIDE):
                prev = turns[-1]
                if side in USER_SIDE:
                    # Results of parallel calls, or a tool result followed by the screenshot the
                    # agent sends as a user message: one turn, of the first kind.
                    prev["value"] += "\n" + value
                    continue
                if prev["from"] == side == "gpt":
                    prev["value"] += "\n" + value
                    continue
                self.dropped_texts += 1  # text then a call, two turns in a row: keep the call
                turns.pop()
            turns.append({"from": side, "value": value})
        while turns and turns[-1]["from"] in USER_SIDE:
            turns.pop()
        return {"conversations": turns, "system": system,
                "tools": json.dumps(sample.tools, ensure_ascii=False), "images": paths}

    def extra_files(self) -> list[Path]:
        info = {self.dataset_name: {
            "file_name": self.file_name,
            "formatting": "sharegpt",
            "columns": {"messages": "conversations", "system": "system", "tools": "tools", "images": "images"},
            "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt",
                     "observation_tag": "observation", "function_tag": "function_call", "system_tag": "system"},
        }}
        path = self.out_dir / "dataset_info.json"
        path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        return [path]
