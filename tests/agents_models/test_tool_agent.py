"""Tool-calling agents (tau2-lite wire forms) against the scripted endpoint."""
from __future__ import annotations

import json

from agents.agent import make_agent
from envs.types import AgentSpec, TaskInfo, Termination
from tests.agents_models.scripted_server import (
    ScriptedServer, chat_reply, function_call, message, responses_reply, server_error,
)

FAST = dict(retry_max_attempts=2, retry_initial_s=0.01, retry_max_s=0.02, retry_jitter_s=0.0)
TOOLS = [{"type": "function", "function": {
    "name": "get_order_details", "description": "Look up an order.",
    "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}},
    {"type": "function", "function": {"name": "cancel_order", "description": "Cancel an order.",
                                      "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}}}}]
TASK = TaskInfo(id="0", env="tau2-lite", domain="retail", instruction="help the customer")
SPEC = AgentSpec(kind="tools", system_prompt="# Retail policy\nBe helpful.", tools=TOOLS)


def user(text: str) -> str:
    return json.dumps([{"role": "user", "content": text}])


def tool_result(call_id: str, content: str) -> str:
    return json.dumps([{"role": "tool", "tool_call_id": call_id, "name": "get_order_details", "content": content,
                        "error": False}])


def agent(model: str, **options):
    a = make_agent("model", model=model, **FAST, **options)
    a.reset(TASK, SPEC)
    return a


async def test_qwen_tool_calls_results_and_text_replies(server: ScriptedServer) -> None:
    server.script("chat",
                  chat_reply(None, [("get_order_details", {"order_id": "#W1"}), ("get_order_details", {"order_id": "#W2"})],
                             reasoning="look both up"),
                  chat_reply("Both orders are pending. Shall I cancel #W1?"))
    a = agent("qwen3.5-9b")
    turn = await a.act(user("Where are my orders #W1 and #W2?"))
    assert [x["name"] for x in turn.actions] == ["get_order_details"] * 2
    assert [x["arguments"] for x in turn.actions] == [{"order_id": "#W1"}, {"order_id": "#W2"}]
    assert turn.reasoning == "look both up"
    first = server.requests["chat"][0]
    assert first["messages"][0] == {"role": "system", "content": "# Retail policy\nBe helpful."}
    assert [t["function"]["name"] for t in first["tools"]] == ["get_order_details", "cancel_order"]
    for action, result in zip(turn.actions, ["pending A", "pending B"], strict=True):
        obs = tool_result(action["id"], result)
        a.feedback(action, obs, {})
    turn = await a.act(obs)
    assert turn.actions == [{"type": "message", "content": "Both orders are pending. Shall I cancel #W1?"}]
    sent = server.requests["chat"][1]["messages"]
    tools = [m for m in sent if m["role"] == "tool"]
    assert [m["content"] for m in tools] == ["pending A", "pending B"]        # no result lost
    assert tools[0]["tool_call_id"] == sent[2]["tool_calls"][0]["id"]
    await a.aclose()


async def test_qwen_bad_tool_calls_are_corrected(server: ScriptedServer) -> None:
    server.script("chat",
                  chat_reply(None, [("refund_everything", {})]),
                  chat_reply(None, [("get_order_details", '{"order_id": ')]),
                  chat_reply(None, []),
                  chat_reply(None, [("get_order_details", {"order_id": "#W1"})]))
    a = agent("qwen3.5-9b")
    turn = await a.act(user("Where is #W1?"))
    assert turn.actions[0]["name"] == "get_order_details"
    errors = turn.output["agent_errors"]
    assert "unknown tool 'refund_everything'" in errors[0] and "not valid JSON" in errors[1] and "empty" in errors[2]
    second = server.requests["chat"][1]["messages"]
    assert second[-1]["role"] == "tool" and second[-1]["content"].startswith("Error: unknown tool")
    third = server.requests["chat"][2]["messages"]
    # the malformed arguments go back as "{}" (vLLM parses history arguments as JSON)
    assert third[-2]["tool_calls"][0]["function"]["arguments"] == "{}"
    assert "not valid JSON" in third[-1]["content"] and '{"order_id": ' in third[-1]["content"]
    await a.aclose()


async def test_gpt_function_calls_over_responses(server: ScriptedServer) -> None:
    server.script("responses",
                  responses_reply([function_call("get_order_details", {"order_id": "#W1"})]),
                  responses_reply([message("Your order #W1 is pending.")]))
    a = agent("gpt-5.4-mini")
    turn = await a.act(user("Where is #W1?"))
    [action] = turn.actions
    assert action["type"] == "tool_call" and action["arguments"] == {"order_id": "#W1"}
    first = server.requests["responses"][0]
    assert first["instructions"].startswith("# Retail policy")
    assert first["tools"][0] == {"type": "function", "name": "get_order_details", "description": "Look up an order.",
                                 "parameters": TOOLS[0]["function"]["parameters"], "strict": False}
    obs = tool_result(action["id"], '{"status": "pending"}')
    a.feedback(action, obs, {})
    turn = await a.act(obs)
    assert turn.actions == [{"type": "message", "content": "Your order #W1 is pending."}]
    second = server.requests["responses"][1]
    assert second["previous_response_id"] and second["input"] == [
        {"type": "function_call_output", "call_id": action["id"], "output": '{"status": "pending"}'}]
    await a.aclose()


async def test_gpt_endpoint_down_is_infrastructure(server: ScriptedServer) -> None:
    server.script("responses", server_error(), server_error())
    a = agent("gpt-5.4-mini")
    turn = await a.act(user("hi"))
    assert turn.ending == Termination.INFRA_ERROR and turn.actions == [] and len(turn.model_calls) == 2
    await a.aclose()


async def test_qwen_context_overflow_drops_the_oldest_messages(server: ScriptedServer) -> None:
    from tests.agents_models.scripted_server import context_overflow
    server.script("chat", *[chat_reply(f"answer {i}") for i in range(4)], context_overflow(), chat_reply("short"))
    a = agent("qwen3.5-9b")
    for i in range(5):
        turn = await a.act(user(f"question {i}"))
    assert turn.actions == [{"type": "message", "content": "short"}]
    assert "context_trimmed" in turn.output and turn.model_calls[0].error
    before, after = server.requests["chat"][-2]["messages"], server.requests["chat"][-1]["messages"]
    assert after[0] == before[0] and after[-1] == before[-1] == {"role": "user", "content": "question 4"}
    assert len(after) < len(before)
    await a.aclose()
