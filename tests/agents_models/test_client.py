"""The model client over real HTTP: retries, infrastructure errors, context overflow, records."""
from __future__ import annotations

import json

import pytest

from agents.models import get_model
from agents.models.client import (
    ContextWindowExceeded, EndpointUnavailable, ModelClient, ModelConfigurationError, RetryPolicy,
)
from tests.agents_models.scripted_server import (
    Fault, ScriptedServer, chat_reply, computer_call, context_overflow, message, qwen_computer_call,
    rate_limited, responses_reply, server_error, slow,
)

FAST = RetryPolicy(max_attempts=4, initial_s=0.01, max_s=0.05, jitter_s=0.01, timeout_s=2.0)
IMG = "data:image/png;base64,iVBORw0KGgo="


async def test_chat_reads_reasoning_tool_calls_tokens_and_cost(server: ScriptedServer) -> None:
    server.script("chat", qwen_computer_call({"action": "left_click", "coordinate": [500, 500]}, reasoning="think"))
    client = ModelClient(get_model("qwen3.5-9b"), retry=FAST)
    messages = [{"role": "user", "content": [{"type": "text", "text": "hi"},
                                             {"type": "image_url", "image_url": {"url": IMG}}]}]
    result = await client.chat(messages, tools=[{"type": "function", "function": {"name": "computer_use"}}],
                               thinking=False)
    await client.aclose()
    assert result.message["reasoning"] == "think"
    call = result.message["tool_calls"][0]
    assert call["function"]["name"] == "computer_use"
    assert json.loads(call["function"]["arguments"]) == {"action": "left_click", "coordinate": [500, 500]}
    [record] = result.calls
    assert record.error is None and record.attempt == 1 and record.tokens_in > 0 and record.tokens_out > 0
    assert record.cost_usd > 0 and record.latency_s > 0          # GPU-hour rate × wall time
    # the wire request: thinking off through chat_template_kwargs, model id, tools
    sent = server.requests["chat"][0]
    assert sent["chat_template_kwargs"] == {"enable_thinking": False}
    assert sent["top_k"] == 20 and sent["top_p"] == 0.95 and sent["temperature"] == 0.6
    assert sent["model"] == "Qwen/Qwen3.5-9B" and sent["tools"][0]["function"]["name"] == "computer_use"
    # the stored request has the image replaced by a reference
    part = record.request["messages"][0]["content"][1]
    assert part["type"] == "image_ref" and len(part["sha256"]) == 64
    assert "base64" not in json.dumps(record.request)


async def test_reasoning_content_field_is_read_too(server: ScriptedServer) -> None:
    server.script("chat", chat_reply("hello", reasoning="older vLLM", reasoning_field="reasoning_content"))
    client = ModelClient(get_model("qwen3.5-9b"), retry=FAST)
    result = await client.chat([{"role": "user", "content": "x"}])
    await client.aclose()
    assert result.message == {"role": "assistant", "content": "hello", "reasoning": "older vLLM"}
    assert "chat_template_kwargs" in server.requests["chat"][0]   # thinking on by default, sent explicitly


async def test_transient_faults_are_retried_and_every_attempt_recorded(server: ScriptedServer) -> None:
    server.script("chat", rate_limited(retry_after=0.01), server_error(), Fault(503, "overloaded"),
                  chat_reply("ok"))
    client = ModelClient(get_model("qwen3.5-9b"), retry=FAST)
    result = await client.chat([{"role": "user", "content": "x"}])
    await client.aclose()
    assert result.message["content"] == "ok"
    assert [c.attempt for c in result.calls] == [1, 2, 3, 4]
    assert [c.error is not None for c in result.calls] == [True, True, True, False]
    assert "HTTP 429" in result.calls[0].error and "HTTP 500" in result.calls[1].error
    assert result.calls[0].cost_usd == 0.0


async def test_timeouts_are_retried(server: ScriptedServer) -> None:
    server.script("chat", slow(1.0, chat_reply("late")), chat_reply("on time"))
    policy = RetryPolicy(max_attempts=3, initial_s=0.01, max_s=0.02, jitter_s=0.0, timeout_s=0.3)
    client = ModelClient(get_model("qwen3.5-9b"), retry=policy)
    result = await client.chat([{"role": "user", "content": "x"}])
    await client.aclose()
    assert result.message["content"] == "on time"
    assert result.calls[0].error == "request timed out"


async def test_a_call_that_keeps_failing_is_an_infrastructure_error(server: ScriptedServer) -> None:
    server.script("responses", *[server_error() for _ in range(4)])
    client = ModelClient(get_model("gpt-5.4-mini"), retry=FAST)
    with pytest.raises(EndpointUnavailable, match="4 attempt") as info:
        await client.respond([{"role": "user", "content": "x"}], tools=[{"type": "computer"}])
    await client.aclose()
    assert len(info.value.calls) == 4 and all(c.error for c in info.value.calls)
    assert server.remaining("responses") == 0


async def test_unreachable_endpoint_is_an_infrastructure_error() -> None:
    client = ModelClient(get_model("qwen3.5-9b"), "http://127.0.0.1:9/v1", retry=FAST)
    with pytest.raises(EndpointUnavailable, match="connection error"):
        await client.chat([{"role": "user", "content": "x"}])
    await client.aclose()


async def test_client_errors_are_configuration_errors_not_retried(server: ScriptedServer) -> None:
    server.script("chat", Fault(401, "Incorrect API key provided", "invalid_api_key"), chat_reply("never"))
    client = ModelClient(get_model("qwen3.5-9b"), retry=FAST)
    with pytest.raises(ModelConfigurationError, match="refused the request: HTTP 401"):
        await client.chat([{"role": "user", "content": "x"}])
    await client.aclose()
    assert server.remaining("chat") == 1


async def test_context_overflow_is_raised_at_once(server: ScriptedServer) -> None:
    server.script("chat", context_overflow(), chat_reply("never"))
    client = ModelClient(get_model("qwen3.5-9b"), retry=FAST)
    with pytest.raises(ContextWindowExceeded) as info:
        await client.chat([{"role": "user", "content": "x"}])
    await client.aclose()
    assert len(info.value.calls) == 1 and "maximum context length" in info.value.calls[0].error


async def test_responses_call_records_canonical_shape_and_token_prices(server: ScriptedServer) -> None:
    actions = [{"type": "click", "button": "left", "x": 10, "y": 20}, {"type": "type", "text": "hi"}]
    check = {"id": "sc_1", "code": "malicious_instructions", "message": "check the screen"}
    server.script("responses", responses_reply([computer_call(actions, [check])]),
                  responses_reply([message("All done.")]))
    entry = get_model("gpt-5.4-mini")
    client = ModelClient(entry, retry=FAST)
    first = await client.respond([{"role": "user", "content": [{"type": "input_text", "text": "do it"},
                                                               {"type": "input_image", "image_url": IMG}]}],
                                 tools=[{"type": "computer"}], reasoning_effort="low")
    item = [o for o in first.output if o["type"] == "computer_call"][0]
    assert item["actions"] == actions and item["pending_safety_checks"][0]["id"] == "sc_1"
    call = first.message["tool_calls"][0]
    assert call["function"]["name"] == "computer"
    assert json.loads(call["function"]["arguments"])["actions"] == actions
    second = await client.respond([{"type": "computer_call_output", "call_id": item["call_id"],
                                    "acknowledged_safety_checks": [check],
                                    "output": {"type": "computer_screenshot", "image_url": IMG}}],
                                  tools=[{"type": "computer"}], previous_response_id=first.response_id)
    await client.aclose()
    assert second.message["content"] == "All done."
    sent = server.requests["responses"]
    assert sent[0]["reasoning"] == {"effort": "low"} and sent[1]["previous_response_id"] == first.response_id
    assert sent[1]["input"][0]["acknowledged_safety_checks"] == [check]
    rec = second.calls[0]
    assert rec.api == "responses" and rec.request["messages"][0]["role"] == "tool"
    assert rec.request["messages"][0]["content"][0]["type"] == "image_ref"
    p = entry.pricing
    want = ((rec.tokens_in - rec.tokens_cached) * 0.75 + rec.tokens_cached * 0.075 + rec.tokens_out * 4.5) / 1e6
    assert p.input_per_mtok == 0.75 and rec.cost_usd == pytest.approx(want)
