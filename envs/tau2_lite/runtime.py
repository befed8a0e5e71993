"""The tool-executing side of an episode (τ²-bench's `Environment`).

A `Runtime` holds the agent's and the user's toolkits on fresh DBs. It answers tool calls
(`respond`), applies a task's `initial_state` exactly like the reference, and replays the
mutating tool calls of a conversation (how the DB reward rebuilds a state).

Conversation messages are kept in τ²-bench's own shape:
  {"role": "user"|"assistant", "content": str|None, "tool_calls": [{"id", "name", "arguments",
   "requestor"}]}  and  {"role": "tool", "id", "name", "content", "error", "requestor"}.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from envs.tau2_lite.live import LiveDB
from envs.tau2_lite.domain import Domain
from envs.tau2_lite.tasks import EnvAssertion, EnvFunctionCall, InitialState, Task
from envs.tau2_lite.toolkit import Toolkit

Requestor = Literal["assistant", "user"]


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]
    requestor: Requestor = "assistant"

    def as_message_part(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "arguments": self.arguments, "requestor": self.requestor}


@dataclass
class ToolMessage:
    id: str
    name: str
    content: str
    error: bool
    requestor: Requestor = "assistant"

    def as_message(self) -> dict[str, Any]:
        return {"role": "tool", "id": self.id, "name": self.name, "content": self.content,
                "error": self.error, "requestor": self.requestor}


class ReplayMismatch(ValueError):
    """A replayed tool call returned something else than the recorded tool message."""


def _parsed(content: Any) -> Any:
    try:
        return json.loads(content)
    except (TypeError, json.JSONDecodeError):
        return content


class Runtime:
    def __init__(self, domain: Domain, seed: int = 0, task: Task | None = None) -> None:
        self.domain = domain
        # The task lets a domain configure its tools per task (banking_knowledge's read-log allowlist).
        self.agent_tools, self.user_tools = domain.new_toolkits(seed, task=task)
        self.sync()

    def sync(self) -> None:
        """The domain's sync of the user's side with the agent's DB (a no-op in most domains)."""
        self.domain.sync_tools(self.agent_tools, self.user_tools)

    # -- state -------------------------------------------------------------------------------
    @property
    def db(self) -> LiveDB:
        return self.agent_tools.db

    @property
    def user_db(self) -> LiveDB | None:
        return self.user_tools.db if self.user_tools is not None else None

    def _toolkit(self, requestor: str) -> Toolkit:
        if requestor == "user":
            if self.user_tools is None:
                raise ValueError("User tools not available")
            return self.user_tools
        if requestor == "assistant":
            return self.agent_tools
        raise ValueError(f"Invalid requestor: {requestor}")

    def has_tool(self, name: str, requestor: str = "assistant") -> bool:
        kit = self.user_tools if requestor == "user" else self.agent_tools
        return kit is not None and kit.has_tool(name)

    def mutates_state(self, name: str) -> bool:
        for kit in (self.agent_tools, self.user_tools):
            if kit is not None and kit.has_tool(name):
                return kit.mutates_state(name)
        return True

    # -- calls -------------------------------------------------------------------------------
    def respond(self, call: ToolCall, *, sync: bool = True) -> ToolMessage:
        """Run one tool call; failures come back as `Error: …` messages with error=True.

        As τ²-bench's `get_response`, a successful call is followed by the domain's sync (a
        sync that fails turns the answer into an error); `sync=False` is its `make_tool_call`,
        which the reference's evaluator uses to build the gold state.
        """
        try:
            kit = self._toolkit(call.requestor)
        except ValueError as exc:
            return ToolMessage(call.id, call.name, f"Error: {exc}", True, call.requestor)
        result = kit.execute(call.name, call.arguments)
        if sync and not result.error:
            try:
                self.sync()
            except Exception as exc:  # noqa: BLE001 - reported like a failing tool, as in the reference
                return ToolMessage(call.id, call.name, f"Error: {exc}", True, call.requestor)
        return ToolMessage(call.id, call.name, result.content, result.error, call.requestor)

    def run_function(self, call: EnvFunctionCall) -> Any:
        """Run an initialization action or an assertion function (then the domain's sync);
        raises on failure."""
        result = self._toolkit(call.env_type).call_function(call.func_name, call.arguments)
        self.sync()
        return result

    def check_assertion(self, assertion: EnvAssertion) -> bool:
        result = self.run_function(assertion)
        if not isinstance(result, bool):
            raise ValueError(f"Function {assertion.func_name} returned {type(result).__name__} instead of bool")
        return result == assertion.assert_value

    # -- initial state and replay ------------------------------------------------------------
    def apply_initial_state(self, state: InitialState | None, *, strict: bool = True) -> None:
        """τ²-bench's `set_state`: DB patches, then function calls, then the history's writes."""
        if state is None:
            return
        data = state.initialization_data
        if data is not None and data.agent_data is not None:
            self.agent_tools.db.update(data.agent_data)
            # As in the reference: after a patch the user toolkit shares the agent's DB object.
            if self.user_tools is not None and self.user_tools.db is not None:
                self.user_tools.db = self.agent_tools.db
        if data is not None and data.user_data is not None:
            if self.user_tools is None or self.user_tools.db is None:
                raise ValueError("initialization_data.user_data given, but the domain has no user DB")
            self.user_tools.db.update(data.user_data)
            self.agent_tools.db = self.user_tools.db
        for action in state.initialization_actions or []:
            self.run_function(action)
        self.replay(state.message_history or [], strict=strict)
        self.sync()

    def replay(self, messages: list[dict[str, Any]], *, strict: bool = True) -> None:
        """Re-run the mutating tool calls of a conversation (reads and unknown tools are skipped).

        With `strict`, a replayed call whose result differs from the recorded tool message
        raises `ReplayMismatch`.
        """
        for call, recorded in pair_tool_calls(messages):
            if not self.has_tool(call.name, call.requestor) or not self.mutates_state(call.name):
                continue
            got = self.respond(call)
            if strict and recorded is not None and _parsed(got.content) != _parsed(recorded.get("content")):
                raise ReplayMismatch(f"replayed tool call {call.name}({call.arguments}) returned "
                                     f"{got.content!r}, the history recorded {recorded.get('content')!r}")


def pair_tool_calls(messages: list[dict[str, Any]]) -> list[tuple[ToolCall, dict[str, Any] | None]]:
    """Tool calls of a τ²-format conversation, each with the tool message answering it."""
    out: list[tuple[ToolCall, dict[str, Any] | None]] = []
    for msg in messages:
        role = msg.get("role")
        if role in ("assistant", "user"):
            for tc in msg.get("tool_calls") or []:
                requestor = tc.get("requestor") or ("user" if role == "user" else "assistant")
                out.append((ToolCall(str(tc.get("id", "")), tc["name"], dict(tc.get("arguments") or {}),
                                     requestor), None))
        elif role == "tool":
            tid = str(msg.get("id") or msg.get("tool_call_id") or "")
            for i in range(len(out) - 1, -1, -1):
                if out[i][0].id == tid and out[i][1] is None:
                    out[i] = (out[i][0], msg)
                    break
            else:
                raise ValueError(f"tool message {tid!r} answers no earlier tool call")
    return out
