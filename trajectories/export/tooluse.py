"""Tool-domain (tau2-lite) episodes -> Qwen3.5 function-calling conversations.

    system     the domain policy, tools = the domain's function tools
    assistant  the env's opening greeting (and any task history), as the agent saw it
    user / assistant / tool …
    assistant  messages to the user / tool_calls with dict arguments (+ reasoning_content)
    user       the simulated customer's messages
    tool       each tool result

The system prompt and tools are those the Qwen agent is served with: from a `SpecProvider`
(the CLI builds one on the environment registry) or, failing that, from the agent's first
recorded model request.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.formats import ActionConversionError, env_to_chat_message, observation_to_chat, parse_arguments
from trajectories.export.desktop import ConversionError
from trajectories.export.sample import EpisodeData, EpisodeMeta, Sample, trim_to_last_assistant
from trajectories.records import StepRecord

# (meta) -> {"system_prompt": str, "tools": [OpenAI function tools]} or None when unknown.
SpecProvider = Callable[[EpisodeMeta], dict[str, Any] | None]


def chat_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A function tool in Chat Completions shape, whichever API shape it was recorded in."""
    if tool.get("type") == "function" and isinstance(tool.get("function"), dict):
        return {"type": "function", "function": tool["function"]}
    if tool.get("type") == "function" and "name" in tool:  # Responses API (flattened)
        fn = {k: tool[k] for k in ("name", "description", "parameters") if k in tool}
        return {"type": "function", "function": fn}
    raise ConversionError(f"not a function tool: {str(tool)[:120]}")


def spec_from_requests(steps: list[StepRecord]) -> dict[str, Any] | None:
    """System prompt and tools of the agent's first recorded model request."""
    for step in steps:
        for call in step.model_calls:
            if call.role != "agent" or not call.request:
                continue
            req = call.request
            system = req.get("instructions")
            items = req.get("messages") or req.get("input") or []
            if system is None and items and isinstance(items[0], dict) and items[0].get("role") in ("system", "developer"):
                content = items[0].get("content")
                system = content if isinstance(content, str) else "".join(
                    p.get("text", "") for p in content or [] if isinstance(p, dict))
            tools = [chat_tool(t) for t in req.get("tools") or [] if t.get("type") == "function"]
            if system is not None or tools:
                return {"system_prompt": system or "", "tools": tools}
    return None


def _starts_turn(step: StepRecord) -> bool:
    return any(call.role == "agent" for call in step.model_calls)


def _observation_messages(step: StepRecord) -> list[dict[str, Any]]:
    """The dialogue messages of an observation: user text, tool results, and (at reset) the
    opening greeting and any task history, whose tool calls get dict arguments here."""
    items = step.observation.get("messages")
    if items is None:
        return []
    if not isinstance(items, list):
        raise ConversionError(f"step {step.index}: observation messages are not a list")
    out: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("role") == "assistant":
            message: dict[str, Any] = {"role": "assistant", "content": item.get("content") or ""}
            calls = []
            for call in item.get("tool_calls") or []:
                fn = call.get("function") or call
                try:
                    arguments = parse_arguments(fn.get("arguments"), str(fn.get("name")))
                except ActionConversionError as exc:
                    raise ConversionError(f"step {step.index}: {exc}") from exc
                calls.append({"id": call.get("id") or "", "type": "function",
                              "function": {"name": fn.get("name"), "arguments": arguments}})
            if calls:
                message["tool_calls"] = calls
            out.append(message)
        elif item.get("role") in ("user", "tool"):
            out.extend(observation_to_chat([item]))
    return out


def tool_sample(episode: EpisodeData, spec_provider: SpecProvider | None = None) -> Sample:
    steps = sorted(episode.steps, key=lambda s: s.index)
    spec = (spec_provider(episode.meta) if spec_provider else None) or spec_from_requests(steps)
    if spec is None:
        raise ConversionError("no system prompt and tools known for this domain "
                              "(no environment spec and no recorded agent request)")
    tools = [chat_tool(t) for t in spec.get("tools") or []]
    messages: list[dict[str, Any]] = []
    if spec.get("system_prompt"):
        messages.append({"role": "system", "content": spec["system_prompt"]})
    n_calls = 0
    last_call_id = ""
    by_model = any(_starts_turn(s) for s in steps)
    current: dict[str, Any] | None = None   # the assistant message of the running model turn
    for step in steps:
        if step.action is not None:
            try:
                message = env_to_chat_message(step.action, dict_arguments=True)
            except (ActionConversionError, KeyError) as exc:
                raise ConversionError(f"step {step.index}: {exc}") from exc
            if message.get("content") is None:
                message["content"] = ""
            for call in message.get("tool_calls") or []:
                n_calls += 1
                call["id"] = call.get("id") or f"call_{n_calls}"
                last_call_id = call["id"]
            if (by_model and not _starts_turn(step) and current is not None
                    and current.get("tool_calls") and message.get("tool_calls")):
                # Several calls of one model reply were stepped one by one: one message again,
                # its results following it in order.
                current["tool_calls"].extend(message["tool_calls"])
            else:
                reasoning = step.agent_output.get("reasoning")
                if isinstance(reasoning, str) and reasoning.strip():
                    message["reasoning_content"] = reasoning
                messages.append(message)
                current = message
        elif step.index > 0 and step.terminated and step.agent_output.get("text"):
            # The agent's closing words without an action.
            messages.append({"role": "assistant", "content": str(step.agent_output["text"])})
        for obs in _observation_messages(step):
            if obs["role"] == "tool" and not obs.get("tool_call_id"):
                obs["tool_call_id"] = last_call_id
            for call in obs.get("tool_calls") or []:
                last_call_id = call["id"]
            messages.append(obs)
            if obs["role"] == "assistant":
                current = None   # a history message ends the running model turn
    messages = trim_to_last_assistant(messages)
    if not any(m["role"] == "user" for m in messages):
        raise ConversionError("the conversation has no user turn")
    return Sample(messages=messages, tools=tools)
