"""The gymnasium environment: orchestration, users, terminations, oracle and noop baselines."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import envs.tau2_lite  # noqa: F401  (registers the family and the gym ids)
from envs.errors import UnknownIdError
from envs.registry import get_family
from envs.tau2_lite.user_simulator import ScriptedUser
from envs.types import ChatReply, Termination
from tau2_lite_helpers import ScriptedJudge

FAMILY = get_family("tau2-lite")


def _run(env, actions: list[dict[str, Any]]) -> tuple[float, Any, dict[str, Any]]:
    env.reset(seed=0)
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            return reward, info["termination"], info
    evaluation = env.evaluate(Termination.AGENT_DONE)
    return evaluation.reward, Termination.AGENT_DONE, {"evaluation": evaluation.model_dump()}


def test_check_env_and_gym_registration(retail_dir: Path, mock_dir: Path) -> None:
    for env_id, data in (("tau2-lite/retail", retail_dir), ("tau2-lite/mock", mock_dir)):
        env = gym.make(env_id, data_dir=str(data))
        check_env(env.unwrapped, skip_render_check=True)
        assert env.unwrapped.agent_spec().kind == "tools"
        env.close()


def test_oracle_scores_one_on_every_retail_task(retail_dir: Path) -> None:
    judge = ScriptedJudge()
    tasks = FAMILY.list_tasks(domain="retail", data_dir=str(retail_dir))
    assert len(tasks) == 114
    for info in tasks:
        env = FAMILY.make(info.id, domain="retail", data_dir=str(retail_dir), user="scripted", judge_model=judge)
        reward, termination, step_info = _run(env, env.unwrapped.reference_solution())
        assert termination in (Termination.USER_STOP, Termination.AGENT_DONE), info.id
        assert reward == 1.0, (info.id, step_info["evaluation"]["details"])
    assert judge.requests, "NL_ASSERTION tasks must have consulted the judge"


def test_noop_scores_zero_on_every_writing_task(retail_dir: Path) -> None:
    tasks = FAMILY.list_tasks(domain="retail", data_dir=str(retail_dir))
    writing = [t for t in tasks if t.writes]
    assert len(writing) == 103 and "105" not in {t.id for t in writing}  # 105's only write fails
    for info in writing:
        env = FAMILY.make(info.id, domain="retail", data_dir=str(retail_dir), user="scripted",
                          judge_model=ScriptedJudge())
        env.reset(seed=0)
        evaluation = env.evaluate(Termination.AGENT_DONE)
        assert evaluation.reward == 0.0 and evaluation.details["env"]["db_match"] is False, info.id


def test_mock_oracle_matches_reference_gold_rewards(mock_dir: Path) -> None:
    zero = {"update_task_with_history_and_env_assertions", "update_task_with_user_tools"}
    for info in FAMILY.list_tasks(domain="mock", data_dir=str(mock_dir)):
        env = FAMILY.make(info.id, domain="mock", data_dir=str(mock_dir), user="scripted",
                          judge_model=ScriptedJudge())
        reward, _, _ = _run(env, env.unwrapped.reference_solution())
        assert reward == (0.0 if info.id in zero else 1.0), info.id


def test_observations_and_tool_errors(retail_dir: Path) -> None:
    env = FAMILY.make("5", domain="retail", data_dir=str(retail_dir), user="scripted", max_errors=2)
    obs, info = env.reset(seed=3)
    first = json.loads(obs)
    assert [m["role"] for m in first] == ["assistant", "user"] and first[1]["content"]
    obs, reward, terminated, truncated, info = env.step(
        '{"type": "tool_call", "id": "c1", "name": "get_order_details", "arguments": "{\\"order_id\\": \\"#W0\\"}"}')
    assert json.loads(obs) == [{"role": "tool", "tool_call_id": "c1", "name": "get_order_details",
                                "content": "Error: Order not found", "error": True}]
    assert info["tool_result"] == {"name": "get_order_details", "error": True} and not terminated
    obs, reward, terminated, truncated, info = env.step({"type": "tool_call", "name": "nope", "arguments": {}})
    assert terminated and info["termination"] == Termination.TOO_MANY_ERRORS and reward == 0.0
    assert info["evaluation"]["details"]["note"].startswith("conversation ended prematurely")


def test_malformed_actions_do_not_raise(retail_dir: Path) -> None:
    from envs.tau2_lite import ToolCallAction
    env = FAMILY.make("5", domain="retail", data_dir=str(retail_dir), user="scripted")
    env.reset(seed=0)
    obs, _, _, _, info = env.step(ToolCallAction(id="t", name="get_user_details", arguments={"user_id": "nobody"}))
    assert json.loads(obs)[0]["content"] == "Error: User not found" and "action_error" not in info
    for bad in ("{oops", {"type": "wave"}, 42, {"type": "tool_call"}, {"name": "x"}):
        obs, _, terminated, _, info = env.step(bad)
        assert obs == "[]" and info["action_error"] and not terminated


def test_max_steps_truncates(retail_dir: Path) -> None:
    env = FAMILY.make("5", domain="retail", data_dir=str(retail_dir), user="scripted", max_steps=3)
    env.reset(seed=0)
    call = {"type": "tool_call", "name": "list_all_product_types", "arguments": {}}
    results = [env.step(call) for _ in range(3)]
    _, reward, terminated, truncated, info = results[-1]
    assert truncated and not terminated and info["termination"] == Termination.MAX_STEPS and reward == 0.0


def test_message_history_opens_the_conversation(mock_dir: Path) -> None:
    env = FAMILY.make("update_task_with_message_history", domain="mock", data_dir=str(mock_dir), user="scripted")
    obs, _ = env.reset(seed=0)
    msgs = json.loads(obs)
    assert msgs[0] == {"role": "user", "content": "I need to create a task for the project review meeting."}
    call = msgs[1]["tool_calls"][0]
    assert call["type"] == "function" and call["function"]["name"] == "create_task"
    assert json.loads(call["function"]["arguments"])["title"] == "Project Review"
    assert msgs[2] == {"role": "tool", "tool_call_id": "call_1", "name": "create_task", "error": False,
                       "content": msgs[2]["content"]} and "task_2" in msgs[2]["content"]
    assert msgs[-1]["role"] == "user"   # the user answered the history's last agent message
    assert "task_2" in env.unwrapped.runtime.db.tasks  # the history's write was replayed


class ScriptedUserModel:
    """Stands in for the user-simulator model: replies in order, recording what it was sent."""

    name = "scripted-user-model"

    def __init__(self, replies: list[ChatReply]) -> None:
        self.replies = list(replies)
        self.seen: list[dict[str, Any]] = []

    def chat(self, messages, *, tools=None, temperature=None) -> ChatReply:
        self.seen.append({"messages": messages, "tools": tools})
        reply = self.replies.pop(0)
        reply.record = {"model": self.name, "request": {"messages": messages}}
        return reply


def _tc(call_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


def test_llm_user_with_its_own_tools(mock_dir: Path) -> None:
    model = ScriptedUserModel([
        ChatReply(content=None, tool_calls=[_tc("u1", "check_notifications", {})], cost_usd=0.001),
        ChatReply(content="I finished task_1, please mark it completed.", cost_usd=0.001),
        ChatReply(content=None, tool_calls=[_tc("u2", "dismiss_notification", {"notification_id": "notif_1"})]),
        ChatReply(content="Thanks! ###STOP###"),
    ])
    env = FAMILY.make("update_task_with_user_tools", domain="mock", data_dir=str(mock_dir), user="llm",
                      user_model=model, judge_model=ScriptedJudge())
    obs, info = env.reset(seed=0)
    assert [c["role"] for c in info["model_calls"]] == ["user_simulator", "user_simulator"]
    assert json.loads(obs)[-1] == {"role": "user", "content": "I finished task_1, please mark it completed."}
    first = model.seen[0]
    system = first["messages"][0]
    assert system["role"] == "system" and "use the check_notifications tool" in system["content"]
    assert "###STOP###" in system["content"] and "Persona:" in system["content"]
    assert {t["function"]["name"] for t in first["tools"]} == {"check_notifications", "dismiss_notification"}
    tool_feedback = model.seen[1]["messages"][-1]
    assert tool_feedback["role"] == "tool" and "Task 'Test task' has been assigned" in tool_feedback["content"]
    env.step({"type": "tool_call", "id": "a1", "name": "update_task_status",
              "arguments": {"task_id": "task_1", "status": "completed"}})
    obs, reward, terminated, _, info = env.step({"type": "message", "content": "Done: task_1 is completed."})
    assert terminated and info["termination"] == Termination.USER_STOP
    # As in τ²-bench, the DB check covers the user DB too: the user's dismissal (needed for the
    # assertion) is a write the gold actions lack, so this reference task cannot score 1.
    assert info["evaluation"]["details"]["reward_breakdown"] == {"DB": 0.0, "ENV_ASSERTION": 1.0, "ACTION": 1.0}
    assert reward == 0.0
    assert json.loads(obs) == [{"role": "user", "content": "Thanks! ###STOP###"}]  # user tool traffic stays private
    assert model.seen[2]["messages"][-1] == {"role": "user", "content": "Done: task_1 is completed."}


def test_scripted_utterances_and_transfer_signal(mock_dir: Path) -> None:
    user = ScriptedUser(["Please delete all my tasks.", "###TRANSFER###"])
    env = FAMILY.make("impossible_task_1", domain="mock", data_dir=str(mock_dir), user="scripted",
                      scripted_user=user)
    obs, _ = env.reset(seed=0)
    assert json.loads(obs)[-1]["content"] == "Please delete all my tasks."
    env.step({"type": "tool_call", "name": "transfer_to_human_agents", "arguments": {"summary": "delete tasks"}})
    _, reward, terminated, _, info = env.step({"type": "message", "content": "YOU ARE BEING TRANSFERRED"})
    assert terminated and info["termination"] == Termination.TRANSFER and reward == 1.0


def test_random_actions_never_crash(retail_dir: Path) -> None:
    env = FAMILY.make("0", domain="retail", data_dir=str(retail_dir), user="scripted", max_errors=1000)
    env.reset(seed=1)
    rng = np.random.default_rng(7)
    for _ in range(40):
        action = env.unwrapped.sample_action(rng)
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            break


def test_family_listing_and_errors(retail_dir: Path) -> None:
    infos = FAMILY.list_tasks(domain="retail", data_dir=str(retail_dir), split="train")
    assert len(infos) == 74 and all(i.split == "train" and i.env == "tau2-lite" for i in infos)
    with pytest.raises(UnknownIdError, match="Did you mean"):
        FAMILY.make("1000", domain="retail", data_dir=str(retail_dir))
    with pytest.raises(ValueError, match="data/tau2/domains/retail"):
        FAMILY.list_tasks(domain="retail")
    with pytest.raises(ValueError, match="needs user_model"):
        FAMILY.make("0", domain="retail", data_dir=str(retail_dir), user="llm")
    problems = FAMILY.preflight(domain="retail", data_dir=str(retail_dir), user="llm")
    assert problems == ["the LLM user simulator needs a user model (--user-model), or use --user scripted"]
    assert FAMILY.preflight(domain="retail", data_dir=str(retail_dir), user="scripted") == []
    with pytest.raises(UnknownIdError, match="retail"):
        FAMILY.list_tasks(domain="retial")


def test_an_empty_user_reply_is_retried_once_then_an_infrastructure_error(mock_dir: Path) -> None:
    from envs.errors import InfrastructureError
    retried = ScriptedUserModel([ChatReply(content=""), ChatReply(content="Mark task_1 completed.")])
    env = FAMILY.make("update_task_1", domain="mock", data_dir=str(mock_dir), user="llm", user_model=retried)
    obs, info = env.reset(seed=0)
    assert json.loads(obs)[-1]["content"] == "Mark task_1 completed." and len(info["model_calls"]) == 2
    silent = ScriptedUserModel([ChatReply(content=None), ChatReply(content="  ")])
    env = FAMILY.make("update_task_1", domain="mock", data_dir=str(mock_dir), user="llm", user_model=silent)
    with pytest.raises(InfrastructureError, match="empty messages"):
        env.reset(seed=0)


def test_concurrent_episodes_share_one_domain_safely(retail_dir: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    ids = [t.id for t in FAMILY.list_tasks(domain="retail", data_dir=str(retail_dir)) if t.writes][:24]

    def episode(task_id: str) -> tuple[str, float]:
        env = FAMILY.make(task_id, domain="retail", data_dir=str(retail_dir), user="scripted",
                          judge_model=ScriptedJudge())
        reward, _, _ = _run(env, env.unwrapped.reference_solution())
        noop = FAMILY.make(task_id, domain="retail", data_dir=str(retail_dir), user="scripted",
                           judge_model=ScriptedJudge())
        noop.reset(seed=1)
        return task_id, reward - noop.evaluate(Termination.AGENT_DONE).reward

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = dict(pool.map(episode, ids))
    assert results == {tid: 1.0 for tid in ids}
