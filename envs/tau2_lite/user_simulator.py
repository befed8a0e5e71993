"""Simulated users: an LLM playing the customer, and a scripted user for tests and replays.

Both answer the conversation with a `UserTurn`: text for the agent, or tool calls on the
user's own tools (in telecom, their phone). As in τ²-bench:

* the LLM user's system prompt is the simulation guidelines (the variant for users with tools
  when the domain has user tools), then the task's scenario in `<scenario>` tags, rendered as
  τ²-bench renders `UserScenario` (persona, then the structured instructions, tab-indented);
* the model sees the conversation with roles flipped (the agent's text as "user", its own
  messages and tool calls as "assistant", results of its own tool calls as "tool"); the
  agent's tool traffic is invisible to it, and its tool-call turns are invisible to the agent;
* a text turn containing ###STOP###, ###TRANSFER### or ###OUT-OF-SCOPE### ends the
  conversation; a tool-call turn never does;
* the user model runs at temperature 0 unless told otherwise.
Differences from the reference are listed in docs/tau2.md ("User simulator").
"""
from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from envs.errors import InfrastructureError
from envs.tau2_lite.tasks import Action, StructuredUserInstructions, Task
from envs.types import ChatModel

STOP, TRANSFER, OUT_OF_SCOPE = "###STOP###", "###TRANSFER###", "###OUT-OF-SCOPE###"
STOP_SIGNALS = (STOP, TRANSFER, OUT_OF_SCOPE)
DEFAULT_USER_TEMPERATURE = 0.0   # τ²-bench's default for the user model

# Our own wording of τ²-bench's two guideline files (same sections, rules and stop tokens).
# With a τ²-bench checkout, `reference_guidelines` reads the original files instead.
GUIDELINES = """# User Simulation Guidelines
You are playing a customer who contacts a customer service representative.
Your goal is to simulate a realistic customer while following the scenario instructions below.

## Core Principles
- Write one message at a time and keep the conversation natural.
- Follow the scenario instructions strictly.
- Never invent information the scenario does not give you; anything it does not provide is unknown or unavailable to you.
- Do not repeat the instructions word for word; paraphrase them in natural language.
- Reveal information progressively: wait until the agent asks for a detail before giving it.

## Task Completion
- Keep the conversation going until the task is complete.
- When the goal of the instructions is satisfied, send the '###STOP###' token to end the conversation.
- If you are transferred to another agent, send the '###TRANSFER###' token to signal the transfer.
- If the scenario does not give you enough information to continue the conversation, send the '###OUT-OF-SCOPE###' token to end the conversation.
Remember: the goal is a realistic, natural conversation that strictly follows the instructions and stays in character."""

GUIDELINES_TOOLS = """# User Simulation Guidelines

You are playing a customer who contacts a customer service representative agent.
Your goal is to simulate a realistic customer while following the scenario instructions below.
You have tools to perform actions on your side that the agent may ask for to diagnose and solve your issue.

## Core Principles
- Write one message at a time and keep the conversation natural.
- At each turn you can either:
    - send a message to the agent, or
    - make a tool call to perform an action the agent asked for.
    - You cannot do both in the same turn.
- Follow the scenario instructions strictly.
- Never invent information the scenario does not give you; anything it does not provide is unknown or unavailable to you.
- Never invent the results of tool calls the agent asked for: base your answers on the actual results.
- If a tool call fails with an error message, fix the error and try again.
- Everything you tell the agent must come from the scenario instructions or from the results of your tool calls.
- Do not repeat the instructions word for word; paraphrase them in natural language.
- Reveal information progressively: wait until the agent asks for a detail before giving it.
- Only call a tool when the agent asked for it, or when you need it to answer the agent's question. Ask for clarification if you do not know which action to take.
- If the agent asks you to perform several actions, say that you cannot do several at once and ask for one action at a time.
- The agent does not see the messages of your tool-call turns; it only sees your messages without tool calls.

## Task Completion
- Keep the conversation going until the task is complete.
- When the goal of the instructions is satisfied, send the '###STOP###' token to end the conversation.
- If you have been transferred to another agent, send the '###TRANSFER###' token to signal the transfer. Only do this after the agent has clearly said that you are being transferred.
- If the scenario does not give you enough information to continue the conversation, send the '###OUT-OF-SCOPE###' token to end the conversation.
Remember: the goal is a realistic, natural conversation that strictly follows the instructions and stays in character."""

SYSTEM_PROMPT = "{guidelines}\n\n<scenario>\n{instructions}\n</scenario>"
PERSONA_MARK = "<PERSONA_GUIDELINES>"   # where τ²-bench's runtime persona text goes (empty by default)


def reference_guidelines(data_dir: str | Path | None, use_tools: bool) -> str | None:
    """τ²-bench's own guideline file when `data_dir` is a domain folder of a τ²-bench checkout
    (data/tau2/domains/<domain> next to data/tau2/user_simulator/), else None."""
    if data_dir is None:
        return None
    name = "simulation_guidelines_tools.md" if use_tools else "simulation_guidelines.md"
    path = Path(data_dir).expanduser().parent.parent / "user_simulator" / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


def scenario_text(task: Task) -> str:
    """`str(task.user_scenario)` exactly as τ²-bench renders it for the user simulator."""
    scenario = task.user_scenario
    lines = []
    if scenario.persona is not None:
        lines += ["Persona:", textwrap.indent(scenario.persona, "\t")]
    ins = scenario.instructions
    if isinstance(ins, StructuredUserInstructions):
        parts = [f"Domain: {ins.domain}", f"Reason for call:\n{textwrap.indent(ins.reason_for_call, chr(9))}"]
        if ins.known_info is not None:
            parts.append(f"Known info:\n{textwrap.indent(ins.known_info, chr(9))}")
        if ins.unknown_info is not None:
            parts.append(f"Unknown info:\n{textwrap.indent(ins.unknown_info, chr(9))}")
        parts.append(f"Task instructions:\n{textwrap.indent(ins.task_instructions, chr(9))}")
        ins_text = "\n".join(parts)
    else:
        ins_text = str(ins)
    lines += ["Instructions:", textwrap.indent(ins_text, "\t")]
    return "\n".join(lines)


def system_prompt(task: Task, has_tools: bool, guidelines: str | None = None) -> str:
    text = guidelines if guidelines is not None else (GUIDELINES_TOOLS if has_tools else GUIDELINES)
    return SYSTEM_PROMPT.format(guidelines=text.replace(PERSONA_MARK, ""), instructions=scenario_text(task))


@dataclass
class UserTurn:
    content: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)   # {"id", "name", "arguments"}
    model_calls: list[dict[str, Any]] = field(default_factory=list)
    cost_usd: float = 0.0

    @property
    def stop_signal(self) -> str | None:
        """The stop token this turn ends the conversation with (never for a tool-call turn)."""
        if self.tool_calls:
            return None
        text = self.content or ""
        return next((s for s in STOP_SIGNALS if s in text), None)


class UserSimulator(Protocol):
    def reset(self, task: Task, user_tools: list[dict[str, Any]], guidelines: str | None = None) -> None: ...

    def respond(self, conversation: list[dict[str, Any]]) -> UserTurn:
        """The user's next turn given the whole τ²-format conversation so far."""


def _flip(conversation: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation from the user's side: agent text becomes 'user', the simulated user's
    own messages and tool calls become 'assistant'; agent tool traffic is invisible."""
    out: list[dict[str, Any]] = []
    for m in conversation:
        role = m.get("role")
        if role == "assistant" and m.get("content") and not m.get("tool_calls"):
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

    def __init__(self, model: ChatModel, temperature: float | None = DEFAULT_USER_TEMPERATURE) -> None:
        self.model = model
        self.temperature = temperature
        self._system = ""
        self._tools: list[dict[str, Any]] = []

    def reset(self, task: Task, user_tools: list[dict[str, Any]], guidelines: str | None = None) -> None:
        self._tools = list(user_tools)
        self._system = system_prompt(task, bool(user_tools), guidelines)

    @property
    def system(self) -> str:
        return self._system

    def respond(self, conversation: list[dict[str, Any]]) -> UserTurn:
        messages = [{"role": "system", "content": self._system}] + _flip(conversation)
        if len(messages) == 1 or messages[-1]["role"] == "assistant":
            # Only reachable with a history that ends on the user's side: give the model the
            # agent's opening line to answer.
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
            if not isinstance(args, dict):   # e.g. a JSON list: the tool answers with a TypeError
                args = {"__unparsed__": args}
            tool_calls.append({"id": tc.get("id") or f"user_call_{i}", "name": fn.get("name", ""), "arguments": args})
        return UserTurn(reply.content, tool_calls, [call], reply.cost_usd)


def gold_runs(task: Task) -> list[tuple[str, list[Action]]]:
    """The task's gold actions cut into runs of one requestor, in order: [("assistant", [...]),
    ("user", [...]), …]. The oracle and the scripted user take turns along these runs."""
    runs: list[tuple[str, list[Action]]] = []
    for action in task.gold_actions:
        if runs and runs[-1][0] == action.requestor:
            runs[-1][1].append(action)
        else:
            runs.append((action.requestor, [action]))
    return runs


class ScriptedUser:
    """A user with fixed behaviour; no model involved.

    With `utterances`, each agent message gets the next utterance and then `###STOP###`.
    By default the user states the task's instructions. For a task whose gold actions include
    the user's own tool calls (telecom), each later agent message gets the next run of those
    calls (made one per turn, with requestor "user"), then "Done."; once none is left, it
    stops. Otherwise it confirms ("yes") while the agent has not acted yet and stops once the
    agent sends a message after making tool calls. `tool_calls` (name, arguments) are made by
    the user before its first message.
    """

    def __init__(self, utterances: list[str] | None = None, *, patience: int = 2,
                 tool_calls: list[tuple[str, dict[str, Any]]] | None = None) -> None:
        self.utterances = utterances
        self.patience = patience
        self.scripted_tool_calls = list(tool_calls or [])

    def reset(self, task: Task, user_tools: list[dict[str, Any]], guidelines: str | None = None) -> None:
        self._task = task
        self._said = 0
        self._nudges = 0
        self._pending_tools = list(self.scripted_tool_calls)
        self._user_runs = [actions for who, actions in gold_runs(task) if who == "user"]
        self._gold_mode = bool(self._user_runs)
        self._current: list[Action] = []

    def respond(self, conversation: list[dict[str, Any]]) -> UserTurn:
        if self._pending_tools:
            name, args = self._pending_tools.pop(0)
            return UserTurn(None, [{"id": f"user_call_{len(self._pending_tools)}", "name": name, "arguments": args}])
        if self._current:
            action = self._current.pop(0)
            return UserTurn(None, [{"id": f"user_{action.action_id}", "name": action.name,
                                    "arguments": dict(action.arguments)}])
        if self.utterances is not None:
            text = self.utterances[self._said] if self._said < len(self.utterances) else STOP
            self._said += 1
            return UserTurn(text)
        if self._said == 0:
            self._said += 1
            return UserTurn(_first_message(self._task))
        if self._gold_mode:
            if _last_is_agent_text(conversation) and self._user_runs:
                self._current = list(self._user_runs.pop(0))
                return self.respond(conversation)
            if _last_is_agent_text(conversation):
                return UserTurn(STOP)
            return UserTurn("Done.")   # the run just made; tell the agent
        if _agent_called_tools_since_user(conversation):
            return UserTurn(STOP)
        self._nudges += 1
        return UserTurn("yes" if self._nudges <= self.patience else STOP)


def _first_message(task: Task) -> str:
    ins = task.user_scenario.instructions
    if isinstance(ins, str):
        text = ins
    else:
        parts = [ins.reason_for_call, ins.known_info or ""]
        text = " ".join(p.strip() for p in parts if p and p.strip())
    # Instructions may name the stop tokens ("say ###STOP### when done", banking_knowledge);
    # quoting them must not end the conversation at its first message.
    for signal in STOP_SIGNALS:
        text = text.replace(signal, signal.strip("#"))
    return text


def _last_is_agent_text(conversation: list[dict[str, Any]]) -> bool:
    last = conversation[-1] if conversation else {}
    return last.get("role") == "assistant" and bool(last.get("content")) and not last.get("tool_calls")


def _agent_called_tools_since_user(conversation: list[dict[str, Any]]) -> bool:
    """Did the agent make tool calls since the user's last text message?"""
    for m in reversed(conversation):
        if m.get("role") == "user" and m.get("content"):
            return False
        if m.get("role") == "assistant" and m.get("tool_calls"):
            return True
    return False
