"""Shared fixtures for the card_services domain tests."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from envs.tau2_lite import Tau2Env, get_domain
from envs.tau2_lite.domains.card_services import load_test_set
from envs.tau2_lite.runtime import Runtime, ToolCall
from envs.types import ChatReply, Evaluation, Termination


@pytest.fixture(scope="session")
def domain():
    return get_domain("card_services")


@pytest.fixture(scope="session")
def test_tasks() -> list[dict[str, Any]]:
    return load_test_set()


@pytest.fixture()
def runtime(domain) -> Runtime:
    return Runtime(domain, seed=0)


def call(rt: Runtime, name: str, **arguments: Any):
    """Run one tool call; returns (parsed output or error text, error flag)."""
    msg = rt.respond(ToolCall("t", name, arguments))
    try:
        return json.loads(msg.content), msg.error
    except json.JSONDecodeError:
        return msg.content, msg.error


class AllMetJudge:
    """A scripted judge that finds every assertion met (stands in for the LLM judge)."""

    name = "scripted-judge"

    def chat(self, messages, *, tools=None, temperature=None) -> ChatReply:
        outcomes = [line[2:] for line in messages[-1]["content"].split("Expected outcomes:\n")[1].splitlines()]
        body = {"results": [{"expectedOutcome": o, "reasoning": "scripted", "metExpectation": True} for o in outcomes]}
        return ChatReply(content=json.dumps(body), record={"model": self.name})


def run_baseline(domain, task_id: str, agent_name: str, judge=None, seed: int = 7) -> Evaluation:
    """One episode with a built-in baseline agent and the scripted user, as the runner drives it."""
    from agents.agent import make_agent

    env = Tau2Env(domain, task_id, user="scripted", judge_model=judge)
    obs, _ = env.reset(seed=seed)
    agent = make_agent(agent_name)
    agent.reset(env.task_info, env.agent_spec(), env, seed)
    for _ in range(60):
        turn = asyncio.run(agent.act(obs))
        if not turn.actions:
            return env.evaluate(Termination.AGENT_DONE)
        for action in turn.actions:
            obs, _, terminated, truncated, info = env.step(action)
            if terminated or truncated:
                return Evaluation.model_validate(info["evaluation"])
    raise AssertionError(f"{task_id}: the episode did not end")
