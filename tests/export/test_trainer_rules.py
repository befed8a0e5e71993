"""Rules the trainers' own loaders enforce beyond role order, pinned on an export with reasoning kept.

LLaMA-Factory 0.9.5 parses a ``function_call`` turn as JSON (its checker and `FunctionFormatter`),
so a reasoned or worded call is a ``gpt`` turn whose text is what the qwen3_5 function formatter
would render: ``<think>`` block, words, XML calls. ms-swift 4.6.0 takes ``tool_call`` messages as
``{"name", "arguments"}`` JSON and the reply's reasoning in the assistant text before them.
"""
from __future__ import annotations

import json
from typing import Any

from tests.export.conftest import read_jsonl
from tests.export.seed import QWEN_CALLS


def _llamafactory_rows(full_exports: dict[str, Any]) -> list[dict[str, Any]]:
    return read_jsonl(full_exports["llamafactory"].out_dir / "data.jsonl")


def test_llamafactory_function_calls_are_bare_json(full_exports: dict[str, Any]) -> None:
    calls = [t["value"] for r in _llamafactory_rows(full_exports) for t in r["conversations"]
             if t["from"] == "function_call"]
    assert calls, "the export has bare calls (tau2's)"
    for value in calls:
        parsed = json.loads(value)   # no <think> prefix, no text around the JSON
        for call in parsed if isinstance(parsed, list) else [parsed]:
            assert set(call) == {"name", "arguments"} and isinstance(call["arguments"], dict)


def test_llamafactory_reasoned_calls_are_gpt_turns_in_qwen_text(full_exports: dict[str, Any]) -> None:
    reasoned = [t["value"] for r in _llamafactory_rows(full_exports) for t in r["conversations"]
                if t["from"] == "gpt" and "<tool_call>" in t["value"]]
    reasons = [r for _, r in QWEN_CALLS]
    for reason in reasons:
        found = [v for v in reasoned if v.startswith(f"<think>\n{reason}\n</think>\n\n")]
        assert found, reason
        value = found[0]
        # The call follows the thought at once, in the XML LLaMA-Factory's Qwen35ToolUtils writes.
        assert value.split("</think>\n\n", 1)[1].startswith("<tool_call>\n<function=computer_use>\n<parameter=action>\n")
        assert value.endswith("</function>\n</tool_call>")


def test_swift_reasoning_precedes_the_calls(full_exports: dict[str, Any]) -> None:
    rows = read_jsonl(full_exports["swift"].out_dir / "data.jsonl")
    seen = 0
    for row in rows:
        messages = row["messages"]
        for k, m in enumerate(messages):
            if m["role"] == "tool_call":
                json.loads(m["content"])
                assert "<think>" not in m["content"]
            if m["role"] == "assistant" and m["content"].startswith("<think>\n"):
                seen += 1
                nxt = messages[k + 1]["role"] if k + 1 < len(messages) else None
                # reasoning then the reply's calls, or a last reply with its calls in the text
                assert nxt in ("tool_call", None) or "<tool_call>" in m["content"], (nxt, m["content"][:80])
    assert seen >= len(QWEN_CALLS)
