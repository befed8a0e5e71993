"""Whole episodes on the frozen test set: oracle, noop, and policy violations, graded for real."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from envs.tau2_lite import Tau2Env
from envs.tau2_lite.evaluator import grade
from envs.tau2_lite.runtime import Runtime, ToolCall
from envs.types import Termination

from .conftest import AllMetJudge, run_baseline


def _needs_judge(task) -> bool:
    return "NL_ASSERTION" in task["evaluation_criteria"]["reward_basis"]


def test_oracle_scores_one_on_every_test_task(domain, test_tasks):
    failures = {}
    for task in test_tasks:
        judge = AllMetJudge() if _needs_judge(task) else None
        ev = run_baseline(domain, task["id"], "oracle", judge=judge)
        if ev.reward != 1.0:
            failures[task["id"]] = ev.details
    assert not failures, json.dumps(failures, indent=1)[:3000]
    assert sum(not _needs_judge(t) for t in test_tasks) >= 40


def test_noop_scores_zero_on_every_task_whose_gold_actions_write(domain, test_tasks):
    writing = [t for t in test_tasks if domain.tasks[t["id"]] and
               any(domain.toolkit_class.mutates_state(a["name"]) for a in t["evaluation_criteria"]["actions"])]
    assert len(writing) >= 25
    rewards = {t["id"]: run_baseline(domain, t["id"], "noop", judge=AllMetJudge()).reward for t in writing}
    assert all(r == 0.0 for r in rewards.values()), rewards


def test_noop_fails_denials_and_transfers_but_passes_third_party_calls(domain, test_tasks):
    """A denial or transfer task checks the calls made (ACTION), so silence is not a pass; for a
    relative calling on the holder's behalf, doing nothing is exactly right."""
    for task in test_tasks:
        basis = task["evaluation_criteria"]["reward_basis"]
        if basis == ["DB"]:
            assert run_baseline(domain, task["id"], "noop").reward == 1.0
        elif "ACTION" in basis:
            assert run_baseline(domain, task["id"], "noop", judge=AllMetJudge()).reward == 0.0


def _conversation(domain, task, extra_calls):
    """The gold calls plus `extra_calls`, executed on a fresh DB as an agent would have made them."""
    rt = Runtime(domain)
    conv = [{"role": "assistant", "content": "Hi! How can I help you today?"},
            {"role": "user", "content": task.instruction_text}]
    calls = [(a.name, dict(a.arguments)) for a in task.gold_actions] + extra_calls
    for i, (name, args) in enumerate(calls):
        call = ToolCall(f"c{i}", name, args)
        conv.append({"role": "assistant", "content": None, "tool_calls": [call.as_message_part()]})
        conv.append(rt.respond(call).as_message())
    conv.append({"role": "assistant", "content": "Done. " + " ".join(task.evaluation_criteria.communicate_info or [])})
    return conv


def _first(domain, test_tasks, purpose: str):
    for t in test_tasks:
        if t["description"]["purpose"] == purpose:
            return domain.task(t["id"])
    pytest.fail(f"no test task {purpose!r}")


def test_filing_a_dispute_outside_the_window_fails_the_task(domain, test_tasks):
    task = _first(domain, test_tasks, "single: dispute_too_old")
    text = task.instruction_text
    fresh = domain.source.fresh()
    txn = next(fresh.transactions[t] for t in fresh.transactions if fresh.transactions[t].merchant in text
               and f"{fresh.transactions[t].amount:,.2f}" in text and fresh.transactions[t].date in text)
    # The tool itself accepts the old transaction: only the policy says no.
    dispute = ("file_dispute", {"transaction_id": txn.transaction_id, "reason": "not_received", "amount": txn.amount})
    bad = grade(domain, task, _conversation(domain, task, [dispute]), Termination.USER_STOP)
    good = grade(domain, task, _conversation(domain, task, []), Termination.USER_STOP)
    assert good.reward == 1.0
    assert bad.reward == 0.0 and bad.details["env"]["db_match"] is False


def test_unfreezing_a_card_frozen_by_the_bank_fails_the_task(domain, test_tasks):
    task = _first(domain, test_tasks, "single: unfreeze_bank_frozen")
    card = next(a.arguments["card_id"] for a in task.gold_actions if a.name == "get_card_details")
    conv = _conversation(domain, task, [("unfreeze_card", {"card_id": card})])
    result = grade(domain, task, conv, Termination.TRANSFER)
    assert result.reward == 0.0 and result.details["env"]["db_match"] is False
    # Transferring without looking at the card is not enough either (ACTION).
    lazy = [m for m in _conversation(domain, task, []) if m.get("name") != "get_card_details" and not any(
        tc["name"] == "get_card_details" for tc in m.get("tool_calls") or [])]
    result = grade(domain, task, lazy, Termination.TRANSFER)
    assert result.reward == 0.0 and result.details["env"]["db_match"] is True


def test_env_contract(domain, test_tasks):
    from gymnasium.utils.env_checker import check_env

    env = Tau2Env(domain, test_tasks[0]["id"], user="scripted")
    check_env(env, skip_render_check=True)
    spec = env.agent_spec()
    assert spec.kind == "tools" and len(spec.tools) >= 12
    assert "60 days" in spec.system_prompt and "transfer_to_human_agents" in spec.system_prompt
    import gymnasium as gym
    made = gym.make("tau2-lite/card_services", task_id=test_tasks[1]["id"])
    obs, _ = made.reset(seed=1)
    assert made.unwrapped.task.id == test_tasks[1]["id"] and json.loads(obs)[-1]["role"] == "user"


@pytest.mark.slow
def test_cli_lists_the_domain_with_its_test_tasks():
    out = subprocess.run([sys.executable, "-m", "agents", "list", "tasks", "--env", "tau2-lite", "--json"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    tasks = [t for t in json.loads(out) if t["domain"] == "card_services"]
    assert sum(t["split"] == "test" for t in tasks) >= 40
    assert sum(t["split"] == "train" for t in tasks) >= 100


@pytest.mark.slow
def test_cli_oracle_run(tmp_path, test_tasks):
    """The acceptance command: every test task needing no judge scores 1 with the oracle; the
    judge-graded ones stop as infrastructure errors (no judge given), never as agent failures.
    (noop is run in-process above.)"""
    out = subprocess.run(
        [sys.executable, "-m", "agents", "run", "--env", "tau2-lite", "--domain", "card_services", "--split", "test",
         "--agent", "oracle", "--user", "scripted", "--json-summary", "--db", f"sqlite:///{tmp_path}/runs.db",
         "--artifacts", str(tmp_path / "artifacts")], capture_output=True, text=True, timeout=300, check=True).stdout
    summary = json.loads(out.strip().splitlines()[-1])
    judged = sum(_needs_judge(t) for t in test_tasks)
    assert (summary["succeeded"], summary["failed"], summary["errors"]) == (len(test_tasks) - judged, 0, judged)
