"""A tau2-lite run as τ²-bench's own results file: `export --format tau2-results --run RUN_ID`.

The file is one JSON object in τ²-bench's `Results` shape (its monolithic "json" format), so
`tau2 view` and τ²-bench's submission tooling read it:

    {"timestamp", "info": {git_commit, num_trials, max_steps, max_errors, seed,
                           user_info: {implementation, llm, llm_args},
                           agent_info: {implementation, llm, llm_args},
                           environment_info: {domain_name, policy, tool_defs}},
     "tasks": [the run's tasks, as τ²-bench's tasks.json has them],
     "simulations": [{id, task_id, trial, seed, timestamp, start_time, end_time, duration,
                      termination_reason, agent_cost, user_cost, mode: "half_duplex",
                      reward_info: {reward, db_check, env_assertions, action_checks,
                                    communicate_checks, nl_assertions, reward_basis,
                                    reward_breakdown, info},
                      messages: [{role, content, tool_calls: [{id, name, arguments, requestor}],
                                  turn_idx, timestamp, cost, usage}
                                 | {role: "tool", id, content, requestor, error, turn_idx, timestamp}],
                      info: {"tau2_lite": {...}}}]}

One run is one domain (τ²-bench writes one file per domain). Messages come from what the
environment recorded at each step (`info["conversation"]`: the user's own tool calls included);
steps recorded without it are rebuilt from the agent's actions and observations. Timestamps
are the step's: an agent message is stamped when the agent acted, the replies it got when the
step was recorded. Unfinished episodes (pending, running, cut off by a stopped run) are left out.

Termination reasons map onto τ²-bench's vocabulary in `TAU2_TERMINATION`. τ²-bench scores only
simulations that ended with agent_stop or user_stop (everything else 0) and leaves
infrastructure_error out of every figure, which is this project's rule too; harness errors
(bugs here, also left out) are written as infrastructure_error so τ²-bench's figures match the
leaderboard's, with the original ending kept in the simulation's `info`.

This module reads the store only; what it needs of the environment (the tasks as τ²-bench
records them, the policy, the tool definitions) arrives as `DomainFacts` from the caller.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from envs.endings import Termination
from trajectories.records import EpisodeRow, EpisodeStatus, ModelCall, RunRow, StepRecord

FORMAT = "tau2-results"
TAU2_ENV = "tau2-lite"

# Our endings in τ²-bench's TerminationReason vocabulary.
TAU2_TERMINATION: dict[Termination, str] = {
    Termination.AGENT_DONE: "agent_stop",
    # τ²-bench grades only agent_stop and user_stop; tau2-lite scores an agent that declares the
    # task infeasible 0 without grading, so it goes where τ²-bench scores 0 too.
    Termination.AGENT_FAIL: "agent_error",
    Termination.USER_STOP: "user_stop",
    Termination.TRANSFER: "user_stop",              # τ²-bench: ###TRANSFER### is a user stop
    Termination.OUT_OF_SCOPE: "user_stop",          # τ²-bench: ###OUT-OF-SCOPE### is a user stop
    Termination.AGENT_ERROR: "agent_error",
    Termination.TOO_MANY_ERRORS: "too_many_errors",
    Termination.MAX_STEPS: "max_steps",
    Termination.TIMEOUT: "timeout",
    Termination.CONTEXT_EXHAUSTED: "context_window_exceeded",
    Termination.ENV_DESTROYED: "agent_error",       # desktop endings: not reachable in tau2-lite
    Termination.TAMPERED: "agent_error",
    Termination.INFRA_ERROR: "infrastructure_error",
    Termination.HARNESS_ERROR: "infrastructure_error",   # excluded here and there alike
}
UNFINISHED = {EpisodeStatus.PENDING, EpisodeStatus.RUNNING}


class Tau2ExportError(ValueError):
    """The run cannot be written as a τ²-bench results file."""


class DomainFacts(BaseModel):
    """What the results file needs from the environment, not from the store."""

    domain_name: str
    policy: str
    tasks: dict[str, dict[str, Any]]                         # task id -> τ²-bench task record
    tool_defs: dict[str, dict[str, Any]] | None = None       # name -> {name, doc, params, returns}
    tool_types: dict[str, str] = Field(default_factory=dict)  # name -> read/write/think/generic
    max_errors: int = 10


class Tau2ExportReport(BaseModel):
    out: Path
    run_id: str
    domain: str
    simulations: int
    tasks: int
    left_out: dict[str, int] = Field(default_factory=dict)   # reason -> episodes not written


def _ts(value: datetime | None) -> str | None:
    """τ²-bench's timestamp form: ISO 8601 (it writes local time without a zone; ours is UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat()


def _tool_calls(calls: list[dict[str, Any]] | None, requestor: str) -> list[dict[str, Any]] | None:
    if not calls:
        return None
    out = []
    for tc in calls:
        if "function" in tc:   # OpenAI chat shape (observations): arguments as a JSON string
            fn = tc["function"]
            args = fn.get("arguments")
            try:
                args = json.loads(args) if isinstance(args, str) else (args or {})
            except json.JSONDecodeError:
                args = {"_unparsed": args}
            out.append({"id": tc.get("id") or "", "name": fn.get("name", ""), "arguments": args,
                        "requestor": requestor})
        else:
            out.append({"id": tc.get("id") or "", "name": tc.get("name", ""),
                        "arguments": tc.get("arguments") or {}, "requestor": tc.get("requestor", requestor)})
    return out


def to_tau2_message(msg: dict[str, Any]) -> dict[str, Any] | None:
    """One conversation message (tau2-lite's or an observation's form) in τ²-bench's form."""
    role = msg.get("role")
    if role == "tool":
        return {"id": msg.get("id") or msg.get("tool_call_id") or "", "role": "tool",
                "content": msg.get("content"), "requestor": msg.get("requestor", "assistant"),
                "error": bool(msg.get("error", False))}
    if role in ("assistant", "user"):
        return {"role": role, "content": msg.get("content"),
                "tool_calls": _tool_calls(msg.get("tool_calls"), role)}
    if role == "system":
        return {"role": "system", "content": msg.get("content")}
    return None


def _step_messages(step: StepRecord) -> list[dict[str, Any]]:
    """The τ²-form messages a step added: as the environment recorded them, else rebuilt."""
    recorded = step.info.get("conversation")
    if isinstance(recorded, list):
        raw = recorded
    else:   # recorded before environments reported their conversation: actions + observations
        raw = []
        action = step.action or {}
        if action.get("type") == "tool_call":
            raw.append({"role": "assistant", "content": None, "tool_calls": [
                {"id": action.get("id") or "", "name": action.get("name"), "arguments": action.get("arguments") or {},
                 "requestor": "assistant"}]})
        elif action.get("type") == "message":
            raw.append({"role": "assistant", "content": action.get("content")})
        raw.extend(step.observation.get("messages") or [])
    return [m for m in (to_tau2_message(r) for r in raw) if m is not None]


def _cost(calls: Iterable[ModelCall], role: str) -> tuple[float, dict[str, int]]:
    chosen = [c for c in calls if c.role == role]
    usage = {"prompt_tokens": sum(c.tokens_in for c in chosen),
             "completion_tokens": sum(c.tokens_out for c in chosen)}
    return sum(c.cost_usd for c in chosen), usage


def build_messages(steps: list[StepRecord]) -> tuple[list[dict[str, Any]], float, float]:
    """The whole conversation in τ²-bench's form, with (agent cost, user cost)."""
    messages: list[dict[str, Any]] = []
    agent_total = user_total = 0.0
    for step in steps:
        new = _step_messages(step)
        stamped = step.created_at or datetime.now(timezone.utc)
        acted = stamped - timedelta(seconds=step.env_time_s or 0.0)
        agent_cost, agent_usage = _cost(step.model_calls, "agent")
        user_cost, user_usage = _cost(step.model_calls, "user_simulator")
        agent_total += agent_cost
        user_total += user_cost
        first_agent = step.action is not None and bool(new) and new[0]["role"] == "assistant"
        user_msgs = [m for m in new if m["role"] == "user"]
        for i, msg in enumerate(new):
            by_agent = first_agent and i == 0
            msg["timestamp"] = _ts(acted if by_agent else stamped)
            if by_agent and (agent_cost or agent_usage["prompt_tokens"]):
                msg["cost"], msg["usage"] = agent_cost, agent_usage
            if user_msgs and msg is user_msgs[-1] and (user_cost or user_usage["prompt_tokens"]):
                msg["cost"], msg["usage"] = user_cost, user_usage
        messages.extend(new)
    for i, msg in enumerate(messages):
        msg["turn_idx"] = i
    return messages, agent_total, user_total


def reward_info(episode: EpisodeRow, task: dict[str, Any] | None, tool_types: dict[str, str]) -> dict[str, Any]:
    """τ²-bench's RewardInfo from the stored evaluation."""
    details = (episode.evaluation or {}).get("details") or {}
    reward = float(episode.reward or 0.0)
    if episode.status not in (EpisodeStatus.SUCCEEDED, EpisodeStatus.FAILED):
        return {"reward": 0.0, "reward_basis": None,
                "info": {"note": f"not evaluated: {episode.termination or episode.status} ({episode.error or ''})".strip()}}
    if "reward_breakdown" not in details:   # not graded: τ²-bench's notes
        note = details.get("note")
        if note != "No evaluation criteria" and episode.termination:
            reason = TAU2_TERMINATION[Termination(episode.termination)]
            note = f"Simulation terminated prematurely. Termination reason: {reason}"
        return {"reward": reward, "reward_basis": None, "info": {"note": note}}
    out: dict[str, Any] = {"reward": reward, "reward_basis": details.get("reward_basis"),
                           "reward_breakdown": details.get("reward_breakdown") or {}, "info": {}}
    env = details.get("env")
    if env is not None:
        out["info"]["env"] = {"note": env.get("note")}
        if env.get("note") is None:
            out["db_check"] = {"db_match": bool(env.get("db_match")), "db_reward": float(env.get("db_reward", 0.0))}
            out["env_assertions"] = [
                {"env_assertion": {k: a[k] for k in ("env_type", "func_name", "arguments", "assert_value", "message")
                                   if k in a},
                 "met": bool(a.get("met")), "reward": 1.0 if a.get("met") else 0.0}
                for a in env.get("assertions") or []]
    gold = {a.get("action_id"): a for a in ((task or {}).get("evaluation_criteria") or {}).get("actions") or []}
    if "action" in details:
        out["action_checks"] = [
            {"action": gold.get(c.get("action_id")) or {"action_id": c.get("action_id"), "name": c.get("name"),
                                                        "arguments": {}},
             "action_match": bool(c.get("met")), "action_reward": 1.0 if c.get("met") else 0.0,
             "tool_type": tool_types.get(c.get("name") or "")}
            for c in details["action"].get("checks") or []]
        out["info"]["action"] = {"note": details["action"].get("note")}
    if "communicate" in details:
        out["communicate_checks"] = [
            {"info": c.get("info"), "met": bool(c.get("met")),
             "justification": (f"Information '{c.get('info')}' communicated." if c.get("met")
                               else f"Information '{c.get('info')}' not communicated.")}
            for c in details["communicate"].get("checks") or []]
        out["info"]["communicate"] = {"note": details["communicate"].get("note")}
    if "nl_assertion" in details:
        out["nl_assertions"] = [
            {"nl_assertion": c.get("assertion"), "met": bool(c.get("met")), "justification": c.get("reasoning") or ""}
            for c in details["nl_assertion"].get("checks") or []]
        out["info"]["nl"] = {"note": details["nl_assertion"].get("note")}
    return out


def simulation(episode: EpisodeRow, steps: list[StepRecord], outside_calls: list[ModelCall],
               facts: DomainFacts) -> dict[str, Any]:
    messages, agent_cost, user_cost = build_messages(steps)
    extra_agent, _ = _cost(outside_calls, "agent")
    extra_user, _ = _cost(outside_calls, "user_simulator")
    termination = Termination(episode.termination) if episode.termination else Termination.HARNESS_ERROR
    start = episode.started_at or episode.created_at
    end = episode.finished_at or start
    return {
        "id": episode.id, "task_id": episode.task_id, "trial": episode.trial, "seed": episode.seed,
        "timestamp": _ts(end), "start_time": _ts(start), "end_time": _ts(end),
        "duration": float(episode.wall_time_s or 0.0),
        "termination_reason": TAU2_TERMINATION[termination],
        "agent_cost": agent_cost + extra_agent, "user_cost": user_cost + extra_user,
        "reward_info": reward_info(episode, facts.tasks.get(episode.task_id), facts.tool_types),
        "messages": messages, "mode": "half_duplex",
        "info": {"tau2_lite": {"run_id": episode.run_id, "episode_id": episode.id, "status": str(episode.status),
                               "termination": termination.value, "error": episode.error,
                               "agent": episode.agent, "model": episode.model}},
    }


def results_info(run: RunRow, facts: DomainFacts) -> dict[str, Any]:
    cfg = run.config
    user_kind = cfg.env_options.get("user", "llm")
    user_model = cfg.env_options.get("user_model_name")
    return {
        "git_commit": run.git_revision or "",
        "num_trials": cfg.trials, "max_steps": cfg.max_steps, "max_errors": facts.max_errors, "seed": cfg.seed,
        "user_info": {"implementation": "user_simulator" if user_kind == "llm" else f"{user_kind}_user",
                      "llm": user_model, "llm_args": {}},
        "agent_info": {"implementation": "llm_agent" if cfg.agent == "model" else cfg.agent,
                       "llm": cfg.model, "llm_args": dict(cfg.agent_options) or {}},
        "environment_info": {"domain_name": facts.domain_name, "policy": facts.policy, "tool_defs": facts.tool_defs},
    }


def build_results(store: Any, run: RunRow, facts: DomainFacts) -> tuple[dict[str, Any], dict[str, int]]:
    """The results object of a run, and why episodes were left out (reason -> count)."""
    if run.env != TAU2_ENV:
        raise Tau2ExportError(f"run {run.id} is a {run.env} run; tau2-results holds tau2-lite runs only")
    sims: list[dict[str, Any]] = []
    left_out: dict[str, int] = {}
    for episode in store.iter_episodes(run_ids=[run.id]):
        if episode.status in UNFINISHED or episode.termination in (None, Termination.CANCELLED):
            left_out["unfinished"] = left_out.get("unfinished", 0) + 1
            continue
        steps = store.get_steps(episode.id)
        outside = store.get_model_calls(episode.id, outside_steps=True)
        sims.append(simulation(episode, steps, outside, facts))
    sims.sort(key=lambda s: (str(s["task_id"]), s["trial"]))
    task_ids = list(dict.fromkeys(run.config.task_ids or [s["task_id"] for s in sims]))
    missing = [t for t in task_ids if t not in facts.tasks]
    if missing:
        raise Tau2ExportError(f"the domain data no longer holds task(s) {', '.join(missing[:5])} of run {run.id}; "
                              f"export with the --data-dir the run used")
    results = {"timestamp": _ts(run.finished_at or run.created_at), "info": results_info(run, facts),
               "tasks": [facts.tasks[t] for t in task_ids], "simulations": sims}
    return results, left_out


def write_results(store: Any, run_id: str, out: Path, facts: DomainFacts) -> Tau2ExportReport:
    """Write the run's results file at `out` (atomically: a reader never sees half a file)."""
    run = store.get_run(run_id)
    results, left_out = build_results(store, run, facts)
    out = Path(out)
    if out.is_dir():
        raise Tau2ExportError(f"--out {out} is a directory; tau2-results writes one file (e.g. {out}/{run_id}.json)")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(results, fh, ensure_ascii=False, indent=2)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)   # as an ordinary new file (mkstemp makes it private)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Tau2ExportReport(out=out, run_id=run.id, domain=facts.domain_name, simulations=len(results["simulations"]),
                            tasks=len(results["tasks"]), left_out=left_out)
