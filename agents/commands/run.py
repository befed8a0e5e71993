"""`python -m agents run`: run episodes of an environment with a baseline agent or model(s).

Exit status: 0 when every run finished; 3 when a run's share of excluded episodes passed
`--max-error-rate`; 4 when a preflight check or the model endpoint's configuration failed;
5 when episodes ended in harness errors (bugs in this project; listed on stderr).
"""
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from agents.runner import (
    ErrorBudgetExceeded, PreflightError, RunConfigurationError, RunRequest, RunSummary, execute_run,
)
from trajectories.records import DEFAULT_MAX_ERROR_RATE
from agents.runtime_options import check_simulator_models, simulator_model_names
from agents.settings import ArtifactsOption, DbOption, open_store
from envs.registry import SEED_SPLIT_FAMILIES
from agents.run_groups import is_group_id
from agents.tau2_suite import echo_group, run_group

BASELINES = ("oracle", "noop", "random")


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def _models_module():
    try:
        import agents.models as models
    except ImportError as exc:  # pragma: no cover - only while the model registry is absent
        raise typer.BadParameter(f"model agents are unavailable: {exc}") from exc
    return models


def _choose_models(model: str | None, base_url: str | None, console_err) -> list[str]:
    """The models to run: those named, or every default registry model whose endpoint answers."""
    models = _models_module()
    from agents.models.preflight import check_models

    names = _csv(model) or list(models.default_model_names())
    for name in names:
        models.get_model(name)  # unknown names fail here with close matches
    report = check_models(names, base_url=base_url)
    ready = [n for n in names if report.get(n) is None]
    for name in names:
        if report.get(name):
            console_err(f"preflight: {name}: {report[name]}")
    if not ready:
        console_err("preflight: no model endpoint answers; nothing was run.")
        raise typer.Exit(4)
    if model and len(ready) < len(names):
        raise typer.Exit(4)  # the user asked for these models explicitly: do not run a subset
    return ready


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        env: Annotated[str, typer.Option("--env", help="Environment family: osworld-lite, tau2-lite.")],
        agent: Annotated[str | None, typer.Option(help="Baseline agent: oracle, noop, random.")] = None,
        model: Annotated[str | None, typer.Option(help="Model(s) from the registry, comma-separated. Default with no --agent: every default model whose endpoint answers.")] = None,
        base_url: Annotated[str | None, typer.Option("--base-url", help="Override the model endpoint (e.g. a vLLM server).")] = None,
        thinking: Annotated[str | None, typer.Option(help="on/off: Qwen thinking mode.")] = None,
        reasoning_effort: Annotated[str | None, typer.Option("--reasoning-effort", help="OpenAI reasoning effort.")] = None,
        max_images: Annotated[int | None, typer.Option("--max-images", help="Screenshots kept in the model's context.")] = None,
        coordinates: Annotated[str | None, typer.Option(help="Qwen computer_use coordinates: relative (0–1000 grid) or absolute (pixels of the resized image).")] = None,
        max_corrections: Annotated[int | None, typer.Option("--max-corrections", help="Unusable model replies in a row before the agent gives up.")] = None,
        domain: Annotated[str | None, typer.Option(help="Domain within the environment (tau2-lite: retail, card_services, …; all: every domain folder of --data-dir).")] = None,
        data_dir: Annotated[Path | None, typer.Option("--data-dir", help="tau2-lite: a τ²-bench domain data directory (with --domain all: τ²-bench's data/tau2/domains).")] = None,
        retrieval: Annotated[str | None, typer.Option("--retrieval", help="tau2-lite banking_knowledge: the knowledge-base retrieval variant (bm25 by default; bm25_grep, grep_only, no_knowledge, full_kb, golden_retrieval, openai_embeddings, openai_embeddings_grep).")] = None,
        task_file: Annotated[Path | None, typer.Option("--task-file", help="osworld-lite: a JSON task file or folder of them.")] = None,
        episode_max_time: Annotated[float | None, typer.Option("--episode-max-time", min=0.1, max=86400, help="miniwob: override MiniWoB's episode timer (seconds of real time; default: each task's own, mostly 10 s).")] = None,
        osworld_dir: Annotated[Path | None, typer.Option("--osworld-dir", help="osworld: OSWorld's evaluation_examples folder (default: $OSWORLD_DIR).")] = None,
        assets: Annotated[Path | None, typer.Option("--assets", help="osworld: the asset cache folder (default: $OSWORLD_ASSETS or ~/.cache/agentic-bench/osworld-assets).")] = None,
        generated: Annotated[int | None, typer.Option("--generated", min=1, help="osworld-lite: run N generated train tasks (seeded by --seed) instead of the suite; miniwob: N pinned train instances.")] = None,
        user: Annotated[str, typer.Option(help="tau2-lite user simulator: llm or scripted.")] = "llm",
        user_model: Annotated[str | None, typer.Option("--user-model", help="Registry model for the LLM user simulator.")] = None,
        judge_model: Annotated[str | None, typer.Option("--judge-model", help="Registry model for NL-assertion judging.")] = None,
        tasks: Annotated[str | None, typer.Option(help="Comma-separated task ids.")] = None,
        split: Annotated[str, typer.Option(help="train, test or all.")] = "all",
        limit: Annotated[int | None, typer.Option(help="Run at most this many tasks.")] = None,
        trials: Annotated[int, typer.Option(help="Trials per task (for pass^k).")] = 1,
        seed: Annotated[int, typer.Option(help="Run seed; each episode's seed derives from it.")] = 0,
        max_steps: Annotated[int, typer.Option("--max-steps", help="Actions per episode before truncation.")] = 50,
        timeout: Annotated[float, typer.Option(help="Per-episode limit on the agent's working time (model calls and env steps; not queueing, reset or evaluation), in seconds.")] = 1800.0,
        max_error_rate: Annotated[float, typer.Option("--max-error-rate", min=0.0, max=1.0, help="Stop the run (exit 3) once more than this share of finished episodes was excluded (infrastructure or harness errors); judged after 10 episodes.")] = DEFAULT_MAX_ERROR_RATE,
        concurrency: Annotated[int, typer.Option(help="Episodes at once.")] = 1,
        resume: Annotated[str | None, typer.Option(help="Continue run RUN_ID (or every run of a --domain all group GROUP_ID): finished episodes are kept, the rest re-run.")] = None,
        name: Annotated[str | None, typer.Option(help="A label for the run.")] = None,
        executor: Annotated[str, typer.Option(help="local (this process) or ray (episodes as Ray tasks; use a PostgreSQL --db for a multi-machine cluster).")] = "local",
        ray_address: Annotated[str | None, typer.Option("--ray-address", envvar="RAY_ADDRESS", help="Ray cluster address (default: a private local cluster).")] = None,
        slots_per_worker: Annotated[int | None, typer.Option("--slots-per-worker", min=1, help="Ray: episodes each long-lived worker runs at once (default 2 for desktop/browser envs, 16 for tool envs).")] = None,
        cpus_per_slot: Annotated[float | None, typer.Option("--cpus-per-slot", min=0.01, help="Ray: CPUs each episode slot reserves (default 1 for desktop/browser envs, 0.01 for tool envs).")] = None,
        memory_per_slot: Annotated[int | None, typer.Option("--memory-per-slot", min=1, help="Ray: MiB of memory each episode slot reserves for placement.")] = None,
        json_summary: Annotated[bool, typer.Option("--json-summary", help="Print one JSON object per run at the end.")] = False,
        progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Live progress bar.")] = True,
        db: DbOption = None,
        artifacts: ArtifactsOption = None,
    ) -> None:
        """Run episodes of an environment with an agent or model, storing every step."""
        err = lambda msg: typer.secho(msg, err=True, fg=typer.colors.YELLOW)  # noqa: E731
        if agent and model:
            raise typer.BadParameter("give --agent (a baseline) or --model, not both")
        if agent and agent not in BASELINES:
            from agents.agent import list_agents
            from envs.errors import UnknownIdError
            if agent not in list_agents():
                raise UnknownIdError("agent", agent, BASELINES)
        if generated and env not in ("osworld-lite", "miniwob"):
            raise typer.BadParameter("--generated makes osworld-lite tasks or miniwob pinned instances; "
                                     "use it with --env osworld-lite or --env miniwob")
        env_options: dict[str, Any] = {k: v for k, v in {
            "domain": domain, "data_dir": str(data_dir.resolve()) if data_dir else None,
            "retrieval_variant": retrieval if env == "tau2-lite" else None,
            "task_file": str(task_file.resolve()) if task_file else None,
            "user": user if env == "tau2-lite" else None,
            "split": split if env in SEED_SPLIT_FAMILIES else None,
            # There the oracle runs the tasks it has solvers for, not every task the family lists.
            "solvable_only": True if env in SEED_SPLIT_FAMILIES and agent == "oracle" else None,
            "episode_max_time_s": episode_max_time if env == "miniwob" else None,
            # Stored with the run, so a resume or a Ray worker rebuilds the same generated tasks.
            "generated": generated, "generated_seed": seed if generated else None,
            "osworld_dir": str(osworld_dir.resolve()) if osworld_dir else None,
            "assets": str(assets.resolve()) if assets else None,
        }.items() if v is not None}
        task_ids = _csv(tasks)
        if env == "osworld" and not resume:
            task_ids = _plan_osworld(env_options, task_ids, err)
        if resume or agent:
            plans = [(agent or "oracle", None)]
        else:
            plans = [("model", m) for m in _choose_models(model, base_url, err)]
        if not resume:
            env_options.update(simulator_model_names(env, user, user_model, judge_model))
            problems = check_simulator_models(env_options)
            for bad, problem in problems.items():
                err(f"preflight: user simulator/judge model {bad}: {problem}")
            if problems:
                if user == "llm":
                    err("hint: pass --user scripted to run without an LLM user (replays, tests).")
                raise typer.Exit(4)
        store = open_store(db, artifacts)
        summaries: list[RunSummary] = []
        for agent_name, model_name in plans:
            agent_options = {k: v for k, v in {
                "model": model_name, "base_url": base_url, "thinking": thinking,
                "reasoning_effort": reasoning_effort, "max_images": max_images,
                "coordinates": coordinates, "max_corrections": max_corrections}.items() if v is not None}
            request = RunRequest(
                env=env, agent=agent_name, model=model_name, env_options=env_options,
                agent_options=agent_options if agent_name == "model" else {},
                task_ids=task_ids, split=split, limit=limit, trials=trials, seed=seed,
                max_steps=max_steps, episode_timeout_s=timeout, concurrency=concurrency,
                resume_run_id=resume, name=name, executor=executor, ray_address=ray_address,
                slots_per_worker=slots_per_worker, cpus_per_slot=cpus_per_slot, memory_per_slot_mb=memory_per_slot,
                max_error_rate=max_error_rate)
            try:
                if env == "tau2-lite" and (domain == "all" or is_group_id(resume)):
                    # Every domain of a τ²-bench data folder: one run per domain, one group.
                    group = asyncio.run(run_group(request, store, show_progress=progress, warn=err,
                                                  report=lambda s: _report(s, json_summary)))
                    summaries.extend(group.summaries)
                    echo_group(group, json_summary)
                    continue
                summary = asyncio.run(execute_run(request, store, show_progress=progress))
            except PreflightError as exc:
                typer.secho(str(exc), err=True, fg=typer.colors.RED)
                raise typer.Exit(4) from exc
            except (ErrorBudgetExceeded, RunConfigurationError) as exc:
                _report(exc.summary, json_summary)  # type: ignore[attr-defined]
                typer.secho(f"run stopped: {exc}", err=True, fg=typer.colors.RED, bold=True)
                raise typer.Exit(3 if isinstance(exc, ErrorBudgetExceeded) else 4) from exc
            summaries.append(summary)
            _report(summary, json_summary)
        if any(s.harness_errors for s in summaries):
            raise typer.Exit(5)


def _plan_osworld(env_options: dict[str, Any], task_ids: list[str], err) -> list[str]:
    """OSWorld tasks with blockers are never started: the run records them (with their
    blockers) as not runnable, outside the scored denominator (docs/osworld.md)."""
    from envs.osworld import not_runnable_tasks

    try:
        blocked = not_runnable_tasks(env_options, task_ids)
    except ValueError as exc:  # no task folder given, or task files that cannot be read
        err(f"error: {exc}")
        raise typer.Exit(4) from None
    env_options.update(runnable_only=True, not_runnable=blocked)
    if blocked:
        err(f"{len(blocked)} OSWorld task(s) are not runnable here; they are recorded with the run as not "
            f"runnable and not scored (`list tasks --env osworld` shows each one's blockers)")
    left = [t for t in task_ids if t not in blocked]
    if task_ids and not left:
        err("none of the named tasks is runnable here; nothing was run.")
        raise typer.Exit(4)
    return left


def _report(summary: RunSummary, json_summary: bool) -> None:
    if json_summary:
        typer.echo(json.dumps(summary.as_json()))
    else:
        rate = "n/a" if summary.success_rate is None else f"{summary.success_rate:.1%}"
        typer.echo(f"run {summary.run_id}: {summary.episodes} episodes, {summary.succeeded} succeeded, "
                   f"{summary.failed} failed, {summary.errors} infrastructure errors; "
                   f"success rate {rate}; cost ${summary.cost_usd:.4f}")
    if summary.harness_errors:
        # Bugs in the harness are excluded from the scores but never hidden.
        typer.secho(f"HARNESS ERRORS: {summary.harness_errors} episode(s) of run {summary.run_id} hit a bug in "
                    f"this project and were not scored: {', '.join(summary.harness_error_episodes)}. "
                    f"See `python -m agents view` or the episodes' error field; --resume re-runs them.",
                    err=True, fg=typer.colors.RED, bold=True)
