"""Baseline agents: `oracle` (replays the reference solution), `noop`, `random`.

They anchor the scale: the oracle shows what a perfect agent scores (and checks that every
task is solvable), noop what doing nothing scores, random what chance scores.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from agents.agent import Agent, AgentTurn, register_agent
from envs.types import AgentSpec, TaskInfo


@register_agent("oracle")
class OracleAgent(Agent):
    """Replays the task's reference solution one action per turn."""

    name = "oracle"

    def reset(self, task: TaskInfo, spec: AgentSpec, env: Any = None, seed: int | None = None) -> None:
        solution = env.reference_solution() if env is not None else None
        if solution is None:
            raise ValueError(f"task {task.id!r} has no reference solution; the oracle cannot run it")
        self._actions: list[dict[str, Any]] = list(solution)
        self._kind = spec.kind

    async def act(self, observation: Any) -> AgentTurn:
        if not self._actions:
            # Solution exhausted without the env ending the episode: stop here.
            return AgentTurn(actions=[], text="reference solution exhausted")
        return AgentTurn(actions=[self._actions.pop(0)])


@register_agent("noop")
class NoopAgent(Agent):
    """Ends the episode at once (DONE on desktops, silence in tool domains)."""

    name = "noop"

    def reset(self, task: TaskInfo, spec: AgentSpec, env: Any = None, seed: int | None = None) -> None:
        self._kind = spec.kind

    async def act(self, observation: Any) -> AgentTurn:
        if self._kind == "computer":
            return AgentTurn(actions=[{"action_type": "DONE"}])
        return AgentTurn(actions=[])


@register_agent("random")
class RandomAgent(Agent):
    """Samples a random valid action from the environment each turn (seeded)."""

    name = "random"

    def reset(self, task: TaskInfo, spec: AgentSpec, env: Any = None, seed: int | None = None) -> None:
        if env is None or not hasattr(env, "sample_action"):
            raise ValueError("the random agent needs an environment with sample_action(rng)")
        self._env = env
        self._rng = np.random.default_rng(seed)

    async def act(self, observation: Any) -> AgentTurn:
        return AgentTurn(actions=[self._env.sample_action(self._rng)])
