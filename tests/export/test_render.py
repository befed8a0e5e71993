"""Every exported sample of every format, rendered with Qwen3.5's chat template."""
from __future__ import annotations

import json
from typing import Any

import datasets
import pytest

from tests.export.conftest import FORMATS, read_jsonl
from tests.export.qwen_template import IMAGE_PAD, READERS, load_template, read_parquet_row, render
from tests.export.seed import GPT_EXPECTED_QWEN, QWEN_CALLS, TAU2_POLICY, TAU2_TOOLS, H, W


@pytest.fixture(scope="module")
def template():
    return load_template()


def records(report: Any) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]], int]]:
    if report.format == "parquet":
        ds = datasets.load_dataset("parquet", data_files=str(report.out_dir / "data" / "train.parquet"), split="train")
        return [read_parquet_row(row) for row in ds]
    data = read_jsonl(report.out_dir / "data.jsonl")
    return [READERS[report.format](rec) for rec in data]


def expected_call_block(call: dict[str, Any]) -> str:
    """The text Qwen3.5 is trained to emit for one call (the XML form its tool parser reads)."""
    fn = call["function"]
    params = "".join(
        f"<parameter={k}>\n{json.dumps(v) if isinstance(v, (dict, list)) else v}\n</parameter>\n"
        for k, v in fn["arguments"].items())
    return f"<tool_call>\n<function={fn['name']}>\n{params}</function>\n</tool_call>"


def rendered(report: Any, template: Any) -> list[str]:
    return [render(template, messages, tools) for messages, tools, _ in records(report)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_sample_renders_as_qwen_expects(fmt: str, full_exports: dict, template: Any) -> None:
    report = full_exports[fmt]
    index = read_jsonl(report.out_dir / "episodes.jsonl")
    samples = records(report)
    assert len(samples) == len(index) == report.samples == 5
    for (messages, tools, n_images), meta in zip(samples, index):
        text = render(template, messages, tools)
        # One image pad per image file, and as many as the episode's screenshots in context.
        assert text.count(IMAGE_PAD) == n_images
        if meta["env"] == "osworld-lite":
            assert n_images >= 3
            assert "<function=computer_use>" in text
        else:
            assert n_images == 0
        calls = [c for m in messages if m["role"] == "assistant" for c in m.get("tool_calls") or []]
        assert calls, "every sample here has tool calls"
        dialogue = text.split("<|im_end|>", 1)[1]   # the system turn shows an example call
        assert dialogue.count("<tool_call>\n<function=") == len(calls)
        for call in calls:
            assert isinstance(call["function"]["arguments"], dict)
            assert expected_call_block(call) in text
        assert text.count("<tool_response>") == sum(1 for m in messages if m["role"] == "tool")
        assert text.startswith("<|im_start|>system\n# Tools\n\nYou have access to the following functions:")
        assert text.rstrip().endswith("<|im_end|>")


def test_formats_render_the_same_text(full_exports: dict, template: Any) -> None:
    texts = {fmt: rendered(full_exports[fmt], template) for fmt in FORMATS}
    for fmt in FORMATS[1:]:
        assert texts[fmt] == texts["openai"], f"{fmt} renders differently from openai"


def _sample(report: Any, model: str, env: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    index = read_jsonl(report.out_dir / "episodes.jsonl")
    samples = records(report)
    found = [s for s, meta in zip(samples, index) if meta["model"] == model and meta["env"] == env]
    assert found, f"no {model} sample for {env}"
    return found[0]


def computer_calls(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c["function"]["arguments"] for m in messages if m["role"] == "assistant"
            for c in m.get("tool_calls") or []]


@pytest.mark.parametrize("fmt", FORMATS)
def test_gpt_desktop_actions_become_qwen_grid_calls(fmt: str, full_exports: dict, template: Any) -> None:
    messages, tools, n_images = _sample(full_exports[fmt], "gpt-5.4-mini", "osworld-lite")
    # Pixel clicks/drags on a 320x200 screen, re-expressed on Qwen's 0-1000 grid; the
    # 3-point drag (MOUSE_DOWN ... MOUSE_UP) becomes one left_click_drag.
    assert computer_calls(messages) == GPT_EXPECTED_QWEN
    assert messages[-1] == {"role": "assistant", "content": "The chart is in place."} or \
        messages[-1]["content"] == "The chart is in place."
    text = render(template, messages, tools)
    assert "<parameter=coordinate>\n[250, 750]\n</parameter>" in text
    assert "<parameter=keys>\n[\"ctrl\", \"s\"]\n</parameter>" in text
    assert "The screen's resolution is 1000x1000." in text
    assert n_images == 1 + len(GPT_EXPECTED_QWEN)   # first screen + one after each action


def test_qwen_desktop_calls_round_trip(full_exports: dict) -> None:
    messages, _, _ = _sample(full_exports["trl"], "qwen3.5-9b", "osworld-lite")
    assert computer_calls(messages) == [args for args, _ in QWEN_CALLS]
    reasoning = [m.get("reasoning_content") for m in messages if m["role"] == "assistant"]
    assert reasoning == [r for _, r in QWEN_CALLS]


def test_absolute_coordinates_use_the_resized_image(run_export: Any) -> None:
    from agents.formats import smart_resize

    report = run_export("trl", models="gpt-5.4-mini", coordinates="absolute")
    (rec,) = read_jsonl(report.out_dir / "data.jsonl")
    h, w = smart_resize(H, W)
    click = computer_calls(rec["messages"])[0]
    assert click == {"action": "left_click", "coordinate": [round(80 * w / W), round(150 * h / H)]}
    assert f"The screen's resolution is {w}x{h}." in rec["tools"][0]["function"]["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_tau2_conversation(fmt: str, full_exports: dict, template: Any) -> None:
    messages, tools, _ = _sample(full_exports[fmt], "qwen3.5-9b", "tau2-lite")
    assert [t["function"]["name"] for t in tools] == [t["function"]["name"] for t in TAU2_TOOLS]
    assert [m["role"] for m in messages] == [
        "system", "user", "assistant", "tool", "assistant", "user", "assistant", "tool", "assistant"]
    text = render(template, messages, tools)
    assert TAU2_POLICY in text.split("</IMPORTANT>")[1]
    assert "<function=cancel_pending_order>\n<parameter=order_id>\n#W1001\n</parameter>\n" \
           "<parameter=reason>\nno longer needed\n</parameter>\n</function>" in text
    assert '<|im_start|>user\n<tool_response>\n{"order_id": "#W1001", "status": "cancelled"}\n</tool_response>' in text
    # Reasoning is kept on every assistant turn; Qwen3.5's template shows it for the turns after
    # the last user message (earlier turns' thinking is not part of the rendered history).
    assert messages[2]["reasoning_content"] == "Look the order up first."
    assert "<think>\nThe user confirmed.\n</think>" in text
    assert "Look the order up first." not in text
    assert "###STOP###" not in text                     # nothing after the last assistant turn


def test_oracle_episode_uses_the_environment_spec(full_exports: dict, run_export: Any) -> None:
    messages, tools, _ = _sample(full_exports["trl"], "oracle", "tau2-lite")
    assert tools == TAU2_TOOLS and messages[0] == {"role": "system", "content": TAU2_POLICY}
    # Without a spec (no environment, no recorded request) the episode is skipped, with a reason.
    report = run_export("trl", models="oracle", provider=None)
    assert report.samples == 0
    assert any("no system prompt and tools" in reason for reason in report.skipped)
