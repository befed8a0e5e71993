"""The LLM user and the NL judge over real HTTP: the registry's ChatModel, the official `openai`
SDK, and a scripted OpenAI-compatible server on 127.0.0.1 standing in for the model."""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agents.models import make_chat_model  # noqa: E402
from agents.models.client import RetryPolicy  # noqa: E402
from envs.errors import InfrastructureError  # noqa: E402
from envs.registry import get_family  # noqa: E402
from envs.types import Termination  # noqa: E402
from tests.agents_models.scripted_server import (  # noqa: E402
    Fault, ScriptedServer, chat_reply, serving_registry_models,
)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ScriptedServer]:
    with serving_registry_models(monkeypatch, tmp_path) as srv:
        yield srv


def test_llm_user_and_judge_over_http(server: ScriptedServer, retail_dir: Path) -> None:
    family = get_family("tau2-lite")
    env = family.make("38", domain="retail", data_dir=str(retail_dir), user="llm",
                      user_model=make_chat_model("gpt-5.4-mini", base_url=server.base_url),
                      judge_model=make_chat_model("gpt-5.4-mini", base_url=server.base_url, role="judge"))
    task = env.unwrapped.task
    assertions = task.evaluation_criteria.nl_assertions
    server.script("chat",
                  chat_reply("Hi, I'd like to cancel an order please.", model="gpt-5.4-mini"),
                  chat_reply("Thanks, that's all. ###STOP###", model="gpt-5.4-mini"),
                  chat_reply(json.dumps({"results": [{"expectedOutcome": a, "reasoning": "stated",
                                                      "metExpectation": True} for a in assertions]}),
                             model="gpt-5.4-mini"))
    obs, info = env.reset(seed=0)
    assert json.loads(obs)[-1] == {"role": "user", "content": "Hi, I'd like to cancel an order please."}
    assert [c["role"] for c in info["model_calls"]] == ["user_simulator"]
    first = server.requests["chat"][0]
    assert first["messages"][0]["role"] == "system" and "###STOP###" in first["messages"][0]["content"]
    assert first["messages"][1] == {"role": "user", "content": "Hi! How can I help you today?"}
    for action in env.unwrapped.reference_solution():
        obs, reward, terminated, truncated, info = env.step(action)
        if terminated:
            break
    assert terminated and info["termination"] == Termination.USER_STOP
    assert [c["role"] for c in info["model_calls"]] == ["user_simulator", "judge"]
    evaluation = info["evaluation"]
    assert reward == 1.0 and evaluation["details"]["reward_breakdown"] == {"DB": 1.0, "NL_ASSERTION": 1.0}
    assert evaluation["judge_cost_usd"] > 0
    judge_request = server.requests["chat"][2]["messages"][-1]["content"]
    assert all(f"- {a}" in judge_request for a in assertions)
    assert server.remaining("chat") == 0


def test_user_model_failure_is_an_infrastructure_error(server: ScriptedServer, mock_dir: Path) -> None:
    model = make_chat_model("gpt-5.4-mini", base_url=server.base_url)
    model.retry = RetryPolicy(max_attempts=2, initial_s=0.01, max_s=0.01, jitter_s=0.0)
    server.script("chat", Fault(500, "boom"), Fault(500, "boom"))
    env = get_family("tau2-lite").make("update_task_1", domain="mock", data_dir=str(mock_dir), user="llm",
                                       user_model=model)
    with pytest.raises(InfrastructureError, match="user_simulator model gpt-5.4-mini"):
        env.reset(seed=0)
