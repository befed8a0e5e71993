"""`Tau2Env`: one τ²-style task as a gymnasium environment.

Orchestration as in τ²-bench: the conversation opens with the agent's greeting (or the task's
message history), the simulated user answers, and then each `step` is one agent action — a
tool call, answered by the environment, or a message, answered by the user (who may first use
its own tools, e.g. a phone in telecom). The episode ends when the user sends ###STOP### /
###TRANSFER### / ###OUT-OF-SCOPE###, when `max_errors` tool calls have failed (the agent's and
the user's, as in τ²-bench), or (truncation) after `max_steps` agent actions.
"""
from __future__ import annotations

import json
from typing import Any

import gymnasium as gym
import numpy as np

from envs.errors import InfrastructureError
from envs.tau2_lite.domain import Domain
from envs.tau2_lite.evaluator import grade
from envs.tau2_lite.messages import JsonText, MessageAction, observation_json, parse_action
from envs.tau2_lite.replay import gold_writes
from envs.tau2_lite.runtime import Runtime, ToolCall
from envs.tau2_lite.tasks import Task
from envs.tau2_lite.user_simulator import (
    OUT_OF_SCOPE, STOP, TRANSFER, LLMUser, ScriptedUser, UserSimulator, gold_runs, reference_guidelines,
)
from envs.types import AgentSpec, ChatModel, Evaluation, TaskInfo, Termination

GREETING = "Hi! How can I help you today?"
AGENT_PROMPT = """<instructions>
You are a customer service agent helping a user according to the <policy> below.
In each turn you either send a message to the user or make a tool call, never both.
Be helpful, follow the policy exactly, and only use the information the tools and the user give you.
</instructions>
<policy>
{policy}
</policy>"""
_SIGNAL_TERMINATION = {STOP: Termination.USER_STOP, TRANSFER: Termination.TRANSFER,
                       OUT_OF_SCOPE: Termination.OUT_OF_SCOPE}


def task_info(domain: Domain, task: Task) -> TaskInfo:
    writes = gold_writes(domain, task)
    crit = task.evaluation_criteria
    return TaskInfo(
        id=task.id, env="tau2-lite", domain=domain.name, split=domain.split_of(task.id),
        instruction=task.instruction_text, has_solution=crit is not None, writes=writes,
        metadata={"user_scenario": str(task.user_scenario), "reward_basis": [b.value for b in task.reward_basis],
                  "needs_judge": bool(crit and crit.nl_assertions and "NL_ASSERTION" in task.reward_basis),
                  "gold_actions": len(task.gold_actions), "ticket": task.ticket})


class Tau2Env(gym.Env):
    metadata = {"render_modes": []}

    def __init__(self, domain: Domain, task_id: str | None = None, *, user: str = "llm",
                 user_model: ChatModel | None = None, judge_model: ChatModel | None = None,
                 scripted_user: ScriptedUser | None = None, max_steps: int = 100, max_errors: int = 10,
                 **_ignored: Any) -> None:
        self.domain = domain
        self.task = domain.task(task_id) if task_id is not None else domain.tasks[next(iter(domain.tasks))]
        if user not in ("llm", "scripted"):
            raise ValueError(f"user must be 'llm' or 'scripted', got {user!r}")
        if user == "llm" and user_model is None:
            raise ValueError("user='llm' needs user_model (a ChatModel); use user='scripted' for replays")
        self.user_kind, self.user_model, self.judge_model = user, user_model, judge_model
        self.scripted_user = scripted_user
        self.max_steps, self.max_errors = max_steps, max_errors
        self.observation_space = JsonText()
        self.action_space = JsonText()
        self.task_info = task_info(domain, self.task)
        self.runtime: Runtime | None = None
        self.conversation: list[dict[str, Any]] = []
        self.history_length = 0

    # -- contract ------------------------------------------------------------------------
    def agent_spec(self) -> AgentSpec:
        return AgentSpec(kind="tools", instruction="", tools=self.domain.toolkit_class.schemas(),
                         system_prompt=AGENT_PROMPT.format(policy=self.domain.policy_for(self.task)),
                         extra={"domain": self.domain.name, "greeting": GREETING})

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        if options and options.get("task_id") is not None:
            self.task = self.domain.task(str(options["task_id"]))
            self.task_info = task_info(self.domain, self.task)
        # Ids and time must not depend on the episode seed: the DB reward compares this state
        # with the gold actions replayed on a runtime built the same way.
        self.runtime = Runtime(self.domain, task=self.task)
        self.runtime.apply_initial_state(self.task.initial_state)
        self.user: UserSimulator = (LLMUser(self.user_model) if self.user_kind == "llm"
                                    else (self.scripted_user or ScriptedUser()))
        user_tools = self.domain.user_toolkit_class.schemas() if self.domain.user_toolkit_class else []
        if isinstance(self.user, LLMUser):
            # τ²-bench's own guideline text when the data directory is inside a τ²-bench checkout.
            self.user.reset(self.task, user_tools, reference_guidelines(self.domain.data_dir, bool(user_tools)))
        else:
            self.user.reset(self.task, user_tools)
        history = list((self.task.initial_state and self.task.initial_state.message_history) or [])
        self.conversation = _with_tool_names(history)
        self.history_length = len(history)
        self.steps = self.errors = 0
        self.done: Termination | None = None
        calls: list[dict[str, Any]] = []
        if not history:
            self.conversation.append({"role": "assistant", "content": GREETING})
        last = self.conversation[-1]
        if last.get("role") != "user" or last.get("tool_calls"):
            calls = self._user_turn()
        # "conversation": the messages as τ²-bench records them, the user's own tool traffic
        # included (the agent's observation hides it); exports rebuild τ²'s trajectory from it.
        info = {"task_id": self.task.id, "model_calls": calls, "conversation": list(self.conversation)}
        return observation_json(self.conversation), info

    def step(self, action: Any):
        before = len(self.conversation)
        out = self._step(action)
        out[4]["conversation"] = self.conversation[before:]   # what this step added, hidden parts too
        return out

    def _step(self, action: Any):
        if self.runtime is None:
            raise RuntimeError("call reset() before step()")
        start = len(self.conversation)
        info: dict[str, Any] = {"model_calls": []}
        if self.done is not None:   # the user ended the conversation at reset
            return self._finish("[]", info, self.done, truncated=self.done == Termination.MAX_STEPS)
        parsed, problem = parse_action(action)
        self.steps += 1
        if parsed is None:
            info["action_error"] = problem
            self.errors += 1
        elif isinstance(parsed, MessageAction):
            self.conversation.append({"role": "assistant", "content": parsed.content})
            start = len(self.conversation)   # the agent does not get its own message back
            info["model_calls"] = self._user_turn()
        else:
            call = ToolCall(parsed.id or f"call_{self.steps}", parsed.name, parsed.arguments, "assistant")
            self.conversation.append({"role": "assistant", "content": None, "tool_calls": [call.as_message_part()]})
            start = len(self.conversation)
            result = self.runtime.respond(call)
            self.runtime.sync()   # τ²-bench syncs after every orchestration step, failed calls included
            self.conversation.append(result.as_message())
            info["tool_result"] = {"name": result.name, "error": result.error}
            self.errors += int(result.error)
        obs = observation_json(self.conversation[start:])
        if self.done is not None:
            return self._finish(obs, info, self.done, truncated=self.done == Termination.MAX_STEPS)
        if self.errors >= self.max_errors:
            return self._finish(obs, info, Termination.TOO_MANY_ERRORS)
        if self.steps >= self.max_steps:
            return self._finish(obs, info, Termination.MAX_STEPS, truncated=True)
        return obs, 0.0, False, False, info

    def _finish(self, obs: str, info: dict[str, Any], termination: Termination, truncated: bool = False):
        evaluation, judge_calls = self._grade(termination)
        info["termination"] = termination
        info["evaluation"] = evaluation.model_dump()
        info["model_calls"] = info.get("model_calls", []) + judge_calls
        return obs, evaluation.reward, not truncated, truncated, info

    def _user_turn(self) -> list[dict[str, Any]]:
        """Let the user answer; its own tool calls run here (requestor "user"), each result going
        back to the user, until it sends text. Returns the model calls made."""
        calls: list[dict[str, Any]] = []
        empty_replies = 0
        for _ in range(self.max_steps):
            turn = self.user.respond(self.conversation)
            calls.extend(turn.model_calls)
            if not turn.tool_calls and not (turn.content or "").strip():
                empty_replies += 1   # a user model that says nothing: ask once more
                if empty_replies > 1:
                    raise InfrastructureError("the user simulator returned empty messages twice")
                continue
            if turn.tool_calls:
                self.conversation.append({"role": "user", "content": turn.content, "tool_calls": [
                    {**tc, "requestor": "user"} for tc in turn.tool_calls]})
                for tc in turn.tool_calls:
                    result = self.runtime.respond(ToolCall(tc["id"], tc["name"], tc["arguments"], "user"))
                    self.conversation.append(result.as_message())
                    self.errors += int(result.error)   # τ²-bench counts the user's failing calls too
                self.runtime.sync()
                if self.errors >= self.max_errors:
                    self.done = Termination.TOO_MANY_ERRORS
                    return calls
                continue
            self.conversation.append({"role": "user", "content": turn.content or ""})
            signal = turn.stop_signal
            if signal is not None:
                self.done = _SIGNAL_TERMINATION[signal]
            return calls
        # A user that only ever calls tools: the reference ends such a run at its step limit.
        self.done = Termination.MAX_STEPS
        return calls

    def _grade(self, termination: Termination) -> tuple[Evaluation, list[dict[str, Any]]]:
        result = grade(self.domain, self.task, self.conversation, Termination(termination), self.judge_model,
                       history_length=self.history_length)
        return result.evaluation(), result.model_calls

    def evaluate(self, termination: Termination) -> Evaluation:
        """Grade the conversation so far; judge calls (if any) are kept in details["judge_calls"]."""
        evaluation, judge_calls = self._grade(termination)
        if judge_calls:
            evaluation.details["judge_calls"] = judge_calls
        return evaluation

    # -- oracle and random ---------------------------------------------------------------
    def reference_solution(self) -> list[dict[str, Any]] | None:
        """The agent's gold tool calls in order, a message asking the user before each run of the
        user's own gold calls (the scripted user makes them when asked), then a message carrying
        every fact the agent must communicate."""
        if self.task.evaluation_criteria is None:
            return None
        actions: list[dict[str, Any]] = []
        index = {id(a): i for i, a in enumerate(self.task.gold_actions)}
        for who, run in gold_runs(self.task):
            if who == "assistant":
                actions += [{"type": "tool_call", "id": f"call_{index[id(a)]}", "name": a.name,
                             "arguments": dict(a.arguments)} for a in run]
            else:
                steps = "; ".join(f"{a.name}({json.dumps(a.arguments, ensure_ascii=False)})" for a in run)
                actions.append({"type": "message", "content": f"Please do this on your phone: {steps}"})
        infos = self.task.evaluation_criteria.communicate_info or []
        text = ("To sum up:\n" + "\n".join(infos)) if infos else "Your request has been handled. Anything else?"
        actions.append({"type": "message", "content": text})
        return actions

    def sample_action(self, rng: np.random.Generator) -> dict[str, Any]:
        specs = list(self.domain.toolkit_class.specs().values())
        if not specs or rng.random() < 0.2:
            return {"type": "message", "content": f"random message {int(rng.integers(1_000_000))}"}
        spec = specs[int(rng.integers(len(specs)))]
        args = {}
        for name, prop in spec.schema["function"]["parameters"].get("properties", {}).items():
            args[name] = _sample_value(prop, rng)
        return {"type": "tool_call", "id": f"call_r{int(rng.integers(1_000_000))}", "name": spec.name,
                "arguments": args}

    def render(self) -> None:
        return None


def _with_tool_names(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy of a τ²-bench message history whose tool messages also carry the tool's name."""
    names: dict[str, str] = {}
    out = []
    for message in history:
        msg = dict(message)
        for tc in msg.get("tool_calls") or []:
            names[str(tc.get("id"))] = tc.get("name", "")
        if msg.get("role") == "tool" and not msg.get("name"):
            msg["name"] = names.get(str(msg.get("id")), "")
        out.append(msg)
    return out


def _sample_value(prop: dict[str, Any], rng: np.random.Generator) -> Any:
    kind = prop.get("type") or next((o.get("type") for o in prop.get("anyOf", []) if o.get("type") != "null"), "string")
    if "enum" in prop:
        return prop["enum"][int(rng.integers(len(prop["enum"])))]
    if kind == "integer":
        return int(rng.integers(0, 100))
    if kind == "number":
        return round(float(rng.uniform(0, 100)), 2)
    if kind == "boolean":
        return bool(rng.integers(2))
    if kind == "array":
        return [_sample_value(prop.get("items", {}), rng)]
    return f"x{int(rng.integers(10_000_000)):07d}"

