"""One episode: reset the env, let the agent act until the episode ends, store every step.

Environment calls run in worker threads (desktop actions block on X and subprocesses), the
agent's model calls run on the event loop. Every ending is sorted by the one rule of
envs/endings.py:

* agent-caused endings are graded and stay in every denominator — by the task's evaluator
  (done, fail, unusable output, max steps, …) or with reward 0 (the agent's working time ran
  out, its context window is exhausted, it destroyed its environment or tampered with the
  evaluation: `envs.errors.AgentCausedError`);
* an `InfrastructureError` (the env could not start or reset, a host-side part failed) or an
  endpoint down after retries is excluded and re-run on resume;
* anything else is a bug in the harness: `harness_error`, excluded, re-run on resume and
  reported loudly by the runner;
* a non-retryable 4xx from the model endpoint is a configuration error: the episode is
  excluded and `RunConfigurationError` stops the run.

The time limit counts the agent's working time only (its model calls and its env steps), not
queueing, reset or evaluation.
"""
from __future__ import annotations

import asyncio
import os
import socket
import time
import traceback
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

from agents.agent import Agent, AgentTurn
from agents.models.client import ModelConfigurationError
from agents.observations import jsonable, parse_action, split_observation
from envs.endings import Scoring, Termination, rule
from envs.errors import AgentCausedError, InfrastructureError, ServiceConfigurationError
from envs.registry import EnvFamily
from envs.types import Evaluation, TaskInfo
from trajectories.records import EpisodeResult, EpisodeStatus, ModelCall, StepRecord

# An env step that runs past the end of the agent's working time gets a grace period (a step
# that ends the episode may evaluate inside it, and evaluation is not the agent's time): a
# tenth of the limit, between 1 s and 120 s. Past that it is abandoned as a timeout.
STEP_GRACE_S = 120.0
T = TypeVar("T")


@dataclass
class EpisodeJob:
    run_id: str
    task: TaskInfo
    trial: int
    seed: int
    max_steps: int
    timeout_s: float


@dataclass
class EpisodeOutcome:
    episode_id: str
    result: EpisodeResult
    task_id: str = ""
    trial: int = 0


@dataclass
class _Tally:
    steps: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    calls: list[ModelCall] = field(default_factory=list)

    def add_calls(self, calls: list[ModelCall]) -> None:
        for call in calls:
            self.cost_usd += call.cost_usd
            if call.role == "agent":
                self.tokens_in += call.tokens_in
                self.tokens_out += call.tokens_out


class AgentTimeout(AgentCausedError):
    termination = Termination.TIMEOUT


@dataclass
class _WorkClock:
    """The agent's working time: model calls and env steps, nothing else."""

    limit_s: float
    used_s: float = 0.0

    @property
    def exhausted(self) -> bool:
        return self.used_s >= self.limit_s

    def timeout(self, detail: str = "") -> AgentTimeout:
        return AgentTimeout(f"the agent's working time ran out ({self.used_s:.1f} s of its "
                            f"{self.limit_s:g} s limit){detail}")

    async def spend(self, work: Awaitable[T], grace_s: float = 0.0, detail: str = "") -> tuple[T, float]:
        """Await `work` within the time left (plus `grace_s`), counting what it takes."""
        t0 = time.monotonic()
        try:
            result = await asyncio.wait_for(work, timeout=max(0.0, self.limit_s - self.used_s) + grace_s)
        except asyncio.TimeoutError:
            self.used_s += time.monotonic() - t0
            raise self.timeout(detail) from None
        elapsed = time.monotonic() - t0
        self.used_s += elapsed
        return result, elapsed


class AgentInfraError(RuntimeError):
    """The agent could not reach its model (after retries): not the agent's fault."""


class RunConfigurationError(RuntimeError):
    """The model endpoint refused a request for a reason retrying cannot fix (bad request,
    refused key, unknown model): every further episode would fail the same way."""


def _env_model_calls(info: dict[str, Any]) -> list[ModelCall]:
    calls = []
    for raw in info.get("model_calls") or []:
        try:
            calls.append(raw if isinstance(raw, ModelCall) else ModelCall.model_validate(raw))
        except Exception:  # keep the step even if an env reports an odd record
            calls.append(ModelCall(model=str(raw.get("model", "?")), role=str(raw.get("role", "env")),
                                   raw_response={"unparsed": jsonable(raw)}))
    return calls


def worker_label(node: str | None = None) -> str:
    """Where an episode runs, as stored in `episodes.worker`: host/pid, plus a Ray node id."""
    label = f"{socket.gethostname()}/{os.getpid()}"
    return f"{label}@{node}" if node else label


class EpisodeRunner:
    """Runs one episode of `family` with a fresh agent and records it in `store`."""

    def __init__(self, store: Any, family: EnvFamily, env_options: dict[str, Any],
                 make_agent: Any, env_name: str, worker: str | None = None):
        self.store = store
        self.family = family
        self.env_options = env_options
        self.make_agent = make_agent
        self.env_name = env_name
        self.worker = worker or worker_label()

    async def run(self, job: EpisodeJob) -> EpisodeOutcome:
        task = job.task
        episode_id = await asyncio.to_thread(
            self.store.start_episode, job.run_id, self.env_name, task.domain, task.id,
            task.split, job.trial, job.seed, self.worker)
        started = time.monotonic()
        tally = _Tally()
        env = None
        agent: Agent | None = None
        config_error: Exception | None = None
        try:
            env = await asyncio.to_thread(self.family.make, task.id, **self.env_options)
            agent = self.make_agent()
            result = await self._loop(env, agent, job, episode_id, tally)
        except AgentCausedError as exc:
            result = _scored_zero(exc.termination, tally, f"{type(exc).__name__}: {exc}")
        except ServiceConfigurationError as exc:   # the user simulator's or judge's endpoint
            config_error = exc
            result = _result(Termination.INFRA_ERROR, tally, error=f"configuration error: {exc}")
        except (InfrastructureError, AgentInfraError) as exc:
            result = _result(Termination.INFRA_ERROR, tally, error=f"{type(exc).__name__}: {exc}")
        except ModelConfigurationError as exc:
            config_error = exc
            await self._record(episode_id, tally.steps + 1, None, None, AgentTurn(model_calls=exc.calls),
                               0.0, False, False, {"configuration_error": str(exc)}, 0.0, 0.0, tally, count=False)
            result = _result(Termination.INFRA_ERROR, tally, error=f"configuration error: {exc}")
        except Exception as exc:  # a bug in the harness: never the agent's fault, never hidden
            result = _result(Termination.HARNESS_ERROR, tally,
                             error="".join(traceback.format_exception(exc))[-4000:])
        finally:
            if env is not None:
                try:
                    await asyncio.to_thread(env.close)
                except Exception:
                    pass
            if agent is not None:
                try:
                    await agent.aclose()
                except Exception:
                    pass
        result.wall_time_s = time.monotonic() - started
        await asyncio.to_thread(self.store.finish_episode, episode_id, result)
        if config_error is not None:
            raise RunConfigurationError(str(config_error)) from config_error
        return EpisodeOutcome(episode_id, result, task.id, job.trial)

    async def _loop(self, env: Any, agent: Agent, job: EpisodeJob, episode_id: str,
                    tally: _Tally) -> EpisodeResult:
        obs, info = await asyncio.to_thread(env.reset, seed=job.seed)
        core = env.unwrapped
        agent.reset(core.task_info, core.agent_spec(), core, job.seed)
        await self._record(episode_id, 0, obs, None, AgentTurn(), 0.0, False, False, info, 0.0, 0.0, tally)
        clock = _WorkClock(job.timeout_s)
        evaluation: Evaluation | None = None
        termination: Termination | None = None
        while termination is None:
            turn, agent_time = await self._act(agent, obs, clock)
            if turn.ending is not None and rule(turn.ending).scoring is not Scoring.EVALUATOR:
                # Keep the failed attempts: they explain the ending in the viewer.
                await self._record(episode_id, tally.steps + 1, None, None, turn, 0.0, False, False,
                                   {"ending": turn.ending.value, "error": turn.error}, agent_time, 0.0,
                                   tally, count=False)
                if turn.ending is Termination.INFRA_ERROR:
                    raise AgentInfraError(turn.error or "the model endpoint failed")
                return _scored_zero(turn.ending, tally, turn.error or turn.ending.value)
            if not turn.actions:
                termination = turn.ending or Termination.AGENT_DONE
                evaluation = await asyncio.to_thread(core.evaluate, termination)
                if turn.model_calls or turn.text:
                    await self._record(episode_id, tally.steps + 1, None, None, turn, 0.0, True, False,
                                       {"termination": termination.value}, agent_time, 0.0, tally, count=False)
                break
            for position, action in enumerate(turn.actions):
                obs, reward, terminated, truncated, info, env_time = await self._step(env, action, clock)
                # The turn's model calls belong to its first action.
                this_turn = turn if position == 0 else AgentTurn()
                await self._record(episode_id, tally.steps + 1, obs, action, this_turn, float(reward),
                                   terminated, truncated, info, agent_time if position == 0 else 0.0,
                                   env_time, tally)
                agent.feedback(parse_action(action) or {}, obs, info)
                if terminated or truncated:
                    termination = Termination(info.get("termination", Termination.AGENT_DONE))
                    if termination is Termination.INFRA_ERROR:
                        raise InfrastructureError(
                            (info.get("evaluation") or {}).get("details", {}).get("error") or "environment failure")
                    if info.get("evaluation") is not None:
                        evaluation = Evaluation.model_validate(info["evaluation"])
                    elif rule(termination).scoring is Scoring.EVALUATOR:
                        evaluation = await asyncio.to_thread(core.evaluate, termination)
                    else:
                        return _scored_zero(termination, tally, str(info.get("error") or termination.value))
                    break
                if tally.steps >= job.max_steps:
                    termination = Termination.MAX_STEPS
                    evaluation = await asyncio.to_thread(core.evaluate, termination)
                    break
                if clock.exhausted:
                    raise clock.timeout()
        assert evaluation is not None
        tally.cost_usd += evaluation.judge_cost_usd
        return _result(termination, tally, reward=evaluation.reward, success=evaluation.success,
                       evaluation=evaluation.model_dump(mode="json"))

    async def _act(self, agent: Agent, obs: Any, clock: _WorkClock) -> tuple[AgentTurn, float]:
        if clock.exhausted:
            raise clock.timeout()
        return await clock.spend(agent.act(obs))

    async def _step(self, env: Any, action: Any, clock: _WorkClock) -> tuple[Any, ...]:
        (obs, reward, terminated, truncated, info), elapsed = await clock.spend(
            asyncio.to_thread(env.step, action), grace_s=min(STEP_GRACE_S, max(1.0, 0.1 * clock.limit_s)),
            detail=" (an environment step did not return)")
        return obs, reward, terminated, truncated, info, elapsed

    async def _record(self, episode_id: str, index: int, obs: Any, action: Any, turn: AgentTurn,
                      reward: float, terminated: bool, truncated: bool, info: dict[str, Any],
                      agent_time: float, env_time: float, tally: _Tally, count: bool = True) -> None:
        observation, artifacts = split_observation(obs) if obs is not None else ({}, {})
        env_calls = _env_model_calls(info)
        calls = list(turn.model_calls) + env_calls
        tally.add_calls(calls)
        if count and action is not None:
            tally.steps += 1
        info_json = jsonable({k: v for k, v in info.items() if k != "model_calls"})
        record = StepRecord(
            index=index, observation=observation, action=parse_action(action),
            agent_output={k: v for k, v in {"reasoning": turn.reasoning, "text": turn.text,
                                            **turn.output}.items() if v is not None},
            model_calls=calls,
            reward=reward, terminated=terminated, truncated=truncated, info=info_json,
            agent_time_s=agent_time, env_time_s=env_time, created_at=datetime.now(timezone.utc))
        await asyncio.to_thread(self.store.record_step, episode_id, record, artifacts)


def _result(termination: Termination, tally: _Tally, *, reward: float | None = None,
            success: bool | None = None, evaluation: dict[str, Any] | None = None,
            error: str | None = None) -> EpisodeResult:
    return EpisodeResult(status=EpisodeStatus.for_ending(termination, success), termination=termination,
                         reward=reward, success=success, evaluation=evaluation or {}, steps=tally.steps,
                         tokens_in=tally.tokens_in, tokens_out=tally.tokens_out, cost_usd=tally.cost_usd,
                         error=error)


def _scored_zero(termination: Termination, tally: _Tally, reason: str) -> EpisodeResult:
    """An agent-caused ending that makes evaluation meaningless: reward 0, kept in the denominator."""
    ending = rule(termination)
    return _result(termination, tally, reward=0.0, success=False, error=reason,
                   evaluation={"reward": 0.0, "success": False,
                               "details": {"ending": termination.value, "blame": ending.blame.value,
                                           "reason": reason, "rule": ending.meaning}})
