"""Simulated users: an LLM playing the customer, and a scripted user for tests and replays.

Both answer the agent's latest message with a `UserTurn`: text for the agent, or tool calls
on the user's own tools (domains with user tools, e.g. checking a notification inbox). A
user ends the conversation with one of the stop signals below.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from envs.errors import InfrastructureError
from envs.tau2_lite.tasks import Task
from envs.types import ChatModel

STOP, TRANSFER, OUT_OF_SCOPE = "###STOP###", "###TRANSFER###", "###OUT-OF-SCOPE###"
STOP_SIGNALS = (STOP, TRANSFER, OUT_OF_SCOPE)

USER_GUIDELINES = """You are role-playing a customer who has contacted a company's support agent.
Play the customer described in the scenario below, as a real person would.

How to behave:
- Write one message at a time, short and natural, as in a chat.
- Follow the scenario. Never invent facts it does not give you (ids, amounts, addresses,
  preferences): what it does not say, you do not know; say so if asked.
- Reveal details only when they are needed or asked for; do not recite the scenario, and do
  not copy its wording.
- You are the customer, not the agent: never offer to look things up or perform actions.
{tools_line}
Ending the conversation:
- When everything the scenario asks for is done (or clearly cannot be done), reply with
  only {stop}
- If the agent transfers you to a human agent, reply with only {transfer}
- If the scenario gives you no way to continue (the agent asks for something it does not
  cover), reply with only {out_of_scope}"""


@dataclass
class UserTurn:
    content: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)   # {"id", "name", "arguments"}
    model_calls: list[dict[str, Any]] = field(default_factory=list)
    cost_usd: float = 0.0

    @property
    def stop_signal(self) -> str | None:
        text = self.content or ""
        return next((s for s in STOP_SIGNALS if s in text), None)


class UserSimulator(Protocol):
    def reset(self, task: Task, user_tools: list[dict[str, Any]]) -> None: ...

    def respond(self, conversation: list[dict[str, Any]]) -> UserTurn:
        """The user's next turn given the whole τ²-format conversation so far."""


def system_prompt(task: Task, has_tools: bool) -> str:
    tools_line = ("- You have tools of your own (your phone, inbox, …). Use them when the scenario "
                  "says so, and report what you see in your own words.\n" if has_tools else "")
    guidelines = USER_GUIDELINES.format(tools_line=tools_line, stop=STOP, transfer=TRANSFER,
                                        out_of_scope=OUT_OF_SCOPE)
    return f"{guidelines}\n\n<scenario>\n{task.user_scenario}\n</scenario>"


def _flip(conversation: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation from the user's side: agent text becomes 'user', the simulated user's
    own messages and tool calls become 'assistant'; agent tool traffic is invisible."""
    out: list[dict[str, Any]] = []
    for m in conversation:
        role = m.get("role")
        if role == "assistant" and m.get("content"):
            out.append({"role": "user", "content": m["content"]})
        elif role == "user":
            msg: dict[str, Any] = {"role": "assistant", "content": m.get("content")}
            if m.get("tool_calls"):
                msg["tool_calls"] = [{"id": tc["id"], "type": "function", "function": {
                    "name": tc["name"], "arguments": json.dumps(tc.get("arguments") or {})}}
                    for tc in m["tool_calls"]]
            out.append(msg)
        elif role == "tool" and m.get("requestor") == "user":
            out.append({"role": "tool", "tool_call_id": m.get("id"), "content": m.get("content")})
    return out


class LLMUser:
    """A user played by a chat model (any `ChatModel`; the runner passes a registry model)."""

    def __init__(self, model: ChatModel, temperature: float | None = None) -> None:
        self.model = model
        self.temperature = temperature
        self._system = ""
        self._tools: list[dict[str, Any]] = []

    def reset(self, task: Task, user_tools: list[dict[str, Any]]) -> None:
        self._tools = list(user_tools)
        self._system = system_prompt(task, bool(user_tools))

    def respond(self, conversation: list[dict[str, Any]]) -> UserTurn:
        messages = [{"role": "system", "content": self._system}] + _flip(conversation)
        if len(messages) == 1 or messages[-1]["role"] == "assistant":
            # The user speaks first (or again): give the model something to answer.
            messages.append({"role": "user", "content": "Hi! How can I help you today?"})
        try:
            reply = self.model.chat(messages, tools=self._tools or None, temperature=self.temperature)
        except InfrastructureError:
            raise
        except Exception as exc:  # the model endpoint failed: not the agent's fault
            raise InfrastructureError(f"user simulator model failed: {type(exc).__name__}: {exc}") from exc
        call = dict(reply.record or {})
        call.setdefault("model", getattr(self.model, "name", "user-model"))
        call["role"] = "user_simulator"
        tool_calls = []
        for i, tc in enumerate(reply.tool_calls):
            fn = tc.get("function", tc)
            args = fn.get("arguments") or {}
            if isinstance(args, str):
                try:
                    args = json.loads(args or "{}")
                except json.JSONDecodeError:
                    args = {"__unparsed__": args}
            tool_calls.append({"id": tc.get("id") or f"user_call_{i}", "name": fn.get("name", ""), "arguments": args})
        return UserTurn(reply.content, tool_calls, [call], reply.cost_usd)


class ScriptedUser:
    """A user with fixed utterances; no model involved.

    With `utterances`, each agent message gets the next utterance and then `###STOP###`.
    By default the user states the task's instructions, confirms ("yes") while the agent has
    not acted yet, and stops once the agent sends a message after making tool calls.
    `tool_calls` (name, arguments) are made by the user before its first message.
    """

    def __init__(self, utterances: list[str] | None = None, *, patience: int = 2,
                 tool_calls: list[tuple[str, dict[str, Any]]] | None = None) -> None:
        self.utterances = utterances
        self.patience = patience
        self.scripted_tool_calls = list(tool_calls or [])

    def reset(self, task: Task, user_tools: list[dict[str, Any]]) -> None:
        self._task = task
        self._said = 0
        self._nudges = 0
        self._pending_tools = list(self.scripted_tool_calls)

    def respond(self, conversation: list[dict[str, Any]]) -> UserTurn:
        if self._pending_tools:
            name, args = self._pending_tools.pop(0)
            return UserTurn(None, [{"id": f"user_call_{len(self._pending_tools)}", "name": name, "arguments": args}])
        if self.utterances is not None:
            text = self.utterances[self._said] if self._said < len(self.utterances) else STOP
            self._said += 1
            return UserTurn(text)
        if self._said == 0:
            self._said += 1
            return UserTurn(_first_message(self._task))
        if _agent_called_tools_since_user(conversation):
            return UserTurn(STOP)
        self._nudges += 1
        return UserTurn("yes" if self._nudges <= self.patience else STOP)


def _first_message(task: Task) -> str:
    ins = task.user_scenario.instructions
    if isinstance(ins, str):
        return ins
    parts = [ins.reason_for_call, ins.known_info or ""]
    return " ".join(p.strip() for p in parts if p and p.strip())


def _agent_called_tools_since_user(conversation: list[dict[str, Any]]) -> bool:
    """Did the agent make tool calls since the user's last text message?"""
    for m in reversed(conversation):
        if m.get("role") == "user" and m.get("content"):
            return False
        if m.get("role") == "assistant" and m.get("tool_calls"):
            return True
    return False
