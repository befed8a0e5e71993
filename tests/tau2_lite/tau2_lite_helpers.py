"""Helpers shared by the tau2-lite tests."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from envs.types import ChatReply


def load_vectors(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((directory / "vectors").glob("*.json"))]


class ScriptedJudge:
    """Stands in for the judge model: answers every assertion with a fixed verdict, in the
    JSON the judge prompt asks for, and reports a cost."""

    name = "scripted-judge"

    def __init__(self, verdict: bool = True, cost: float = 0.002, raw: str | None = None) -> None:
        self.verdict, self.cost, self.raw = verdict, cost, raw
        self.requests: list[list[dict[str, Any]]] = []

    def chat(self, messages, *, tools=None, temperature=None) -> ChatReply:
        self.requests.append(messages)
        outcomes = messages[-1]["content"].split("Expected outcomes:\n", 1)[1].splitlines()
        results = [{"expectedOutcome": o[2:], "reasoning": "scripted", "metExpectation": self.verdict}
                   for o in outcomes if o.startswith("- ")]
        content = self.raw if self.raw is not None else json.dumps({"results": results})
        return ChatReply(content=content, tokens_in=100, tokens_out=20, cost_usd=self.cost,
                         record={"model": self.name, "request": {"messages": messages},
                                 "response": {"role": "assistant", "content": content}})
