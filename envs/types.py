"""Types every environment family shares with the runner and the agents.

The contract between an environment and the runner (see docs/architecture.md):

* each environment instance is a `gymnasium.Env` for ONE task;
* `env.unwrapped.task_info` is a `TaskInfo`, `env.unwrapped.agent_spec()` an `AgentSpec`;
* `step(action)` accepts a typed pydantic action, a dict, or its JSON string;
* the terminating step's `info` carries `"termination"` (a `Termination` value) and
  `"evaluation"` (an `Evaluation` dumped to a dict); on truncation the runner calls
  `env.unwrapped.evaluate(termination)` itself;
* `env.unwrapped.reference_solution()` returns the oracle's actions (or None) and
  `env.unwrapped.sample_action(rng)` a random valid action;
* environment failures raise `InfrastructureError`, never count against the agent.
"""
from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from envs.endings import Termination  # noqa: F401  (re-exported: part of the env contract)

SCHEMA_VERSION = 1


class TaskInfo(BaseModel):
    """What the runner, the store and the agents need to know about one task."""

    id: str
    env: str                              # family name, e.g. "osworld-lite"
    domain: str
    split: Literal["train", "test"] = "test"
    instruction: str
    infeasible: bool = False
    has_solution: bool = False
    writes: bool | None = None            # tau2: do the gold actions write to the DB?
    metadata: dict[str, Any] = Field(default_factory=dict)


class Evaluation(BaseModel):
    """The task's own evaluator's verdict."""

    reward: float
    success: bool
    details: dict[str, Any] = Field(default_factory=dict)
    judge_cost_usd: float = 0.0           # cost of any LLM judge used while grading


class AgentSpec(BaseModel):
    """How an agent must talk to this environment.

    kind == "computer": observations carry a screenshot; actions are computer_13 actions.
    kind == "tools": observations are new messages; actions are tool calls or messages.
    """

    kind: Literal["computer", "tools"]
    instruction: str = ""
    system_prompt: str = ""               # tau2: the domain policy
    tools: list[dict[str, Any]] = Field(default_factory=list)  # OpenAI function schemas
    screen_width: int | None = None
    screen_height: int | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class ChatReply(BaseModel):
    """A model's reply as an environment needs it (user simulator, NL judge)."""

    content: str | None = None
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    # The exchange in canonical OpenAI chat shape, so the runner can store it as a model call.
    record: dict[str, Any] = Field(default_factory=dict)


class ChatModel(Protocol):
    """The small model protocol environments need; `agents` passes an implementation in.

    Synchronous on purpose: environments run in worker threads.
    """

    name: str

    def chat(
        self,
        messages: list[dict[str, Any]],
        *,
        tools: list[dict[str, Any]] | None = None,
        temperature: float | None = None,
    ) -> ChatReply: ...
