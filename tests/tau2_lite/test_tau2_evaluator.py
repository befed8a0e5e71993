"""Each reward basis on hand-made conversations."""
from __future__ import annotations

from pathlib import Path

import pytest

from envs.errors import InfrastructureError
from envs.tau2_lite.domain import get_domain
from envs.tau2_lite.evaluator import action_reward, communicate_reward, grade
from envs.tau2_lite.runtime import Runtime, ToolCall
from envs.tau2_lite.tasks import Task
from envs.types import Termination
from tau2_lite_helpers import ScriptedJudge


def _task(**criteria) -> Task:
    return Task.model_validate({"id": "t", "user_scenario": {"instructions": "x"}, "evaluation_criteria": criteria})


def _call(cid: str, name: str, args: dict, content: str = "ok") -> list[dict]:
    return [{"role": "assistant", "content": None, "tool_calls": [{"id": cid, "name": name, "arguments": args}]},
            {"role": "tool", "id": cid, "name": name, "content": content, "error": False}]


def _episode(domain, task: Task, calls: list[tuple[str, dict]]) -> list[dict]:
    """A conversation whose tool results come from really running the calls."""
    runtime = Runtime(domain)
    runtime.apply_initial_state(task.initial_state)
    conv = list((task.initial_state and task.initial_state.message_history) or [])
    for i, (name, args) in enumerate(calls):
        call = ToolCall(f"c{i}", name, args)
        conv.append({"role": "assistant", "content": None, "tool_calls": [call.as_message_part()]})
        conv.append(runtime.respond(call).as_message())
    return conv


def test_communicate_ignores_case_and_commas_in_agent_messages() -> None:
    task = _task(communicate_info=["1234.5", "Refund of 10"], reward_basis=["COMMUNICATE"])
    conv = [{"role": "user", "content": "1234.5 refund of 10"},
            {"role": "assistant", "content": "Your total is 1,234.5."},
            {"role": "assistant", "content": "A REFUND OF 10 is on its way"}]
    assert communicate_reward(task, conv)["reward"] == 1.0
    assert communicate_reward(task, conv[:2])["reward"] == 0.0   # user text does not count


def test_action_matching_follows_compare_args() -> None:
    task = _task(actions=[{"action_id": "a", "name": "transfer_to_human_agents", "arguments": {"summary": "s"},
                           "compare_args": []},
                          {"action_id": "b", "name": "get_order_details", "arguments": {"order_id": "#W1"}}],
                 reward_basis=["ACTION"])
    conv = _call("1", "transfer_to_human_agents", {"summary": "other words"}) + _call("2", "get_order_details",
                                                                                      {"order_id": "#W1"})
    assert action_reward(task, conv)["reward"] == 1.0
    wrong = _call("1", "transfer_to_human_agents", {}) + _call("2", "get_order_details", {"order_id": "#W2"})
    result = action_reward(task, wrong)
    assert result["reward"] == 0.0 and [c["met"] for c in result["checks"]] == [True, False]


def test_db_basis_replays_agent_writes(retail_dir: Path) -> None:
    domain = get_domain("retail", retail_dir)
    task = domain.task("69")  # find user, read, cancel_pending_order
    gold = [a for a in task.gold_actions if a.name == "cancel_pending_order"][0]
    other_reason = "no longer needed" if gold.arguments["reason"] != "no longer needed" else "ordered by mistake"
    judge = ScriptedJudge()
    # Reads and failing writes do not matter; only the end state does.
    right = _episode(domain, task, [("get_order_details", {"order_id": gold.arguments["order_id"]}),
                                    ("cancel_pending_order", {"order_id": "#W0", "reason": "no longer needed"}),
                                    (gold.name, gold.arguments)])
    wrong = _episode(domain, task, [(gold.name, dict(gold.arguments, reason=other_reason))])
    ok = grade(domain, task, right, Termination.USER_STOP, judge)
    bad = grade(domain, task, wrong, Termination.USER_STOP, judge)
    assert ok.reward == 1.0 and ok.details["env"]["db_match"] is True
    assert bad.details["env"]["db_match"] is False and bad.reward == 0.0
    # A tool result that the replay does not reproduce is an environment fault, not the agent's.
    forged = _call("f", gold.name, gold.arguments, content="Error: forged")
    with pytest.raises(InfrastructureError, match="do not replay deterministically"):
        grade(domain, task, forged, Termination.USER_STOP, judge)


def test_nl_assertions_use_the_judge_and_record_its_cost(mock_dir: Path) -> None:
    domain = get_domain("mock", mock_dir)
    task = _task(nl_assertions=["The task is created successfully", "The user is complimented"],
                 reward_basis=["NL_ASSERTION"])
    conv = [{"role": "user", "content": "make a task"}, {"role": "assistant", "content": "Done, and you rock!"}]
    judge = ScriptedJudge(verdict=True, cost=0.0125)
    result = grade(domain, task, conv, Termination.USER_STOP, judge)
    assert result.reward == 1.0 and result.judge_cost_usd == 0.0125
    assert result.model_calls[0]["role"] == "judge"
    sent = judge.requests[0][-1]["content"]
    assert "assistant: Done, and you rock!" in sent and "- The user is complimented" in sent
    assert result.evaluation().judge_cost_usd == 0.0125
    assert grade(domain, task, conv, Termination.USER_STOP, ScriptedJudge(verdict=False)).reward == 0.0
    unreadable = grade(domain, task, conv, Termination.USER_STOP, ScriptedJudge(raw="I think so"))
    assert unreadable.reward == 0.0
    assert "unreadable judge answer" in unreadable.details["nl_assertion"]["checks"][0]["reasoning"]
    with pytest.raises(InfrastructureError, match="needs an LLM judge"):
        grade(domain, task, conv, Termination.USER_STOP, None)


def test_only_agent_or_user_endings_are_graded(mock_dir: Path) -> None:
    domain = get_domain("mock", mock_dir)
    task = domain.task("update_task_1")
    conv = _episode(domain, task, [("update_task_status", {"task_id": "task_1", "status": "completed"})])
    assert grade(domain, task, conv, Termination.USER_STOP).reward == 1.0
    assert grade(domain, task, conv, Termination.AGENT_DONE).reward == 1.0
    for ending in (Termination.MAX_STEPS, Termination.TOO_MANY_ERRORS, Termination.TIMEOUT):
        result = grade(domain, task, conv, ending)
        assert result.reward == 0.0 and "prematurely" in result.details["note"]


def test_env_assertions_run_on_the_replayed_state(mock_dir: Path) -> None:
    domain = get_domain("mock", mock_dir)
    task = domain.task("update_task_with_history_and_env_assertions")
    history = task.initial_state.message_history
    done = grade(domain, task, _episode(domain, task, [("update_task_status", {"task_id": "task_2",
                                                                            "status": "completed"})]),
                 Termination.USER_STOP)
    assert done.reward == 1.0 and done.details["reward_breakdown"] == {"ENV_ASSERTION": 1.0}
    assert grade(domain, task, list(history), Termination.USER_STOP).reward == 0.0
