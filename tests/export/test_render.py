"""Every exported sample of every format, rendered with Qwen3.5's chat template."""
from __future__ import annotations

import json
from typing import Any

import datasets
import pytest

from tests.export.conftest import FORMATS, read_jsonl
from tests.export.qwen_template import IMAGE_PAD, READERS, load_template, read_parquet_row, render
from tests.export.seed import GPT_EXPECTED_QWEN, GPT_FINAL, GREETING, QWEN_CALLS, TAU2_POLICY, TAU2_TOOLS, H, W
from agents.formats import AFTER_ACTION, EXECUTED


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
    index = read_jsonl(report.out_dir / "meta" / "episodes.jsonl")
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
    # ms-swift's and LLaMA-Factory's strict query/reply pairing reshapes turns: checked on their own.
    same = [f for f in FORMATS if f not in ("llamafactory", "swift")]
    texts = {fmt: rendered(full_exports[fmt], template) for fmt in same}
    for fmt in same[1:]:
        assert texts[fmt] == texts["openai"], f"{fmt} renders differently from openai"


def paired(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The live conversation reshaped as ms-swift pairs it: an empty user turn before an assistant
    opening, and a user message after tool results joined to the last result ("\n" between)."""
    out: list[dict[str, Any]] = []
    for m in messages:
        if m["role"] == "assistant" and (not out or out[-1]["role"] == "system"):
            out.append({"role": "user", "content": ""})
        if m["role"] == "user" and out and out[-1]["role"] == "tool":
            def parts(content: Any) -> list[dict[str, Any]]:
                return content if isinstance(content, list) else [{"type": "text", "text": content}]
            out[-1] = {**out[-1], "content": parts(out[-1]["content"]) + [{"type": "text", "text": "\n"}]
                       + parts(m["content"])}
            continue
        out.append(m)
    return out


def test_swift_renders_the_live_text_paired(full_exports: dict, template: Any) -> None:
    live = [render(template, paired(messages), tools) for messages, tools, _ in records(full_exports["openai"])]
    assert rendered(full_exports["swift"], template) == live
    messages, tools, n_images = _sample(full_exports["swift"], "qwen3.5-9b", "osworld-lite")
    text = render(template, messages, tools)
    # the tool result and the following screenshot share one tool turn, as in LLaMA-Factory
    assert f"<tool_response>\n{EXECUTED}\n{IMAGE_PAD}{AFTER_ACTION}\n</tool_response>" in text
    assert text.count(IMAGE_PAD) == n_images == 4


def _trainer_turns(roles: list[str]) -> list[str]:
    """Roles as the trainer pairs them: a reply's text and calls are one assistant turn; consecutive
    queries of one kind are one query (ms-swift merges user+user and tool+tool, not tool+user)."""
    turns: list[str] = []
    for role in roles:
        role = {"tool_call": "assistant", "tool_response": "tool", "function_call": "assistant", "gpt": "assistant",
                "human": "user", "observation": "tool"}.get(role, role)
        if turns and turns[-1] == role:
            continue
        turns.append(role)
    return turns


def _check_pairing(roles: list[str], n_tags: int, n_images: int) -> None:
    turns = _trainer_turns(roles)
    if turns and turns[0] == "system":
        turns = turns[1:]
    assert turns and turns[0] == "user", f"opens with {turns[:1]}: {roles}"
    assert turns[-1] == "assistant", roles
    for query, reply in zip(turns[::2], turns[1::2]):
        assert query in ("user", "tool") and reply == "assistant", roles
    assert len(turns) % 2 == 0, roles
    assert n_tags == n_images


@pytest.mark.parametrize("fmt", ["swift", "llamafactory"])
def test_rows_pair_as_the_trainers_require(fmt: str, full_exports: dict) -> None:
    # ms-swift: [system] then (user | tool)+ / assistant pairs, ending with an assistant turn (else
    # "AssertionError: response_role"); every tool_call followed by a result or another call, except
    # none at all (a reply's unanswered calls are in its text). LLaMA-Factory: human/observation at
    # even positions, gpt/function_call at odd ones.
    out = full_exports[fmt].out_dir
    rows = read_jsonl(out / "data.jsonl")
    assert {json.loads(line)["env"] for line in (out / "meta" / "episodes.jsonl").read_text().splitlines()} == \
        {"osworld-lite", "tau2-lite"}
    for row in rows:
        if fmt == "swift":
            messages = row["messages"]
            roles = [m["role"] for m in messages]
            for k, role in enumerate(roles):
                if role == "tool_call":
                    assert k + 1 < len(roles) and roles[k + 1] in ("tool_call", "tool_response"), roles
                if role == "tool_response":
                    assert roles[k - 1] in ("tool_call", "tool_response"), roles
            assert "user" not in [r for r, prev in zip(roles[1:], roles) if prev == "tool_response"], roles
            n_tags = sum(m["content"].count("<image>") for m in messages)
        else:
            roles = (["system"] if row["system"] else []) + [t["from"] for t in row["conversations"]]
            sides = [t["from"] for t in row["conversations"]]
            assert all((s in ("human", "observation")) == (i % 2 == 0) for i, s in enumerate(sides)), sides
            n_tags = sum(t["value"].count("<image>") for t in row["conversations"]) + row["system"].count("<image>")
        _check_pairing(roles, n_tags, len(row["images"]))


@pytest.mark.parametrize("fmt", FORMATS)
def test_data_folders_hold_only_data(fmt: str, full_exports: dict) -> None:
    # ms-swift loads every *.jsonl of a folder as data (episodes.jsonl beside data.jsonl crashed
    # it): export metadata lives under meta/, the DPO pairs under pairs/, manifest.json at the top.
    out = full_exports[fmt].out_dir
    top = sorted(p.name for p in out.glob("*.jsonl"))
    assert top == ([] if fmt == "parquet" else ["data.jsonl"])
    assert sorted(p.name for p in (out / "meta").iterdir()) == ["episodes.jsonl", "pairs.jsonl"]
    assert sorted(p.name for p in (out / "pairs").iterdir()) == ["pairs.jsonl"]
    assert (out / "manifest.json").is_file()
    for row in read_jsonl(out / "pairs" / "pairs.jsonl"):
        assert set(row) == {"prompt", "chosen", "rejected", "tools", "images", "chosen_images", "rejected_images"}


def test_llamafactory_merges_user_side_turns(full_exports: dict, template: Any) -> None:
    rec = read_jsonl(full_exports["llamafactory"].out_dir / "data.jsonl")
    for r in rec:
        sides = [t["from"] for t in r["conversations"]]
        assert all((s in ("human", "observation")) == (i % 2 == 0) for i, s in enumerate(sides))
    messages, tools, n_images = _sample(full_exports["llamafactory"], "qwen3.5-9b", "osworld-lite")
    text = render(template, messages, tools)
    # the tool result and the following screenshot share one observation turn
    assert f"<tool_response>\n{EXECUTED}\n{IMAGE_PAD}{AFTER_ACTION}\n</tool_response>" in text
    assert text.count(IMAGE_PAD) == n_images == 4


def _sample(report: Any, model: str, env: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    index = read_jsonl(report.out_dir / "meta" / "episodes.jsonl")
    samples = records(report)
    found = [s for s, meta in zip(samples, index) if meta["model"] == model and meta["env"] == env]
    assert found, f"no {model} sample for {env}"
    return found[0]


def computer_calls(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c["function"]["arguments"] for m in messages if m["role"] == "assistant"
            for c in m.get("tool_calls") or []]


def replies(messages: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [[c["function"]["arguments"] for c in m["tool_calls"]] for m in messages
            if m["role"] == "assistant" and m.get("tool_calls")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_gpt_desktop_actions_become_qwen_grid_calls(fmt: str, full_exports: dict, template: Any) -> None:
    messages, tools, n_images = _sample(full_exports[fmt], "gpt-5.4-mini", "osworld-lite")
    # Pixel clicks/drags on a 320x200 screen, re-expressed on Qwen's 0-1000 grid, one reply per
    # GPT turn; the 3-point drag (MOUSE_DOWN ... MOUSE_UP) becomes one left_click_drag; the
    # reply without actions (DONE) becomes terminate, its text kept.
    assert replies(messages) == GPT_EXPECTED_QWEN
    # (LLaMA-Factory: a call with words is a gpt turn holding words and XML call, so the text stays.)
    assert messages[-1]["content"] == GPT_FINAL
    text = render(template, messages, tools)
    assert "<parameter=coordinate>\n[250, 750]\n</parameter>" in text
    assert "<parameter=keys>\n[\"ctrl\", \"s\"]\n</parameter>" in text
    assert "The screen's resolution is 1000x1000." in text
    assert n_images == len(GPT_EXPECTED_QWEN)   # the first screen + one after each non-final reply


def test_qwen_desktop_layout_matches_the_agent(full_exports: dict) -> None:
    messages, _, _ = _sample(full_exports["trl"], "qwen3.5-9b", "osworld-lite")
    assert [a for reply in replies(messages) for a in reply] == [args for args, _ in QWEN_CALLS]
    assert [m.get("reasoning_content") for m in messages if m["role"] == "assistant"] == [r for _, r in QWEN_CALLS]
    assert [m["role"] for m in messages] == ["system", "user"] + ["assistant", "tool", "user"] * 3 + ["assistant"]
    assert messages[1]["content"][0]["text"].startswith("Task: Type hello world and save the file.")
    tool_results = [m["content"] for m in messages if m["role"] == "tool"]
    assert tool_results == [EXECUTED, "Error: TYPING: no window has the focus", EXECUTED]
    assert messages[4]["content"][1] == {"type": "text", "text": AFTER_ACTION}


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
    roles = ["system", "assistant", "user", "assistant", "tool", "tool", "assistant", "user", "assistant", "tool",
             "assistant"]
    opening = 1
    if fmt in ("swift", "llamafactory"):   # the greeting gets an explicit empty user turn before it
        roles.insert(1, "user")
        assert messages[1] == {"role": "user", "content": ""}
        opening = 2
    if fmt == "llamafactory":   # results of parallel calls share one observation
        roles.remove("tool")
    assert messages[opening] == {"role": "assistant", "content": GREETING}
    assert [m["role"] for m in messages] == roles
    # two calls of one reply, stepped one by one, are one assistant message again
    reply = next(m for m in messages if len(m.get("tool_calls") or []) == 2)
    assert [c["function"]["arguments"]["order_id"] for c in reply["tool_calls"]] == ["#W1001", "#W1002"]
    text = render(template, messages, tools)
    assert TAU2_POLICY in text.split("</IMPORTANT>")[1]
    assert "<function=cancel_pending_order>\n<parameter=order_id>\n#W1001\n</parameter>\n" \
           "<parameter=reason>\nno longer needed\n</parameter>\n</function>" in text
    assert '<|im_start|>user\n<tool_response>\n{"order_id": "#W1001", "status": "cancelled"}\n</tool_response>' in text
    # Reasoning is kept on every assistant turn; Qwen3.5's template shows it for the turns after
    # the last user message (earlier turns' thinking is not part of the rendered history).
    assert reply["reasoning_content"] == "Look the orders up first."
    assert "<think>\nThe user confirmed.\n</think>" in text
    assert "Look the orders up first." not in text
    assert "###STOP###" not in text                     # nothing after the last assistant turn


def test_oracle_episode_uses_the_environment_spec(full_exports: dict, run_export: Any) -> None:
    messages, tools, _ = _sample(full_exports["trl"], "oracle", "tau2-lite")
    assert tools == TAU2_TOOLS and messages[0] == {"role": "system", "content": TAU2_POLICY}
    # the task's conversation prefix, as the agent saw it, with dict arguments
    assert messages[1]["tool_calls"][0]["function"] == {"name": "get_order_details", "arguments": {"order_id": "#W0"}}
    assert [m["role"] for m in messages[1:5]] == ["assistant", "tool", "assistant", "user"]
    # Without a spec (no environment, no recorded request) the episode is skipped, with a reason.
    report = run_export("trl", models="oracle", provider=None)
    assert report.samples == 0
    assert any("no system prompt and tools" in reason for reason in report.skipped)
