"""Plays one episode of a built-in baseline agent (`oracle`, `noop`, `random`) on an env.

The loop is the runner's (agents/episode.py) without the store: reset the env, reset the
agent on the unwrapped env, then act and step until the episode ends. A turn without actions
ends the episode as AGENT_DONE and is graded by the env's evaluator; a truncated episode or
one that reaches `max_steps` is graded as MAX_STEPS.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from agents.agent import make_agent
from envs.endings import Termination
from envs.types import Evaluation


@dataclass
class Played:
    evaluation: Evaluation
    termination: Termination
    steps: int
    action_errors: list[str] = field(default_factory=list)


def play_baseline(env: Any, agent_name: str, seed: int = 0, max_steps: int = 200) -> Played:
    """One episode of `agent_name` on `env` (a fresh reset; the env stays open)."""
    return asyncio.run(_play(env, agent_name, seed, max_steps))


async def _play(env: Any, agent_name: str, seed: int, max_steps: int) -> Played:
    obs, _ = env.reset(seed=seed)
    core = env.unwrapped
    agent = make_agent(agent_name)
    agent.reset(core.task_info, core.agent_spec(), core, seed)
    errors: list[str] = []
    steps = 0
    try:
        while True:
            turn = await agent.act(obs)
            if not turn.actions:
                termination = turn.ending or Termination.AGENT_DONE
                return Played(core.evaluate(termination), termination, steps, errors)
            for action in turn.actions:
                obs, _, terminated, truncated, info = env.step(action)
                steps += 1
                if "action_error" in info:
                    errors.append(f"step {steps}: {info['action_error']}")
                agent.feedback(action, obs, info)
                if terminated:
                    termination = Termination(info.get("termination", Termination.AGENT_DONE))
                    evaluation = info.get("evaluation")
                    if evaluation is None:
                        return Played(core.evaluate(termination), termination, steps, errors)
                    return Played(Evaluation.model_validate(evaluation), termination, steps, errors)
                if truncated or steps >= max_steps:
                    return Played(core.evaluate(Termination.MAX_STEPS), Termination.MAX_STEPS, steps, errors)
    finally:
        await agent.aclose()
