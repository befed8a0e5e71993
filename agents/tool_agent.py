"""Tool-calling agents for tau2-lite: the domain policy as system prompt, the domain tools as
function tools, messages to the user as plain text. Chat Completions (Qwen3.5 on vLLM) or the
Responses API (GPT-5.4-mini).

An observation is the JSON list of messages new since the agent's last action. When one turn
holds several tool calls the runner steps them one by one and hands every intermediate
observation to `feedback`, so no tool result is lost.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

from agents.agent import AgentTurn
from agents.formats import (
    ActionConversionError, chat_tool_call_to_env, chat_tools_to_responses, observation_to_chat,
    response_function_call_to_env,
)
from agents.models.agent_base import AgentSettings, ModelDrivenAgent, replayable_calls
from envs.types import AgentSpec, TaskInfo

CORRECTION = "Error: {error}. Call one of the available tools with valid JSON arguments, or reply to the user in text."


def parse_observation(observation: Any) -> list[dict[str, Any]]:
    if isinstance(observation, str):
        try:
            observation = json.loads(observation) if observation.strip() else []
        except json.JSONDecodeError:
            return [{"role": "user", "content": observation}]
    if isinstance(observation, dict):
        observation = [observation]
    return [m for m in observation or [] if isinstance(m, dict)]


class _ToolAgent(ModelDrivenAgent):
    def __init__(self, entry, settings: AgentSettings, task: TaskInfo, spec: AgentSpec):
        super().__init__(entry, settings, task, spec)
        self.tool_names = {(t.get("function") or t).get("name") for t in spec.tools}
        self.seen: list[Any] = []          # observations delivered through feedback

    def feedback(self, action: dict[str, Any], observation: Any, info: dict[str, Any]) -> None:
        self.seen.append(observation)

    def _new_messages(self, observation: Any) -> list[dict[str, Any]]:
        observations = self.seen or [observation]
        self.seen = []
        return [m for obs in observations for m in parse_observation(obs)]


class ChatToolAgent(_ToolAgent):
    def __init__(self, entry, settings: AgentSettings, task: TaskInfo, spec: AgentSpec):
        super().__init__(entry, settings, task, spec)
        self.messages: list[dict[str, Any]] = [{"role": "system", "content": spec.system_prompt}] \
            if spec.system_prompt else []
        self.trimmed_from = 0

    def _request_messages(self) -> list[dict[str, Any]]:
        head = self.messages[:1] if self.messages and self.messages[0]["role"] == "system" else []
        body = self.messages[len(head):][self.trimmed_from:]
        while body and body[0]["role"] == "tool":   # never start with an orphaned tool result
            body = body[1:]
        return head + body

    def _trim(self, reason: str) -> bool:
        body = len(self.messages) - 1 - self.trimmed_from
        if body <= 2:
            return False
        self.trimmed_from += body // 2
        self._note("context_trimmed", f"dropped the oldest {self.trimmed_from} messages: {reason}")
        return True

    async def _act(self, observation: Any) -> AgentTurn:
        self.messages.extend(observation_to_chat(self._new_messages(observation)))
        while True:
            result = await self._call(
                lambda: self.client.chat(self._request_messages(), self.spec.tools or None,
                                         thinking=self.settings.thinking,
                                         reasoning_effort=self.settings.reasoning_effort),
                trim=self._trim)
            message = result.message
            calls = [dict(c, id=c.get("id") or f"call_{uuid.uuid4().hex[:12]}") for c in message.get("tool_calls") or []]
            text = (message.get("content") or "").strip()
            try:
                if not calls and not text:
                    raise ActionConversionError("the reply is empty")
                actions = [chat_tool_call_to_env(c, self.tool_names) for c in calls] or \
                    [{"type": "message", "content": text}]
            except ActionConversionError as exc:
                self.messages.append({"role": "assistant", "content": text,
                                      **({"tool_calls": replayable_calls(calls)} if calls else {})})
                fix = CORRECTION.format(error=exc)
                self.messages.extend([{"role": "tool", "tool_call_id": c["id"], "content": fix} for c in calls]
                                     or [{"role": "user", "content": fix}])
                if not self._agent_error(str(exc)):
                    return self._give_up(message)
                continue
            self.corrections_in_a_row = 0
            self.messages.append({"role": "assistant", "content": text if not calls else (text or None),
                                  **({"tool_calls": calls} if calls else {})})
            return self._turn(actions, message)


class ResponsesToolAgent(_ToolAgent):
    def __init__(self, entry, settings: AgentSettings, task: TaskInfo, spec: AgentSpec):
        super().__init__(entry, settings, task, spec)
        self.tools = chat_tools_to_responses(spec.tools)
        self.previous_id: str | None = None
        self.history: list[dict[str, Any]] = []

    @staticmethod
    def _to_items(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items = []
        for m in messages:
            if m.get("role") == "tool":
                items.append({"type": "function_call_output", "call_id": m.get("tool_call_id", ""),
                              "output": str(m.get("content", ""))})
            elif m.get("role") == "assistant" and m.get("tool_calls"):
                # Earlier agent tool calls from the task's history become function_call items.
                if m.get("content"):
                    items.append({"role": "assistant", "content": m["content"]})
                for call in m["tool_calls"]:
                    fn = call.get("function", call)
                    arguments = fn.get("arguments", {})
                    items.append({"type": "function_call", "call_id": call.get("id", ""), "name": fn.get("name"),
                                  "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments)})
            else:
                items.append({"role": m.get("role", "user"), "content": m.get("content") or ""})
        return items

    async def _act(self, observation: Any) -> AgentTurn:
        new = self._to_items(self._new_messages(observation))
        while True:
            self.history.extend(new)
            server_state = self.settings.responses_state == "server" and self.previous_id
            # truncation="auto" is the Responses API's own trimming: an overflow past it is final.
            result = await self._call(lambda: self.client.respond(
                new if server_state else self.history, self.tools, instructions=self.spec.system_prompt or None,
                previous_response_id=self.previous_id if server_state else None,
                reasoning_effort=self.settings.reasoning_effort, truncation="auto"))
            self.previous_id = result.response_id
            self.history.extend(result.output)
            message = result.message
            calls = [o for o in result.output if o.get("type") == "function_call"]
            text = (message.get("content") or "").strip()
            try:
                if not calls and not text:
                    raise ActionConversionError("the reply is empty")
                actions = [response_function_call_to_env(c, self.tool_names) for c in calls] or \
                    [{"type": "message", "content": text}]
            except ActionConversionError as exc:
                fix = CORRECTION.format(error=exc)
                new = [{"type": "function_call_output", "call_id": c["call_id"], "output": fix} for c in calls] \
                    or [{"role": "user", "content": fix}]
                if not self._agent_error(str(exc)):
                    return self._give_up(message)
                continue
            self.corrections_in_a_row = 0
            return self._turn(actions, message)
