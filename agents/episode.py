"""One episode: reset the env, let the agent act until the episode ends, store every step.

Environment calls run in worker threads (desktop actions block on X and subprocesses), the
agent's model calls run on the event loop. Failures are sorted by whose fault they are:
an `InfrastructureError` (env) or `AgentTurn.infra_error` (model endpoint down after retries)
makes the episode an infrastructure error — excluded from scores and retried on resume —
while anything the agent did wrong is an ordinary failure.
"""
from __future__ import annotations

import asyncio
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from agents.agent import Agent, AgentTurn
from agents.observations import jsonable, parse_action, split_observation
from envs.errors import InfrastructureError
from envs.registry import EnvFamily
from envs.types import Evaluation, TaskInfo, Termination
from trajectories.records import (
    EpisodeResult, EpisodeStatus, ModelCall, StepRecord, TerminationReason,
)


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


class AgentInfraError(RuntimeError):
    """The agent could not reach its model (after retries): not the agent's fault."""


def _env_model_calls(info: dict[str, Any]) -> list[ModelCall]:
    calls = []
    for raw in info.get("model_calls") or []:
        try:
            calls.append(raw if isinstance(raw, ModelCall) else ModelCall.model_validate(raw))
        except Exception:  # keep the step even if an env reports an odd record
            calls.append(ModelCall(model=str(raw.get("model", "?")), role=str(raw.get("role", "env")),
                                   raw_response={"unparsed": jsonable(raw)}))
    return calls


class EpisodeRunner:
    """Runs one episode of `family` with a fresh agent and records it in `store`."""

    def __init__(self, store: Any, family: EnvFamily, env_options: dict[str, Any],
                 make_agent: Any, env_name: str):
        self.store = store
        self.family = family
        self.env_options = env_options
        self.make_agent = make_agent
        self.env_name = env_name

    async def run(self, job: EpisodeJob) -> EpisodeOutcome:
        task = job.task
        episode_id = await asyncio.to_thread(
            self.store.start_episode, job.run_id, self.env_name, task.domain, task.id,
            task.split, job.trial, job.seed)
        started = time.monotonic()
        tally = _Tally()
        env = None
        agent: Agent | None = None
        try:
            env = await asyncio.to_thread(self.family.make, task.id, **self.env_options)
            agent = self.make_agent()
            result = await asyncio.wait_for(
                self._loop(env, agent, job, episode_id, tally), timeout=job.timeout_s)
        except asyncio.TimeoutError:
            result = self._result(EpisodeStatus.FAILED, TerminationReason.TIMEOUT, tally,
                                  reward=0.0, success=False,
                                  error=f"episode exceeded its {job.timeout_s:g} s time limit")
        except (InfrastructureError, AgentInfraError) as exc:
            result = self._result(EpisodeStatus.ERROR, TerminationReason.INFRA_ERROR, tally,
                                  error=f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug somewhere below us: never count it against the agent
            result = self._result(EpisodeStatus.ERROR, TerminationReason.INFRA_ERROR, tally,
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
        return EpisodeOutcome(episode_id, result, task.id, job.trial)

    async def _loop(self, env: Any, agent: Agent, job: EpisodeJob, episode_id: str,
                    tally: _Tally) -> EpisodeResult:
        obs, info = await asyncio.to_thread(env.reset, seed=job.seed)
        core = env.unwrapped
        agent.reset(core.task_info, core.agent_spec(), core, job.seed)
        await self._record(episode_id, 0, obs, None, AgentTurn(), 0.0, False, False, info, 0.0, 0.0, tally)
        evaluation: Evaluation | None = None
        termination: Termination | None = None
        while termination is None:
            t0 = time.monotonic()
            turn = await agent.act(obs)
            agent_time = time.monotonic() - t0
            if turn.infra_error:
                # Keep the failed attempts: they explain the error in the viewer.
                await self._record(episode_id, tally.steps + 1, None, None, turn, 0.0, False, False,
                                   {"infra_error": turn.infra_error}, agent_time, 0.0, tally, count=False)
                raise AgentInfraError(turn.infra_error)
            if not turn.actions:
                # An agent that stops after too many unusable replies is graded as it stands,
                # but the episode records why it ended.
                termination = Termination.AGENT_ERROR if turn.output.get("gave_up") else Termination.AGENT_DONE
                evaluation = await asyncio.to_thread(core.evaluate, termination)
                if turn.model_calls or turn.text:
                    await self._record(episode_id, tally.steps + 1, None, None, turn, 0.0, True, False,
                                       {"termination": termination.value}, agent_time, 0.0, tally, count=False)
                break
            for position, action in enumerate(turn.actions):
                t1 = time.monotonic()
                obs, reward, terminated, truncated, info = await asyncio.to_thread(env.step, action)
                env_time = time.monotonic() - t1
                # The turn's model calls belong to its first action.
                this_turn = turn if position == 0 else AgentTurn()
                await self._record(episode_id, tally.steps + 1, obs, action, this_turn, float(reward),
                                   terminated, truncated, info, agent_time if position == 0 else 0.0,
                                   env_time, tally)
                agent.feedback(parse_action(action) or {}, obs, info)
                if terminated or truncated:
                    termination = Termination(info.get("termination", Termination.AGENT_DONE))
                    if info.get("evaluation") is not None:
                        evaluation = Evaluation.model_validate(info["evaluation"])
                    else:
                        evaluation = await asyncio.to_thread(core.evaluate, termination)
                    break
                if tally.steps >= job.max_steps:
                    termination = Termination.MAX_STEPS
                    evaluation = await asyncio.to_thread(core.evaluate, termination)
                    break
        if termination == Termination.INFRA_ERROR:
            raise InfrastructureError((evaluation.details.get("error") if evaluation else None) or "environment failure")
        assert evaluation is not None
        tally.cost_usd += evaluation.judge_cost_usd
        status = EpisodeStatus.SUCCEEDED if evaluation.success else EpisodeStatus.FAILED
        return self._result(status, TerminationReason(termination.value), tally, reward=evaluation.reward,
                            success=evaluation.success, evaluation=evaluation.model_dump(mode="json"))

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

    @staticmethod
    def _result(status: EpisodeStatus, termination: TerminationReason, tally: _Tally, *,
                reward: float | None = None, success: bool | None = None,
                evaluation: dict[str, Any] | None = None, error: str | None = None) -> EpisodeResult:
        return EpisodeResult(status=status, termination=termination, reward=reward, success=success,
                             evaluation=evaluation or {}, steps=tally.steps, tokens_in=tally.tokens_in,
                             tokens_out=tally.tokens_out, cost_usd=tally.cost_usd, error=error)
