"""Computer-use agents against the scripted endpoint (real HTTP, real SDK), without a desktop."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from agents.agent import make_agent
from agents.models.records import png_data_url
from agents.observations import encode_png
from envs.types import AgentSpec, TaskInfo, Termination
from tests.agents_models.scripted_server import (
    ScriptedServer, chat_reply, computer_call, context_overflow, message, qwen_computer_call,
    responses_reply, server_error,
)

W, H = 1280, 720
FAST = dict(retry_max_attempts=3, retry_initial_s=0.01, retry_max_s=0.02, retry_jitter_s=0.0)
TASK = TaskInfo(id="t1", env="osworld-lite", domain="os", instruction="Open the terminal.")
SPEC = AgentSpec(kind="computer", instruction="Open the terminal.", screen_width=W, screen_height=H)


def shot(seed: int) -> dict:
    image = np.full((H, W, 3), 40 + seed, dtype=np.uint8)   # distinct per seed, cheap to encode
    image[:32, :32] = np.random.default_rng(seed).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    return {"screenshot": image, "instruction": TASK.instruction,
            "accessibility_tree": ""}


def agent(model: str, **options):
    a = make_agent("model", model=model, **FAST, **options)
    a.reset(TASK, SPEC)
    return a


def images_in(request_messages: list) -> list:
    return [p for m in request_messages if isinstance(m.get("content"), list)
            for p in m["content"] if p.get("type") in ("image_url", "image_ref")]


async def test_qwen_grid_clicks_feedback_and_image_references(server: ScriptedServer) -> None:
    server.script("chat",
                  qwen_computer_call({"action": "left_click", "coordinate": [500, 500]}),
                  qwen_computer_call({"action": "type", "text": "ls\n"}),
                  qwen_computer_call({"action": "terminate", "status": "success"}))
    a = agent("qwen3.5-9b")
    obs0 = shot(0)
    turn = await a.act(obs0)
    assert turn.actions == [{"action_type": "CLICK", "button": "left", "num_clicks": 1, "x": 640, "y": 360}]
    assert turn.reasoning and turn.output["computer_use"][0]["action"] == "left_click"
    [call] = turn.model_calls
    refs = images_in(call.request["messages"])
    assert refs == [{"type": "image_ref", "sha256": hashlib.sha256(encode_png(obs0["screenshot"])).hexdigest()}]
    a.feedback(turn.actions[0], shot(1), {"action_error": "x out of screen"})
    turn = await a.act(shot(1))
    assert turn.actions == [{"action_type": "TYPING", "text": "ls\n"}]
    sent = server.requests["chat"][1]["messages"]
    tool_msg = [m for m in sent if m["role"] == "tool"][0]
    assert "x out of screen" in tool_msg["content"]
    assert sent[2]["tool_calls"][0]["function"]["name"] == "computer_use"   # its own previous action
    turn = await a.act(shot(2))
    assert turn.actions == [{"action_type": "DONE"}]
    await a.aclose()


async def test_qwen_keeps_only_the_last_screenshots(server: ScriptedServer) -> None:
    server.script("chat", *[qwen_computer_call({"action": "wait", "time": 1}) for _ in range(5)])
    a = agent("qwen3.5-9b", max_images=2)
    for i in range(5):
        await a.act(shot(i))
    last = server.requests["chat"][-1]["messages"]
    assert len(images_in(last)) == 2
    assert sum("omitted" in json.dumps(m) for m in last) == 3
    await a.aclose()


async def test_qwen_malformed_and_unknown_calls_get_corrections(server: ScriptedServer) -> None:
    server.script("chat",
                  qwen_computer_call('{"action": "left_click", "coordinate": [1'),
                  chat_reply(None, [("open_terminal", {})]),
                  chat_reply("I would click the terminal icon."),
                  qwen_computer_call({"action": "key", "keys": ["ctrl", "alt", "t"]}))
    a = agent("qwen3.5-9b")
    turn = await a.act(shot(0))
    assert turn.actions == [{"action_type": "HOTKEY", "keys": ["ctrl", "alt", "t"]}]
    assert len(turn.model_calls) == 4 and len(turn.output["agent_errors"]) == 3
    assert "not valid JSON" in turn.output["agent_errors"][0]
    assert "unknown tool 'open_terminal'" in turn.output["agent_errors"][1]
    assert "no tool call" in turn.output["agent_errors"][2]
    third = server.requests["chat"][3]["messages"]
    assert "could not be executed" in json.dumps(third)
    await a.aclose()


async def test_qwen_gives_up_after_bounded_corrections(server: ScriptedServer) -> None:
    server.script("chat", *[qwen_computer_call({"action": "fly"}) for _ in range(3)])
    a = agent("qwen3.5-9b", max_corrections=2)
    turn = await a.act(shot(0))
    assert turn.actions == [] and "gave up" in turn.output["gave_up"]
    assert turn.ending == Termination.AGENT_ERROR
    assert server.remaining("chat") == 0 and len(turn.model_calls) == 3
    await a.aclose()


async def test_qwen_thinking_off_and_absolute_coordinates(server: ScriptedServer) -> None:
    server.script("chat", qwen_computer_call({"action": "left_click", "coordinate": [640, 352]}))
    a = agent("qwen3.5-9b", thinking="off", coordinates="absolute")
    turn = await a.act(shot(0))
    assert turn.actions[0]["x"] == 640 and turn.actions[0]["y"] == 360   # 1280x704 image -> 1280x720
    req = server.requests["chat"][0]
    assert req["chat_template_kwargs"] == {"enable_thinking": False}
    assert "1280x704" in req["tools"][0]["function"]["description"]
    await a.aclose()


async def test_endpoint_down_is_an_infrastructure_error(server: ScriptedServer) -> None:
    server.script("chat", *[server_error() for _ in range(3)])
    a = agent("qwen3.5-9b")
    turn = await a.act(shot(0))
    assert turn.ending == Termination.INFRA_ERROR and "3 attempt(s) failed" in turn.error
    assert turn.actions == []
    assert len(turn.model_calls) == 3 and all(c.error for c in turn.model_calls)
    await a.aclose()


async def test_context_overflow_trims_history_and_is_recorded(server: ScriptedServer) -> None:
    server.script("chat", *[qwen_computer_call({"action": "wait", "time": 1}) for _ in range(4)],
                  context_overflow(), qwen_computer_call({"action": "wait", "time": 1}))
    a = agent("qwen3.5-9b")
    for i in range(4):
        await a.act(shot(i))
    turn = await a.act(shot(4))
    assert turn.actions == [{"action_type": "WAIT", "seconds": 1.0}]
    assert "context_trimmed" in turn.output and turn.model_calls[0].error
    before, after = server.requests["chat"][-2]["messages"], server.requests["chat"][-1]["messages"]
    assert len(after) < len(before) and after[0] == before[0]      # system prompt kept
    assert after[1]["content"][0] == before[1]["content"][0]           # and the task
    current = png_data_url(encode_png(shot(4)["screenshot"]))
    assert images_in(after)[-1]["image_url"]["url"] == current           # and the current screen
    await a.aclose()


async def test_gpt_batched_actions_safety_checks_and_end_of_turn(server: ScriptedServer) -> None:
    check = {"id": "cu_sc_1", "code": "irrelevant_domain", "message": "Confirm the site."}
    server.script("responses",
                  responses_reply([computer_call([{"type": "click", "button": "left", "x": 30, "y": 700},
                                                  {"type": "type", "text": "ls"},
                                                  {"type": "keypress", "keys": ["ENTER"]}], [check])]),
                  responses_reply([message("The terminal shows the listing. Task complete.")]))
    a = agent("gpt-5.4-mini", reasoning_effort="low")
    turn = await a.act(shot(0))
    assert turn.actions == [{"action_type": "CLICK", "x": 30, "y": 700, "button": "left", "num_clicks": 1},
                            {"action_type": "TYPING", "text": "ls"}, {"action_type": "PRESS", "key": "enter"}]
    assert turn.output["safety_checks_acknowledged"] == [check]
    first = server.requests["responses"][0]
    assert first["tools"] == [{"type": "computer"}] and first["reasoning"] == {"effort": "low"}
    assert [p["type"] for p in first["input"][0]["content"]] == ["input_text", "input_image"]
    turn = await a.act(shot(1))
    assert turn.actions == [{"action_type": "DONE"}]
    second = server.requests["responses"][1]
    assert second["previous_response_id"].startswith("resp_")
    out = second["input"][0]
    assert out["type"] == "computer_call_output" and out["acknowledged_safety_checks"] == [check]
    assert out["output"]["type"] == "computer_screenshot" and out["output"]["image_url"].startswith("data:image/png")
    await a.aclose()


async def test_gpt_infeasible_confirmation_and_screenshot_only_batches(server: ScriptedServer) -> None:
    server.script("responses",
                  responses_reply([computer_call([{"type": "screenshot"}])]),
                  responses_reply([message("Should I delete the file?")]),
                  responses_reply([message("INFEASIBLE: there is no such application.")]))
    a = agent("gpt-5.4-mini")
    turn = await a.act(shot(0))
    assert turn.actions == [{"action_type": "FAIL"}]
    assert turn.output["confirmations"] == ["Should I delete the file?"] and len(turn.model_calls) == 3
    reqs = server.requests["responses"]
    assert reqs[1]["input"][0]["type"] == "computer_call_output"
    assert reqs[2]["input"] == [{"role": "user", "content": "Please continue on your own; do not ask for confirmation."}]
    await a.aclose()


async def test_gpt_empty_or_incomplete_reply_is_an_agent_error(server: ScriptedServer) -> None:
    incomplete = responses_reply([])
    incomplete["status"] = "incomplete"
    server.script("responses", incomplete, responses_reply([message("Done.")]))
    a = agent("gpt-5.4-mini")
    turn = await a.act(shot(0))
    assert turn.actions == [{"action_type": "DONE"}]
    assert "response status incomplete" in turn.output["agent_errors"][0]
    await a.aclose()


async def test_gpt_client_side_state_resends_history_with_last_screenshots(server: ScriptedServer) -> None:
    server.script("responses", *[responses_reply([computer_call([{"type": "wait"}])]) for _ in range(3)])
    a = agent("gpt-5.4-mini", responses_state="client", max_images=1)
    for i in range(3):
        await a.act(shot(i))
    last = server.requests["responses"][-1]
    assert "previous_response_id" not in last
    kinds = [i.get("type", "message") for i in last["input"]]
    assert kinds.count("computer_call") == 2 and kinds.count("computer_call_output") == 2
    urls = [i["output"]["image_url"] for i in last["input"] if i.get("type") == "computer_call_output"]
    assert len(urls[0]) < 200 < len(urls[1])   # the older screenshot is a blank placeholder
    await a.aclose()


def test_bad_options_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="needs a model"):
        make_agent("model")
    with pytest.raises(ValueError, match="unknown model agent option.*max_image"):
        make_agent("model", model="qwen3.5-9b", max_image=3)
    with pytest.raises(ValueError, match="thinking must be on or off"):
        make_agent("model", model="qwen3.5-9b", thinking="maybe")
    with pytest.raises(ValueError, match="coordinates must be"):
        make_agent("model", model="qwen3.5-9b", coordinates="normalized")
    with pytest.raises(KeyError, match="Did you mean: qwen3.5-9b"):
        make_agent("model", model="qwen3.5-9")
