"""A τ²-bench run in one command: `run --env tau2-lite --domain all --data-dir DIR`.

DIR is a τ²-bench checkout's `data/tau2/domains`. Every subfolder named after a tau2-lite
domain that reads τ²-bench data (retail, mock, telecom, …: whatever the domain registry holds)
becomes one run of that domain — exactly the run `--domain NAME --data-dir DIR/NAME` makes —
and the runs share a group id (`RunConfig.group`). Other subfolders are reported and skipped.

One run per domain, not one run for all: τ²-bench's domains reuse task ids ("0", "1", … in
both retail and airline), a run's episodes are keyed by task id, and a τ²-bench results file
holds one domain. Every run of the group is created before any episode starts, so
`--resume GROUP` finds all of them, even domains a killed command never reached; each resumes
like any run (finished episodes kept, the rest re-run). `--trials k` applies to every domain.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.runner import (
    ErrorBudgetExceeded, PreflightError, RunConfigurationError, RunSummary, execute_run, select_tasks,
)
from agents.run_groups import GROUP_PREFIX, group_runs
from agents.runtime_options import build_runtime_options
from envs.registry import get_family
from trajectories.records import RunConfig

TAU2_ENV = "tau2-lite"


@dataclass
class DomainPlan:
    """The domains found in a data folder, and the folders that are not (with why)."""

    root: Path
    domains: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


@dataclass
class GroupSummary:
    group: str
    runs: dict[str, str]                       # domain -> run id
    summaries: list[RunSummary]
    skipped: dict[str, str] = field(default_factory=dict)
    pass_hat_k: dict[str, dict[int, float]] = field(default_factory=dict)   # domain -> k -> value
    average: dict[int, float] = field(default_factory=dict)   # over τ²-bench's leaderboard domains
    averaged: list[str] = field(default_factory=list)          # those domains, where they ran

    def as_json(self) -> dict[str, Any]:
        return {"group": self.group, "runs": self.runs, "skipped_domains": self.skipped,
                "pass_hat_k": {d: {str(k): v for k, v in ks.items()} for d, ks in self.pass_hat_k.items()},
                "average_over_domains": {str(k): v for k, v in self.average.items()},
                "averaged_domains": self.averaged}

    def sentence(self) -> str:
        ran = ", ".join(f"{d} {r}" for d, r in self.runs.items())
        figures = "; ".join(f"{d} pass^1 {_pct(ks.get(1))}" for d, ks in self.pass_hat_k.items())
        text = (f"group {self.group}: {len(self.runs)} domain run(s) ({ran}); {figures or 'no scores'}; "
                f"average over τ²-bench's domains ({', '.join(self.averaged) or 'none ran'}) "
                f"pass^1 {_pct(self.average.get(1))}")
        if len(self.average) > 1:
            k = max(self.average)
            text += f", pass^{k} {_pct(self.average[k])}"
        return text + f". Resume all of them with --resume {self.group}."


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def discover_domains(root: Path) -> DomainPlan:
    """The tau2-lite domains among the subfolders of `root` (τ²-bench's data/tau2/domains)."""
    from envs.tau2_lite.domain import get_domain_class, list_domains

    root = Path(root).expanduser()
    if not root.is_dir():
        raise PreflightError(f"--data-dir {root} is not a directory; with --domain all it should be "
                             f"a τ²-bench checkout's data/tau2/domains")
    known = list_domains()
    plan = DomainPlan(root)
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if sub.name not in known:
            plan.skipped[sub.name] = f"no tau2-lite domain is named {sub.name!r} (known: {', '.join(known)})"
        elif not get_domain_class(sub.name).needs_data_dir:
            plan.skipped[sub.name] = (f"{sub.name} is built into tau2-lite and reads no data folder; "
                                      f"run it with --domain {sub.name}")
        else:
            plan.domains[sub.name] = sub
    if not plan.domains:
        raise PreflightError(f"--data-dir {root} holds no folder of a tau2-lite domain "
                             f"(known: {', '.join(known)}); point it at τ²-bench's data/tau2/domains")
    return plan


async def create_group_runs(request: RunConfig, store: Any, plan: DomainPlan) -> tuple[str, dict[str, str]]:
    """Preflight every domain, then create one run per domain under a new group id."""
    from trajectories.store import new_id

    if request.task_ids:
        raise PreflightError("--tasks names tasks of one domain: use it with --domain NAME, not --domain all")
    family = get_family(TAU2_ENV)
    runtime = {**build_runtime_options(request.env_options), **request.runtime_env_options}
    planned: list[tuple[str, RunConfig]] = []
    problems: list[str] = []
    for name, folder in plan.domains.items():
        options = {**request.env_options, "domain": name, "data_dir": str(folder)}
        found = await asyncio.to_thread(family.preflight, **options, **runtime)
        problems.extend(f"{name}: {p}" for p in found)
        if found:
            continue
        tasks = select_tasks(await asyncio.to_thread(family.list_tasks, **options), [], request.split, request.limit)
        if not tasks:
            plan.skipped[name] = f"no {request.split!r}-split task"
            continue
        planned.append((name, request.model_copy(update={
            "env_options": options, "task_ids": [t.id for t in tasks], "limit": None})))
    if problems:
        raise PreflightError("environment preflight failed:\n  - " + "\n  - ".join(problems))
    if not planned:
        raise PreflightError(f"no domain of {plan.root} has a task to run: "
                             + "; ".join(f"{n}: {why}" for n, why in plan.skipped.items()))
    group = new_id(GROUP_PREFIX)
    runs = {}
    for name, config in planned:
        runs[name] = await asyncio.to_thread(store.start_run, config.model_copy(update={"group": group}))
    return group, runs


async def run_group(request: RunConfig, store: Any, *, show_progress: bool = True,
                    report: Callable[[RunSummary], None] | None = None,
                    warn: Callable[[str], None] | None = None) -> GroupSummary:
    """Run (or with `request.resume_run_id` a group id, resume) every domain of a group.

    A domain run that stops early (error budget, endpoint configuration) raises as a single run
    does; the runs after it stay as they are and run on `--resume GROUP`.
    """
    skipped: dict[str, str] = {}
    if request.resume_run_id:
        group = request.resume_run_id
        runs = {r.config.env_options.get("domain", r.id): r.id for r in await asyncio.to_thread(group_runs, store, group)}
    else:
        data_dir = request.env_options.get("data_dir")
        if not data_dir:
            raise PreflightError("--domain all needs --data-dir: a τ²-bench checkout's data/tau2/domains")
        plan = discover_domains(Path(data_dir))
        group, runs = await create_group_runs(request, store, plan)
        skipped = plan.skipped
        for name, why in skipped.items():
            if warn is not None:
                warn(f"--domain all: skipped {plan.root / name}: {why}")
    summaries = []
    for name, run_id in runs.items():
        try:
            summary = await execute_run(request.model_copy(update={"resume_run_id": run_id}), store,
                                        show_progress=show_progress)
        except (ErrorBudgetExceeded, RunConfigurationError):
            if warn is not None:
                warn(f"group {group} stopped in {name} ({run_id}); --resume {group} continues every domain")
            raise
        summaries.append(summary)
        if report is not None:
            report(summary)
    return _summarise(store, group, runs, summaries, skipped)


def echo_group(group: GroupSummary, as_json: bool) -> None:
    """The group's closing line (after each run's own): JSON or a sentence."""
    import json

    import typer

    typer.echo(json.dumps(group.as_json()) if as_json else group.sentence())


def _summarise(store: Any, group: str, runs: dict[str, str], summaries: list[RunSummary],
               skipped: dict[str, str]) -> GroupSummary:
    from scoring.tau2_view import tau2_summaries

    episodes = list(store.iter_episodes(run_ids=list(runs.values())))
    views = tau2_summaries(episodes)
    out = GroupSummary(group, runs, summaries, skipped)
    if views:   # one agent or model per group
        view = views[0]
        out.pass_hat_k = {d: f.pass_hat_k for d, f in view.domains.items()}
        out.average, out.averaged = view.average, view.averaged
    return out
