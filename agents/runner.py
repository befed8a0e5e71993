"""The runner: plans the episodes of a run, runs them concurrently, resumes killed runs.

Entry point: `await execute_run(config, store)` → `RunSummary`. A run is one
(environment, agent or model) pair over a task selection × trials. Resuming a run by id
re-runs only what did not finish: finished episodes are never re-run or duplicated; episodes
excluded by the ending rule (envs/endings.py: infrastructure and harness errors, episodes cut
off by a killed or stopped run) run again.

Two things stop a run early, raising after the run is recorded as interrupted:
`ErrorBudgetExceeded` once the share of excluded episodes passes `max_error_rate`, and
`RunConfigurationError` when the model endpoint refuses requests for a reason retrying cannot
fix. Episodes in flight then are left unfinished and run again on resume.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents.agent import Agent, make_agent
from agents.episode import EpisodeJob, EpisodeOutcome, EpisodeRunner, RunConfigurationError
from agents.progress import RunProgress
from agents.runtime_options import build_runtime_options
from envs.errors import UnknownIdError
from envs.registry import get_family
from envs.types import TaskInfo
from trajectories.records import EpisodeStatus, RunConfig, RunStatus

SPLITS = ("train", "test", "all")
# The error budget is judged once this many episodes finished (or all of a smaller run).
ERROR_BUDGET_MIN_EPISODES = 10
MAX_THREADS = 512     # threads for episodes waiting on env steps and store writes

# The request the runner takes is the run's configuration itself: one type, stored without
# its execution-only fields.
RunRequest = RunConfig

__all__ = ["ErrorBudgetExceeded", "PreflightError", "RunConfigurationError", "RunRequest", "RunSummary",
           "execute_run", "select_tasks"]


class PreflightError(RuntimeError):
    """Something that would make every episode fail; reported before anything runs."""


class ErrorBudgetExceeded(RuntimeError):
    """Too many episodes were excluded (infrastructure or harness errors): the numbers of
    this run would not mean much. `summary` covers the episodes that finished."""

    def __init__(self, message: str, summary: RunSummary):
        super().__init__(message)
        self.summary = summary


@dataclass
class RunSummary:
    run_id: str
    env: str
    agent: str
    model: str | None
    episodes: int = 0
    succeeded: int = 0
    failed: int = 0                          # graded, not a success: every agent-caused ending
    errors: int = 0                          # infrastructure errors: excluded, re-run on resume
    harness_errors: int = 0                  # bugs in the harness: excluded, re-run, reported loudly
    skipped: int = 0                         # already finished before a resume
    cost_usd: float = 0.0
    terminations: Counter[str] = field(default_factory=Counter)
    harness_error_episodes: list[str] = field(default_factory=list)
    stopped: str | None = None               # why the run stopped early, if it did

    def count(self, status: EpisodeStatus, cost_usd: float | None, termination: str | None = None,
              episode_id: str | None = None) -> None:
        self.episodes += 1
        self.cost_usd += cost_usd or 0.0
        if termination:
            self.terminations[str(termination)] += 1
        if status == EpisodeStatus.SUCCEEDED:
            self.succeeded += 1
        elif status == EpisodeStatus.FAILED:
            self.failed += 1
        elif status == EpisodeStatus.HARNESS_ERROR:
            self.harness_errors += 1
            if episode_id:
                self.harness_error_episodes.append(episode_id)
        else:
            self.errors += 1

    @property
    def excluded(self) -> int:
        return self.errors + self.harness_errors

    @property
    def excluded_share(self) -> float | None:
        return self.excluded / self.episodes if self.episodes else None

    @property
    def success_rate(self) -> float | None:
        graded = self.succeeded + self.failed
        return self.succeeded / graded if graded else None

    def as_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "env": self.env, "agent": self.agent, "model": self.model,
                "episodes": self.episodes, "succeeded": self.succeeded, "failed": self.failed,
                "errors": self.errors, "harness_errors": self.harness_errors,
                "excluded_share": self.excluded_share, "success_rate": self.success_rate,
                "cost_usd": self.cost_usd, "terminations": dict(sorted(self.terminations.items())),
                "harness_error_episodes": self.harness_error_episodes, "stopped": self.stopped}


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


def _resumed(stored: RunConfig, request: RunConfig) -> RunConfig:
    """A resumed run uses its stored configuration and this invocation's way of executing it
    (the fields RunConfig never stores), over every task it planned (no --limit)."""
    execution = {name: getattr(request, name) for name, spec in RunConfig.model_fields.items() if spec.exclude}
    return stored.model_copy(update={**execution, "limit": None})


class _ErrorBudget:
    def __init__(self, max_error_rate: float, total: int):
        self.max_error_rate = max_error_rate
        self.judge_after = min(ERROR_BUDGET_MIN_EPISODES, total)
        self.finished = 0
        self.excluded = 0

    def add(self, status: EpisodeStatus) -> str | None:
        """Count one finished episode; a message when the budget is spent."""
        self.finished += 1
        self.excluded += status in (EpisodeStatus.ERROR, EpisodeStatus.HARNESS_ERROR)
        share = self.excluded / self.finished
        if self.finished >= self.judge_after and share > self.max_error_rate:
            return (f"{self.excluded} of {self.finished} finished episodes were excluded "
                    f"(infrastructure or harness errors), {share:.0%} > --max-error-rate "
                    f"{self.max_error_rate:.0%}; the run stopped. Fix the cause, then --resume it.")
        return None


async def execute_run(request: RunConfig, store: Any, *, show_progress: bool = True,
                      agent_factory: Callable[[], Agent] | None = None) -> RunSummary:
    if request.resume_run_id:
        run = await asyncio.to_thread(store.get_run, request.resume_run_id)
        request = _resumed(RunConfig.model_validate(run.config), request)
    _size_thread_pool(request.concurrency)
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
        run_id = await asyncio.to_thread(
            store.start_run, request.model_copy(update={"task_ids": [t.id for t in tasks]}))
        finished = set()
    await asyncio.to_thread(store.upsert_tasks, [dict(t.model_dump(mode="json"), env=request.env) for t in tasks])

    jobs = [EpisodeJob(run_id, task, trial, episode_seed(request.seed, task.id, trial),
                       request.max_steps, request.episode_timeout_s)
            for task in tasks for trial in range(request.trials) if (task.id, trial) not in finished]
    summary = RunSummary(run_id, request.env, request.agent, request.model, skipped=len(finished))
    factory = agent_factory or (lambda: make_agent(request.agent, **request.agent_options))
    await _check_agent_options(factory)
    if request.executor == "ray":
        from agents.ray_executor import RayEpisodeExecutor, SlotPlan
        plan = SlotPlan.for_env(request.env, request.slots_per_worker, request.cpus_per_slot,
                                request.memory_per_slot_mb)
        runner: Any = RayEpisodeExecutor(store, request.env, request.env_options, request.agent,
                                         request.agent_options, address=request.ray_address,
                                         concurrency=request.concurrency, plan=plan)
    elif request.executor == "local":
        runner = EpisodeRunner(store, family, options, factory, request.env)
    else:
        raise UnknownIdError("executor", request.executor, ("local", "ray"))
    semaphore = asyncio.Semaphore(max(1, request.concurrency))
    label = request.model or request.agent
    budget = _ErrorBudget(request.max_error_rate, len(jobs))

    stops: list[Exception] = []   # why the run must stop; no episode starts once it holds one

    async def one(job: EpisodeJob, progress: RunProgress) -> EpisodeOutcome | None:
        async with semaphore:
            if stops:
                return None
            progress.started(job.task.id)
            try:
                outcome = await runner.run(job)
            except RunConfigurationError as exc:
                stops.append(exc)
                return None
            progress.finished(outcome.result)
            spent = budget.add(outcome.result.status)
            if spent and not stops:
                stops.append(ErrorBudgetExceeded(spent, summary))
            return outcome

    status = RunStatus.INTERRUPTED
    outcomes: list[EpisodeOutcome] = []
    try:
        with RunProgress(f"{request.env} · {label}", len(jobs), enabled=show_progress) as progress:
            pending = [asyncio.ensure_future(one(job, progress)) for job in jobs]
            try:
                for next_done in asyncio.as_completed(pending):
                    outcome = await next_done
                    if outcome is not None:
                        outcomes.append(outcome)
                    if stops:
                        break   # episodes still in flight are cancelled: they re-run on resume
            finally:
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
        if not stops:
            status = RunStatus.FINISHED
    finally:
        await asyncio.to_thread(store.finish_run, run_id, status)
        if request.executor == "ray":
            runner.shutdown()

    if request.resume_run_id:
        # The summary of a resumed run covers the whole run, not only the episodes re-run now.
        rows = await asyncio.to_thread(lambda: list(store.iter_episodes(run_ids=[run_id])))
        for row in rows:
            if row.status not in (EpisodeStatus.PENDING, EpisodeStatus.RUNNING):
                summary.count(row.status, row.cost_usd, row.termination, row.id)
        summary.skipped = len(rows) - len(outcomes)
    else:
        for outcome in outcomes:
            summary.count(outcome.result.status, outcome.result.cost_usd, outcome.result.termination,
                          outcome.episode_id)
    if stops:
        stop = stops[0]
        summary.stopped = str(stop)
        if isinstance(stop, RunConfigurationError):
            error = RunConfigurationError(f"{stop} — the run stopped (run {run_id}); fix the endpoint's "
                                          f"configuration, then --resume it")
            error.summary = summary  # type: ignore[attr-defined]
            raise error from stop
        raise stop
    return summary


def _size_thread_pool(concurrency: int) -> None:
    """Give the loop a thread per episode in flight: every episode waits in `to_thread` for its
    env steps and store writes, and asyncio's default pool (CPUs + 4 threads) would make 128
    concurrent tool episodes queue behind six threads while their model calls sit idle."""
    wanted = max(8, min(concurrency + 4, MAX_THREADS))
    loop = asyncio.get_running_loop()
    current = getattr(loop, "_default_executor", None)   # no public getter; None until first use
    if current is None or getattr(current, "_max_workers", 0) < wanted:
        loop.set_default_executor(ThreadPoolExecutor(max_workers=wanted, thread_name_prefix="episode"))


async def _check_agent_options(factory: Callable[[], Agent]) -> None:
    """Build the agent once before any episode, so bad options fail the run, not each episode."""
    try:
        agent = factory()
    except (TypeError, ValueError) as exc:
        raise PreflightError(f"invalid agent options: {exc}") from exc
    await agent.aclose()
