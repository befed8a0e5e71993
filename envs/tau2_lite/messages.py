"""The tau2-lite action and observation forms (the `spaces.Text` boundary).

Actions: `{"type": "tool_call", "id": "call_1", "name": "get_order_details", "arguments": {...}}`
or `{"type": "message", "content": "..."}` — as typed models, dicts, or JSON strings.

Observations: the JSON text of the messages the agent has not seen yet:
`{"role": "user", "content"}`, `{"role": "tool", "tool_call_id", "name", "content", "error"}`,
and, for the opening greeting or a task's initial conversation prefix, `{"role": "assistant",
"content", "tool_calls": [{"id", "type": "function", "function": {"name", "arguments": <JSON
string>}}]}` (OpenAI chat shape). The agent never gets its own actions echoed back.
"""
from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from gymnasium import spaces
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, field_validator


class ToolCallAction(BaseModel):
    type: Literal["tool_call"] = "tool_call"
    id: str = ""
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)

    @field_validator("arguments", mode="before")
    @classmethod
    def _json_arguments(cls, value: Any) -> Any:
        # Chat APIs deliver arguments as a JSON string; accept both forms.
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(f"arguments are not valid JSON: {exc}") from None
        return {} if value is None else value


class MessageAction(BaseModel):
    type: Literal["message"] = "message"
    content: str


Action = Annotated[ToolCallAction | MessageAction, Field(discriminator="type")]
_ACTION = TypeAdapter(Action)


def parse_action(action: Any) -> tuple[ToolCallAction | MessageAction | None, str | None]:
    """(parsed action, None) or (None, what is wrong with it)."""
    if isinstance(action, (ToolCallAction, MessageAction)):
        return action, None
    if isinstance(action, BaseModel):
        action = action.model_dump()
    if isinstance(action, (str, bytes)):
        try:
            action = json.loads(action)
        except json.JSONDecodeError as exc:
            return None, f"action is not valid JSON: {exc}"
    if not isinstance(action, dict):
        return None, f"action must be a JSON object, got {type(action).__name__}"
    if "type" not in action:
        return None, 'action needs "type": "tool_call" or "message"'
    try:
        return _ACTION.validate_python(action), None
    except ValidationError as exc:
        errs = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'action'}: {e['msg']}" for e in exc.errors())
        return None, f"invalid action: {errs}"


def to_observation(message: dict[str, Any]) -> dict[str, Any] | None:
    """A τ²-format conversation message as the agent sees it (None: hidden from the agent)."""
    role = message.get("role")
    if role == "tool":
        if message.get("requestor") == "user":
            return None   # the user's own tool traffic is private to the user
        return {"role": "tool", "tool_call_id": message.get("id"), "name": message.get("name", ""),
                "content": message.get("content"), "error": bool(message.get("error", False))}
    if role == "user":
        if message.get("tool_calls") or not message.get("content"):
            return None   # the user's tool-call turns go to its phone, never to the agent (as in τ²-bench)
        return {"role": "user", "content": message["content"]}
    if role == "assistant":
        out: dict[str, Any] = {"role": "assistant", "content": message.get("content")}
        if message.get("tool_calls"):
            # OpenAI chat shape, so agents can put history messages straight into a request.
            out["tool_calls"] = [{"id": tc.get("id"), "type": "function", "function": {
                "name": tc["name"], "arguments": json.dumps(tc.get("arguments") or {}, ensure_ascii=False)}}
                for tc in message["tool_calls"]]
        return out
    return None


def observation_json(messages: list[dict[str, Any]]) -> str:
    visible = [o for o in (to_observation(m) for m in messages) if o is not None]
    return json.dumps(visible, ensure_ascii=False)


class JsonText(spaces.Text):
    """A Text space holding JSON: any characters (tool output and user text are free text)."""

    def __init__(self, max_length: int = 4_000_000) -> None:
        super().__init__(max_length=max_length, min_length=0)

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    def sample(self, mask: Any = None, probability: Any = None) -> str:
        """A short random string (a full-length random text of millions of characters is
        useless as an action and slow to make); `env.sample_action` gives valid actions."""
        length = int(self.np_random.integers(0, 65))
        chars = list(self.character_set)
        return "".join(chars[int(i)] for i in self.np_random.integers(0, len(chars), size=length))

    def __repr__(self) -> str:
        return f"JsonText(max_length={self.max_length})"
