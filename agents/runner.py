"""The runner: plans the episodes of a run, runs them concurrently, resumes killed runs.

Entry point: `await execute_run(request, store)` → `RunSummary`. A run is one
(environment, agent or model) pair over a task selection × trials. Resuming a run by id
re-runs only what did not finish: finished episodes are never re-run or duplicated, episodes
that died with an infrastructure error (or were cut off by a killed process) run again.
"""
from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents.agent import Agent, make_agent
from agents.episode import EpisodeJob, EpisodeOutcome, EpisodeRunner
from agents.progress import RunProgress
from agents.runtime_options import build_runtime_options
from envs.errors import UnknownIdError
from envs.registry import get_family
from envs.types import TaskInfo
from trajectories.records import EpisodeStatus, RunConfig, RunStatus

SPLITS = ("train", "test", "all")


class PreflightError(RuntimeError):
    """Something that would make every episode fail; reported before anything runs."""


@dataclass
class RunRequest:
    env: str
    agent: str = "oracle"                     # agent registry name ("model" for model agents)
    model: str | None = None
    env_options: dict[str, Any] = field(default_factory=dict)       # JSON-safe, stored with the run
    runtime_env_options: dict[str, Any] = field(default_factory=dict)  # objects (user model clients)
    agent_options: dict[str, Any] = field(default_factory=dict)
    task_ids: list[str] = field(default_factory=list)
    split: str = "all"
    limit: int | None = None
    trials: int = 1
    seed: int = 0
    max_steps: int = 50
    episode_timeout_s: float = 1800.0
    concurrency: int = 1
    resume_run_id: str | None = None
    name: str | None = None
    executor: str = "local"                  # "local" (asyncio in this process) or "ray"
    ray_address: str | None = None           # None: a private local Ray cluster


@dataclass
class RunSummary:
    run_id: str
    env: str
    agent: str
    model: str | None
    episodes: int = 0
    succeeded: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0                         # already finished before a resume
    cost_usd: float = 0.0

    def count(self, status: EpisodeStatus, cost_usd: float | None) -> None:
        self.episodes += 1
        self.cost_usd += cost_usd or 0.0
        if status == EpisodeStatus.SUCCEEDED:
            self.succeeded += 1
        elif status == EpisodeStatus.FAILED:
            self.failed += 1
        else:
            self.errors += 1

    @property
    def success_rate(self) -> float | None:
        graded = self.succeeded + self.failed
        return self.succeeded / graded if graded else None

    def as_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "env": self.env, "agent": self.agent, "model": self.model,
                "episodes": self.episodes, "succeeded": self.succeeded, "failed": self.failed,
                "errors": self.errors, "success_rate": self.success_rate}


def episode_seed(run_seed: int, task_id: str, trial: int) -> int:
    """A stable per-episode seed: the same on every machine and on resume."""
    digest = hashlib.sha256(f"{run_seed}:{task_id}:{trial}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def select_tasks(tasks: list[TaskInfo], task_ids: list[str], split: str, limit: int | None) -> list[TaskInfo]:
    if split not in SPLITS:
        raise UnknownIdError("split", split, SPLITS)
    by_id = {t.id: t for t in tasks}
    if task_ids:
        for task_id in task_ids:
            if task_id not in by_id:
                raise UnknownIdError("task", task_id, by_id)
        chosen = [by_id[t] for t in task_ids]
    else:
        chosen = list(tasks)
    if split != "all":
        chosen = [t for t in chosen if t.split == split]
    return chosen[:limit] if limit is not None else chosen


def _run_config(request: RunRequest, tasks: list[TaskInfo]) -> RunConfig:
    return RunConfig(
        env=request.env, agent=request.agent, model=request.model, env_options=request.env_options,
        agent_options=request.agent_options, task_ids=[t.id for t in tasks], split=request.split,
        trials=request.trials, seed=request.seed, max_steps=request.max_steps,
        episode_timeout_s=request.episode_timeout_s, name=request.name)  # the store adds provenance


def _request_from_config(config: RunConfig, base: RunRequest) -> RunRequest:
    """A resumed run uses its stored configuration, not the command line's."""
    return RunRequest(
        env=config.env, agent=config.agent, model=config.model, env_options=config.env_options,
        runtime_env_options=base.runtime_env_options, agent_options=config.agent_options,
        task_ids=config.task_ids, split="all", limit=None, trials=config.trials, seed=config.seed,
        max_steps=config.max_steps, episode_timeout_s=config.episode_timeout_s,
        concurrency=base.concurrency, resume_run_id=base.resume_run_id, name=config.name,
        executor=base.executor, ray_address=base.ray_address)


async def execute_run(request: RunRequest, store: Any, *, show_progress: bool = True,
                      agent_factory: Callable[[], Agent] | None = None) -> RunSummary:
    if request.resume_run_id:
        run = await asyncio.to_thread(store.get_run, request.resume_run_id)
        request = _request_from_config(RunConfig.model_validate(run.config), request)
    family = get_family(request.env)
    options = {**request.env_options, **build_runtime_options(request.env_options),
               **request.runtime_env_options}
    problems = await asyncio.to_thread(family.preflight, **options)
    if problems:
        raise PreflightError("environment preflight failed:\n  - " + "\n  - ".join(problems))
    all_tasks = await asyncio.to_thread(family.list_tasks, **options)
    tasks = select_tasks(all_tasks, request.task_ids, request.split, request.limit)

    if request.resume_run_id:
        run_id = request.resume_run_id
        await asyncio.to_thread(store.reset_unfinished_episodes, run_id)
        finished = await asyncio.to_thread(store.finished_episode_keys, run_id)
    else:
        run_id = await asyncio.to_thread(store.start_run, _run_config(request, tasks))
        finished = set()
    await asyncio.to_thread(store.upsert_tasks, [dict(t.model_dump(mode="json"), env=request.env) for t in tasks])

    jobs = [EpisodeJob(run_id, task, trial, episode_seed(request.seed, task.id, trial),
                       request.max_steps, request.episode_timeout_s)
            for task in tasks for trial in range(request.trials) if (task.id, trial) not in finished]
    summary = RunSummary(run_id, request.env, request.agent, request.model, skipped=len(finished))
    factory = agent_factory or (lambda: make_agent(request.agent, **request.agent_options))
    await _check_agent_options(factory)
    if request.executor == "ray":
        from agents.ray_executor import RayEpisodeExecutor
        runner: Any = RayEpisodeExecutor(store, request.env, request.env_options, request.agent,
                                         request.agent_options, address=request.ray_address)
    elif request.executor == "local":
        runner = EpisodeRunner(store, family, options, factory, request.env)
    else:
        raise UnknownIdError("executor", request.executor, ("local", "ray"))
    semaphore = asyncio.Semaphore(max(1, request.concurrency))
    label = request.model or request.agent

    async def one(job: EpisodeJob, progress: RunProgress) -> EpisodeOutcome:
        async with semaphore:
            progress.started(job.task.id)
            outcome = await runner.run(job)
            progress.finished(outcome.result)
            return outcome

    status = RunStatus.INTERRUPTED
    try:
        with RunProgress(f"{request.env} · {label}", len(jobs), enabled=show_progress) as progress:
            outcomes = await asyncio.gather(*(one(job, progress) for job in jobs))
        status = RunStatus.FINISHED
    finally:
        await asyncio.to_thread(store.finish_run, run_id, status)
        if request.executor == "ray":
            runner.shutdown()

    if request.resume_run_id:
        # The summary of a resumed run covers the whole run, not only the episodes re-run now.
        rows = await asyncio.to_thread(lambda: list(store.iter_episodes(run_ids=[run_id])))
        for row in rows:
            summary.count(row.status, row.cost_usd)
        summary.skipped = len(rows) - len(outcomes)
    else:
        for outcome in outcomes:
            summary.count(outcome.result.status, outcome.result.cost_usd)
    return summary


async def _check_agent_options(factory: Callable[[], Agent]) -> None:
    """Build the agent once before any episode, so bad options fail the run, not each episode."""
    try:
        agent = factory()
    except (TypeError, ValueError) as exc:
        raise PreflightError(f"invalid agent options: {exc}") from exc
    await agent.aclose()
