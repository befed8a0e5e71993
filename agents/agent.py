"""The agent interface and the agent registry.

An agent sees one task at a time: `reset(task, spec)` then `act(observation)` until the
episode ends. `act` returns an `AgentTurn`: the environment actions to execute in order
(computer_13 dicts for osworld-lite, tool-call/message dicts for tau2-lite) plus the model
calls that produced them, so the runner can store everything.
"""
from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from envs.errors import UnknownIdError
from envs.endings import Termination
from envs.types import AgentSpec, TaskInfo
from trajectories.records import ModelCall


class AgentTurn(BaseModel):
    actions: list[dict[str, Any]] = Field(default_factory=list)
    model_calls: list[ModelCall] = Field(default_factory=list)
    reasoning: str | None = None
    text: str | None = None
    output: dict[str, Any] = Field(default_factory=dict)  # anything else worth storing
    # Set when the agent cannot go on: how the episode ends and why. envs/endings.py says
    # whose fault each ending is (an endpoint down after retries is not the agent's; an
    # exhausted context window or unusable output past the correction limit is). A turn with
    # no actions and no ending means the agent is done.
    ending: Termination | None = None
    error: str | None = None


class Agent(abc.ABC):
    """Base class of every agent. Subclasses are registered with `register_agent`."""

    name: str = "agent"

    def __init__(self, **options: Any) -> None:
        self.options = options

    @abc.abstractmethod
    def reset(self, task: TaskInfo, spec: AgentSpec, env: Any = None, seed: int | None = None) -> None:
        """Start a new episode. `env` is the unwrapped env (baselines read solutions from it)."""

    @abc.abstractmethod
    async def act(self, observation: Any) -> AgentTurn:
        """Choose the next action(s) from the latest observation."""

    def feedback(self, action: dict[str, Any], observation: Any, info: dict[str, Any]) -> None:
        """Called after each executed action with what the env returned (optional)."""

    async def aclose(self) -> None:
        """Release clients and connections."""


AgentFactory = Callable[..., Agent]
_AGENTS: dict[str, AgentFactory] = {}


def register_agent(name: str) -> Callable[[AgentFactory], AgentFactory]:
    def deco(factory: AgentFactory) -> AgentFactory:
        _AGENTS[name] = factory
        return factory
    return deco


def make_agent(name: str, **options: Any) -> Agent:
    import agents.baselines  # noqa: F401  (registers the built-ins)
    import agents.model_agent  # noqa: F401  (registers "model")
    if name not in _AGENTS:
        raise UnknownIdError("agent", name, _AGENTS)
    return _AGENTS[name](**options)


def list_agents() -> list[str]:
    import agents.baselines  # noqa: F401
    import agents.model_agent  # noqa: F401
    return sorted(_AGENTS)
