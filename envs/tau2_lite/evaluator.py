"""Grading a conversation with τ²-bench's reward bases.

* DB: a fresh DB with the task's initial state and the gold actions, against a fresh DB with
  the initial state and every mutating tool call of the conversation replayed; agent and
  user DBs must both match (compared record by record, see db.py — same verdict as
  comparing the reference hashes).
* ENV_ASSERTION: the task's assertion functions, run on the replayed state.
* ACTION: every gold action has a matching tool call in the conversation.
* COMMUNICATE: every `communicate_info` string appears in some agent message
  (case-insensitive, commas removed from the message).
* NL_ASSERTION: an LLM judge decides whether each natural-language assertion holds.

The reward is the product over the task's `reward_basis`. Only conversations ended by the
agent or the user are graded; any other ending (max steps, too many errors, …) scores 0.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from envs.errors import InfrastructureError
from envs.tau2_lite.domain import Domain
from envs.tau2_lite.runtime import ReplayMismatch, Runtime, ToolCall, pair_tool_calls
from envs.tau2_lite.tasks import InitialState, RewardType, Task
from envs.types import ChatModel, Evaluation, Termination

GRADED_TERMINATIONS = {Termination.AGENT_DONE, Termination.USER_STOP, Termination.TRANSFER,
                       Termination.OUT_OF_SCOPE}

JUDGE_SYSTEM_PROMPT = """You grade a customer-service conversation between an AI agent and a user.
For each expected outcome listed by the operator, decide from the transcript alone whether the
agent's behaviour meets it. Be strict: an outcome is met only if the transcript clearly shows it.

Answer with one JSON object and nothing else:
{"results": [{"expectedOutcome": "<the outcome, verbatim>", "reasoning": "<one or two sentences>",
 "metExpectation": true or false}, ...]}
with exactly one entry per expected outcome, in the order given."""


@dataclass
class Grade:
    reward: float
    details: dict[str, Any]
    judge_cost_usd: float = 0.0
    model_calls: list[dict[str, Any]] = field(default_factory=list)

    def evaluation(self) -> Evaluation:
        return Evaluation(reward=self.reward, success=self.reward >= 1.0 - 1e-9, details=self.details,
                          judge_cost_usd=self.judge_cost_usd)


def _is_prefix(history: list[dict[str, Any]], conversation: list[dict[str, Any]]) -> bool:
    """Does the conversation start with the history (ignoring keys added on the way, like a
    tool message's name)?"""
    if len(conversation) < len(history):
        return False
    return all(all(c.get(k) == v for k, v in h.items()) for h, c in zip(history, conversation))


def _with_history(task: Task) -> tuple[InitialState | None, list[dict[str, Any]]]:
    state = task.initial_state
    history = list(state.message_history or []) if state else []
    return state, history


def gold_runtime(domain: Domain, task: Task) -> Runtime:
    """Fresh DB + initial state + the gold actions (failing gold actions change nothing)."""
    runtime = Runtime(domain, task=task)
    runtime.apply_initial_state(task.initial_state)
    for action in task.gold_actions:
        if runtime.mutates_state(action.name):
            # No sync after a gold call: the reference's gold environment uses `make_tool_call`
            # (so its telecom surroundings go stale, and `db_match` is false for many gold paths).
            runtime.respond(ToolCall(action.action_id, action.name, dict(action.arguments), action.requestor),
                            sync=False)
    return runtime


def replayed_runtime(domain: Domain, task: Task, conversation: list[dict[str, Any]]) -> Runtime:
    """Fresh DB + initial state + the mutating calls of the conversation after the history."""
    runtime = Runtime(domain, task=task)
    runtime.apply_initial_state(task.initial_state)
    try:
        runtime.replay(conversation, strict=True)
    except ReplayMismatch as exc:
        raise InfrastructureError(f"the episode's tool calls do not replay deterministically: {exc}") from exc
    runtime.sync()   # `set_state` ends with a sync
    return runtime


def _same_db(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return a.same_state(b)


def env_reward(domain: Domain, task: Task, conversation: list[dict[str, Any]]) -> dict[str, Any]:
    """DB match and env assertions, as τ²-bench's EnvironmentEvaluator computes them."""
    crit = task.evaluation_criteria
    if crit is None or (crit.actions is None and crit.env_assertions is None):
        return {"db_match": True, "db_reward": 1.0, "assertions": [], "assertion_reward": 1.0,
                "note": "No expected actions or env assertions"}
    predicted = replayed_runtime(domain, task, conversation)
    gold = gold_runtime(domain, task)
    db_match = _same_db(gold.db, predicted.db) and _same_db(gold.user_db, predicted.user_db)
    checks = []
    for assertion in crit.env_assertions or []:
        try:
            met = predicted.check_assertion(assertion)
        except Exception as exc:  # noqa: BLE001 - a failing assertion function means "not met"
            met = False
            checks.append({**assertion.model_dump(), "met": False, "error": str(exc)})
            continue
        checks.append({**assertion.model_dump(), "met": met})
    return {"db_match": db_match, "db_reward": 1.0 if db_match else 0.0, "assertions": checks,
            "assertion_reward": 1.0 if all(c["met"] for c in checks) else 0.0, "note": None}


def action_reward(task: Task, conversation: list[dict[str, Any]]) -> dict[str, Any]:
    gold = task.gold_actions
    if not gold:
        return {"reward": 1.0, "checks": [], "note": "No actions to evaluate"}
    calls = [call for call, _ in pair_tool_calls(conversation)]
    checks = [{"action_id": a.action_id, "name": a.name,
               "met": any(a.matches(c.name, c.arguments) for c in calls)} for a in gold]
    return {"reward": 1.0 if all(c["met"] for c in checks) else 0.0, "checks": checks, "note": None}


def communicate_reward(task: Task, conversation: list[dict[str, Any]]) -> dict[str, Any]:
    infos = (task.evaluation_criteria.communicate_info if task.evaluation_criteria else None) or []
    if not infos:
        return {"reward": 1.0, "checks": [], "note": "No communicate_info to evaluate"}
    texts = [m["content"].lower().replace(",", "") for m in conversation
             if m.get("role") == "assistant" and isinstance(m.get("content"), str) and m["content"].strip()]
    checks = [{"info": info, "met": any(info.lower() in t for t in texts)} for info in infos]
    return {"reward": 1.0 if all(c["met"] for c in checks) else 0.0, "checks": checks, "note": None}


def transcript(conversation: list[dict[str, Any]]) -> str:
    lines = []
    for m in conversation:
        role = m.get("role")
        if role in ("user", "assistant") and m.get("content"):
            lines.append(f"{role}: {m['content']}")
        for tc in m.get("tool_calls") or []:
            lines.append(f"{role} (tool call): {tc.get('name')}({json.dumps(tc.get('arguments'))})")
        if role == "tool":
            lines.append(f"tool ({m.get('name', '')}): {m.get('content')}")
    return "\n".join(lines)


def nl_reward(task: Task, conversation: list[dict[str, Any]], judge: ChatModel | None) -> tuple[dict[str, Any], float, list[dict]]:
    assertions = (task.evaluation_criteria.nl_assertions if task.evaluation_criteria else None) or []
    if not assertions:
        return {"reward": 1.0, "checks": [], "note": "No nl_assertions to evaluate"}, 0.0, []
    if judge is None:
        raise InfrastructureError(
            f"task {task.id} is graded on NL_ASSERTION and needs an LLM judge: pass judge_model "
            "(e.g. --judge-model gpt-5.4-mini)")
    user = (f"Transcript:\n{transcript(conversation)}\n\nExpected outcomes:\n"
            + "\n".join(f"- {a}" for a in assertions))
    reply = judge.chat([{"role": "system", "content": JUDGE_SYSTEM_PROMPT}, {"role": "user", "content": user}],
                       temperature=0.0)
    call = dict(reply.record or {})
    call.setdefault("model", getattr(judge, "name", "judge"))
    call["role"] = "judge"
    verdicts = _parse_judge(reply.content or "", len(assertions))
    checks = [{"assertion": a, "met": v[0], "reasoning": v[1]} for a, v in zip(assertions, verdicts)]
    info = {"reward": 1.0 if all(c["met"] for c in checks) else 0.0, "checks": checks, "note": None}
    return info, reply.cost_usd, [call]


def _parse_judge(text: str, n: int) -> list[tuple[bool, str]]:
    """The judge's verdicts; an unreadable answer counts as 'not met' (and says so)."""
    match = re.search(r"\{.*\}", text, re.S)
    try:
        results = json.loads(match.group(0))["results"] if match else None
    except (json.JSONDecodeError, KeyError, TypeError):
        results = None
    if not isinstance(results, list) or len(results) != n:
        return [(False, f"unreadable judge answer: {text[:200]!r}")] * n
    return [(r.get("metExpectation") is True, str(r.get("reasoning", ""))) if isinstance(r, dict)
            else (False, "malformed entry") for r in results]


def grade(domain: Domain, task: Task, conversation: list[dict[str, Any]], termination: Termination,
          judge: ChatModel | None = None, history_length: int | None = None) -> Grade:
    """Grade a whole conversation the τ²-bench way. The conversation starts with the task's
    message history (if any); `history_length` says how long that prefix is (by default it is
    recognised by comparing messages)."""
    basis = task.reward_basis
    details: dict[str, Any] = {"reward_basis": [b.value for b in basis], "termination": termination.value}
    if termination not in GRADED_TERMINATIONS:
        details["note"] = f"conversation ended prematurely ({termination.value}); not graded"
        return Grade(0.0, details)
    if task.evaluation_criteria is None:
        details["note"] = "No evaluation criteria"
        return Grade(1.0, details)
    _, history = _with_history(task)
    if history_length is None:
        history_length = len(history) if _is_prefix(history, conversation) else 0
    after_history = conversation[history_length:]
    breakdown: dict[str, float] = {}
    reward = 1.0
    cost, calls = 0.0, []
    if {RewardType.DB, RewardType.ENV_ASSERTION} & set(basis):
        env = env_reward(domain, task, after_history)
        details["env"] = env
        if env.get("note") is None:
            if RewardType.DB in basis:
                breakdown["DB"] = env["db_reward"]
            if RewardType.ENV_ASSERTION in basis:
                breakdown["ENV_ASSERTION"] = env["assertion_reward"]
    if RewardType.ACTION in basis:
        details["action"] = action_reward(task, conversation)
        breakdown["ACTION"] = details["action"]["reward"]
    if RewardType.COMMUNICATE in basis:
        details["communicate"] = communicate_reward(task, conversation)
        breakdown["COMMUNICATE"] = details["communicate"]["reward"]
    if RewardType.NL_ASSERTION in basis:
        details["nl_assertion"], cost, calls = nl_reward(task, conversation, judge)
        breakdown["NL_ASSERTION"] = details["nl_assertion"]["reward"]
    for value in breakdown.values():
        reward *= value
    details["reward_breakdown"] = breakdown
    return Grade(reward, details, cost, calls)
