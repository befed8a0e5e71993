"""What every model-driven agent shares: settings, the client, how a model call's failures
end a turn, and how a turn is reported.

The one place model-call failures are sorted (`_call`), following envs/endings.py:

* unusable replies (a malformed or unknown tool call) are answered with a short corrective
  message and counted; after `max_corrections` in a row the turn ends with `AGENT_ERROR`
  (the runner grades the episode as it stands);
* a context-window overflow trims the history (each agent says how) and tries again, at most
  `max_context_trims` times; when it still does not fit the turn ends with
  `CONTEXT_EXHAUSTED` (agent-caused, scored 0, as τ²-bench scores it);
* an endpoint still unreachable, 5xx or rate-limited after retries ends the turn with
  `INFRA_ERROR` (excluded, re-run on resume);
* a non-retryable 4xx (bad request, refused key) raises `ModelConfigurationError` out of
  `act`: the runner stops the whole run.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from agents.agent import AgentTurn
from agents.models.client import (
    ContextWindowExceeded, EndpointUnavailable, ModelClient, ModelConfigurationError, RetryPolicy,
)
from agents.models.registry import ModelEntry
from envs.endings import Termination
from envs.types import AgentSpec, TaskInfo
from trajectories.records import ModelCall

T = TypeVar("T")


class TurnEnded(Exception):
    """Raised inside `_act` to end the turn (and the episode) with `turn`."""

    def __init__(self, turn: AgentTurn):
        super().__init__(turn.error or (turn.ending.value if turn.ending else "turn ended"))
        self.turn = turn


def parse_thinking(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("on", "true", "1", "yes"):
        return True
    if text in ("off", "false", "0", "no"):
        return False
    raise ValueError(f"thinking must be on or off, got {value!r}")


@dataclass
class AgentSettings:
    """Options of the `model` agent (CLI flags and RunRequest.agent_options)."""

    model: str
    base_url: str | None = None
    thinking: bool | None = None              # None: the registry entry's default
    reasoning_effort: str | None = None
    max_images: int = 3                       # screenshots kept in the context (last N)
    coordinates: str | None = None            # "relative" (0–1000) or "absolute"; None: entry's
    max_corrections: int = 3                  # consecutive unusable replies before giving up
    max_context_trims: int = 3
    responses_state: str = "server"           # "server": previous_response_id; "client": full input
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> AgentSettings:
        opts = dict(options)
        if not opts.get("model"):
            raise ValueError("the model agent needs a model (e.g. --model qwen3.5-9b)")
        retry = RetryPolicy(**{k: opts.pop(f"retry_{k}") for k in
                               ("max_attempts", "initial_s", "max_s", "jitter_s", "timeout_s")
                               if f"retry_{k}" in opts})
        known = {f for f in cls.__dataclass_fields__ if f != "retry"}
        unknown = sorted(set(opts) - known)
        if unknown:
            raise ValueError(f"unknown model agent option(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        settings = cls(**opts, retry=retry)
        settings.thinking = parse_thinking(settings.thinking)
        if settings.max_images < 1:
            raise ValueError("max_images must be at least 1")
        if settings.coordinates not in (None, "relative", "absolute"):
            raise ValueError(f"coordinates must be 'relative' (0–1000 grid) or 'absolute', got {settings.coordinates!r}")
        if settings.responses_state not in ("server", "client"):
            raise ValueError("responses_state must be 'server' or 'client'")
        return settings


class ModelDrivenAgent:
    """Base of the computer-use and tool-calling agents (one episode per instance)."""

    def __init__(self, entry: ModelEntry, settings: AgentSettings, task: TaskInfo, spec: AgentSpec):
        self.entry = entry
        self.settings = settings
        self.task = task
        self.spec = spec
        self.client = ModelClient(entry, settings.base_url, role="agent", retry=settings.retry)
        self.corrections_in_a_row = 0
        self.agent_errors = 0
        self._calls: list[ModelCall] = []
        self._notes: dict[str, Any] = {}

    async def act(self, observation: Any) -> AgentTurn:
        self._calls = []
        self._notes = {}
        try:
            return await self._act(observation)
        except TurnEnded as ended:
            return ended.turn
        except ModelConfigurationError as exc:
            exc.calls = list(self._calls)   # every attempt of this turn, for the record
            raise

    async def _act(self, observation: Any) -> AgentTurn:
        raise NotImplementedError

    def feedback(self, action: dict[str, Any], observation: Any, info: dict[str, Any]) -> None:
        """What the env answered to an executed action (optional)."""

    async def _call(self, send: Callable[[], Awaitable[T]],
                    trim: Callable[[str], bool] | None = None) -> T:
        """One model call with the failure rules above. `trim(reason)` shortens the history
        and says whether it could; None means the request cannot be trimmed here (the
        Responses API's own `truncation="auto"` already did)."""
        trims = 0
        while True:
            try:
                result = await send()
            except ContextWindowExceeded as exc:
                self._calls.extend(exc.calls)
                if trim is not None and trims < self.settings.max_context_trims and trim(str(exc)):
                    trims += 1
                    continue
                raise TurnEnded(self._ended(
                    Termination.CONTEXT_EXHAUSTED,
                    f"the context window is exhausted after {trims} trim(s) of the history: {exc}")) from exc
            except EndpointUnavailable as exc:
                self._calls.extend(exc.calls)
                raise TurnEnded(self._ended(Termination.INFRA_ERROR, str(exc))) from exc
            except ModelConfigurationError as exc:
                self._calls.extend(exc.calls)
                raise
            self._calls.extend(result.calls)  # type: ignore[attr-defined]
            return result

    # -- bookkeeping of one turn ----------------------------------------------------------

    def _note(self, key: str, value: Any) -> None:
        self._notes.setdefault(key, []).append(value)

    def _agent_error(self, message: str) -> bool:
        """Record an unusable reply; True while another corrective attempt is allowed."""
        self.agent_errors += 1
        self.corrections_in_a_row += 1
        self._note("agent_errors", message)
        return self.corrections_in_a_row <= self.settings.max_corrections

    def _turn(self, actions: list[dict[str, Any]], message: dict[str, Any] | None = None,
              **output: Any) -> AgentTurn:
        message = message or {}
        return AgentTurn(actions=actions, model_calls=list(self._calls), reasoning=message.get("reasoning"),
                         text=message.get("content"), output={**self._notes, **output})

    def _give_up(self, message: dict[str, Any] | None = None) -> AgentTurn:
        """Too many unusable replies in a row: stop acting; the task's evaluator grades the state.

        No FAIL action on purpose: on an infeasible task FAIL would score as a success.
        """
        reason = f"gave up after {self.corrections_in_a_row} unusable model replies in a row"
        turn = self._turn([], message, gave_up=reason)
        turn.ending, turn.error = Termination.AGENT_ERROR, reason
        return turn

    def _ended(self, ending: Termination, error: str) -> AgentTurn:
        turn = self._turn([])
        turn.ending, turn.error = ending, error
        return turn

    async def aclose(self) -> None:
        await self.client.aclose()


def replayable_calls(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool calls safe to send back in history: vLLM parses every ``arguments`` string as JSON
    for the chat template, so a malformed one would make the next request fail. Those become
    ``"{}"`` (the corrective tool message quotes what was wrong)."""
    out = []
    for call in calls:
        fn = dict(call.get("function") or {})
        args = fn.get("arguments")
        if not isinstance(args, dict):
            try:
                ok = isinstance(json.loads(args or "{}"), dict)
            except (TypeError, ValueError):
                ok = False
            if not ok:
                fn["arguments"] = "{}"
        out.append({**call, "function": fn})
    return out
