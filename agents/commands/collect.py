"""`python -m agents collect`: run episodes, keep the best successes, export training data.

One command for the data loop: pick train tasks (the generated ones with `--generated N`), drop
any that reuse test-task content (`envs.decontamination`), run every model (or a baseline agent)
`--trials K` times on each through the runner, keep per task the best episode that reaches
`--min-reward` (best-of-K rejection sampling; `--keep all` keeps every one), optionally the
failures as DPO negatives (`--pairs`), and export. The output folder holds

    DIR/collect.json   what went in: the recipe, runs, models, tasks, filters, counts, git revision
    DIR/data/          the export (the folder to give the trainer), with its README.md data card

Rerunning the same command continues: each producer's run is found in the store by a name
derived from the recipe and resumed (finished episodes are kept), then the export is rebuilt.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from agents.settings import ArtifactsOption, DbOption, open_store

STATE_FILE = "collect.json"
DATA_DIR = "data"
FINISHED = ("succeeded", "failed")


class CollectError(ValueError):
    """The collection cannot run as asked (bad options, an output folder of another recipe)."""


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def plan_tasks(env: str, env_options: dict[str, Any], generated: int | None, seed: int,
               task_ids: list[str], limit: int | None) -> list[Any]:
    """The train tasks to collect on (TaskInfo records), in listing order."""
    from envs.registry import get_family

    tasks = [t for t in get_family(env).list_tasks(**env_options) if t.split == "train"]
    if task_ids:
        by_id = {t.id: t for t in tasks}
        unknown = [t for t in task_ids if t not in by_id]
        if unknown:
            raise CollectError(f"not train tasks of {env}: {', '.join(unknown[:5])} (collect never runs test tasks)")
        tasks = [by_id[t] for t in task_ids]
    elif generated is not None and env != "osworld-lite":
        # tau2-lite card_services lists its generated train tasks: the first N of them.
        if len(tasks) < generated:
            raise CollectError(f"{env} lists {len(tasks)} generated train tasks here; --generated {generated} "
                               "asks for more")
        tasks = tasks[:generated]
    return tasks[:limit] if limit is not None else tasks


def _seed_split_guarantee(env: str, tasks: list[Any]) -> str | None:
    """For miniwob, whose splits share task pages and differ by seed: check every chosen task is a
    pinned train instance (even page seed) and say why none can be a test instance."""
    if env != "miniwob":
        return None
    odd = [t.id for t in tasks if t.metadata.get("page_seed") is None or t.metadata["page_seed"] % 2]
    if odd:
        raise CollectError(f"not pinned train instances of miniwob: {', '.join(odd[:5])}")
    return ("miniwob train and test instances are disjoint by construction: every collected instance "
            "is pinned to an even page seed (2·s, the train seed space) and test instances use odd page "
            "seeds (2·s+1); the task pages themselves are shared by both splits, as in MiniWoB++")


def recipe_id(recipe: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]


def choose_episodes(rows: list[Any], min_reward: float | None, keep: str) -> list[Any]:
    """Best-of-K: per task, the qualifying episode with the highest reward (then fewest steps,
    then the earliest trial); with keep="all", every qualifying episode."""
    def ok(row: Any) -> bool:
        return bool(row.success) if min_reward is None else row.reward is not None and row.reward >= min_reward

    passing = [r for r in rows if r.status in FINISHED and ok(r)]
    if keep == "all":
        return passing
    best: dict[str, Any] = {}
    for row in passing:
        rank = (-(row.reward or 0.0), row.steps, row.trial, row.run_id)
        if row.task_id not in best or rank < best[row.task_id][0]:
            best[row.task_id] = (rank, row)
    return [row for _, row in sorted(best.values(), key=lambda item: item[1].task_id)]


class CollectProgress:
    """Episodes done of planned, success rate and training samples so far, read from the store."""

    def __init__(self, total: int, enabled: bool, min_reward: float | None, keep: str):
        self.total, self.min_reward, self.keep = total, min_reward, keep
        self._bar = Progress(TextColumn("[bold]collect"), BarColumn(), MofNCompleteColumn(),
                             TextColumn("{task.fields[stats]}"), TimeElapsedColumn(),
                             console=Console(stderr=True), disable=not enabled, transient=False)
        self._task = self._bar.add_task("collect", total=total, stats="")

    def update(self, rows: list[Any]) -> dict[str, Any]:
        done = [r for r in rows if r.status not in ("pending", "running")]
        graded = [r for r in done if r.status in FINISHED]
        wins = sum(1 for r in graded if r.success)
        samples = len(choose_episodes(rows, self.min_reward, self.keep))
        rate = f"{wins / len(graded):.0%}" if graded else "–"
        self._bar.update(self._task, completed=len(done),
                         stats=f"success {rate} ({wins}/{len(graded)})  samples {samples}  excluded {len(done) - len(graded)}")
        return {"done": len(done), "graded": len(graded), "succeeded": wins, "samples": samples}


async def _run_all(store: Any, requests: list[Any], names: list[str], progress: CollectProgress) -> list[Any]:
    """Run (or resume) each producer's run in turn while the bar follows the store."""
    from agents.runner import execute_run

    def rows() -> list[Any]:
        ids = [r.id for r in store.list_runs() if r.name in names]
        return list(store.iter_episodes(run_ids=ids)) if ids else []

    async def follow() -> None:
        while True:
            progress.update(await asyncio.to_thread(rows))
            await asyncio.sleep(0.5)

    summaries = []
    with progress._bar:
        watcher = asyncio.ensure_future(follow())
        try:
            for request in requests:
                summaries.append(await execute_run(request, store, show_progress=False))
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            progress.update(await asyncio.to_thread(rows))
    return summaries


def _replace_export(tmp: Path, final: Path) -> None:
    """Put a finished export in place of the previous one (ours: it has a manifest)."""
    if final.exists():
        if not (final / "manifest.json").is_file():
            raise CollectError(f"{final} exists and is not an export of this command; move it away")
        shutil.rmtree(final)
    tmp.rename(final)


def register(app: typer.Typer) -> None:
    @app.command("collect", help="Collect training data in one command: run episodes on train tasks "
                 "(resumable), keep the best successes (best-of-K), optionally failures as DPO pairs, export.")
    def collect(
        env: Annotated[str, typer.Option("--env", help="osworld-lite, tau2-lite or miniwob")],
        out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: collect.json and data/ (the export)")],
        export: Annotated[str, typer.Option("--export", help="Export format: swift, llamafactory, openai, trl, parquet")] = "swift",
        model: Annotated[str | None, typer.Option(help="Registry model(s), comma-separated")] = None,
        agent: Annotated[str | None, typer.Option(help="A baseline agent instead of models (oracle: reference solutions)")] = None,
        domain: Annotated[str | None, typer.Option(help="tau2-lite domain (default card_services)")] = None,
        generated: Annotated[int | None, typer.Option("--generated", min=1, help="Use N generated train tasks "
                             "(osworld-lite: the generators; tau2-lite card_services: its generated train tasks; "
                             "miniwob: N pinned train instances, required there)")] = None,
        seed: Annotated[int, typer.Option(min=0, help="Seed of the generated tasks and of the runs")] = 0,
        tasks: Annotated[str | None, typer.Option(help="Only these train task ids, comma-separated")] = None,
        limit: Annotated[int | None, typer.Option(min=1, help="At most this many tasks")] = None,
        trials: Annotated[int, typer.Option(min=1, help="Episodes per task and model (K of best-of-K)")] = 1,
        min_reward: Annotated[float | None, typer.Option("--min-reward", help="Keep episodes with reward >= R (default: successes)")] = None,
        keep: Annotated[str, typer.Option(help="best: one episode per task (best-of-K); all: every qualifying episode")] = "best",
        pairs: Annotated[bool, typer.Option("--pairs", help="Also export DPO pairs (successes vs failures of a task)")] = False,
        thinking: Annotated[str, typer.Option(help="Export reasoning: keep or drop")] = "drop",
        user: Annotated[str, typer.Option(help="tau2-lite user simulator: llm or scripted")] = "llm",
        user_model: Annotated[str | None, typer.Option("--user-model", help="Registry model of the LLM user")] = None,
        base_url: Annotated[str | None, typer.Option("--base-url", help="Override the model endpoint")] = None,
        max_steps: Annotated[int, typer.Option("--max-steps", help="Actions per episode")] = 50,
        timeout: Annotated[float, typer.Option(help="Agent working time per episode, seconds")] = 1800.0,
        concurrency: Annotated[int, typer.Option(min=1, help="Episodes at once")] = 1,
        progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show the progress bar")] = True,
        db: DbOption = None,
        artifacts: ArtifactsOption = None,
    ) -> None:
        err = lambda msg: typer.secho(msg, err=True, fg=typer.colors.YELLOW)  # noqa: E731
        try:
            result = _collect(**{k: v for k, v in locals().items() if k != "err"}, err=err)
        except CollectError as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from None
        c = result["counts"]
        typer.echo(f"collected {c['samples']} samples ({c['succeeded']} of {c['graded']} graded episodes succeeded, "
                   f"{c['excluded']} excluded; {c.get('pairs', 0)} pairs) from {len(result['tasks'])} tasks "
                   f"into {out / DATA_DIR}")
        if result["decontamination"]["dropped"]:
            typer.echo(f"  dropped {len(result['decontamination']['dropped'])} tasks reusing test content")


def _collect(*, env: str, out: Path, export: str, model: str | None, agent: str | None, domain: str | None,
             generated: int | None, seed: int, tasks: str | None, limit: int | None, trials: int,
             min_reward: float | None, keep: str, pairs: bool, thinking: str, user: str, user_model: str | None,
             base_url: str | None, max_steps: int, timeout: float, concurrency: int, progress: bool,
             db: str | None, artifacts: str | None, err: Any) -> dict[str, Any]:
    from agents.commands.export import RegistrySpecProvider
    from agents.commands.run import BASELINES, _choose_models
    from agents.runner import ErrorBudgetExceeded, PreflightError, RunConfigurationError, RunRequest
    from agents.runtime_options import check_simulator_models, simulator_model_names
    from envs.decontamination import LeakGuard
    from trajectories.export import ExportOptions, export_trajectories
    from trajectories.export.formats.base import get_exporter
    from trajectories.provenance import git_revision

    if bool(agent) == bool(model):
        raise CollectError("give --model M[,M] or --agent (a baseline), one of them")
    if agent and agent not in BASELINES:
        raise CollectError(f"unknown baseline agent {agent!r}; choose one of {', '.join(BASELINES)}")
    if keep not in ("best", "all"):
        raise CollectError("--keep is best or all")
    if thinking not in ("keep", "drop"):
        raise CollectError("--thinking is keep or drop")
    get_exporter(export)   # an unknown format fails before any episode runs
    if env == "tau2-lite":
        domain = domain or "card_services"
    env_options: dict[str, Any] = {k: v for k, v in {"domain": domain, "user": user if env == "tau2-lite" else None}.items()
                                   if v is not None}
    if env == "miniwob":
        if generated is None:
            # A plain miniwob task draws a new instance per trial: best-of-K needs pinned ones.
            raise CollectError("miniwob collects on pinned instances: give --generated N (and --seed S)")
        # The oracle has solvers for some tasks only; models take instances of every task.
        env_options.update(split="train", solvable_only=True if agent == "oracle" else None)
    if generated is not None and env in ("osworld-lite", "miniwob"):
        env_options.update(generated=generated, generated_seed=seed)
    env_options = {k: v for k, v in env_options.items() if v is not None}
    chosen_tasks = plan_tasks(env, env_options, generated, seed, _csv(tasks), limit)
    split_guarantee = _seed_split_guarantee(env, chosen_tasks)

    # Decontamination before any episode runs: a task reusing test content is never collected.
    guard = LeakGuard()
    clean, dropped = [], []
    for task in chosen_tasks:
        leak = guard(env, task.domain or domain or "", task.id, task.instruction, env_options)
        (dropped if leak else clean).append(task if not leak else {"task_id": task.id, "leak": leak})
    if not clean:
        raise CollectError("no train task is left to collect on")
    producers = [(agent, None)] if agent else [("model", m) for m in _choose_models(model, base_url, err)]
    recipe = {"env": env, "env_options": env_options, "producers": [p[1] or p[0] for p in producers],
              "tasks": [t.id for t in clean], "trials": trials, "seed": seed, "max_steps": max_steps}
    rid = recipe_id(recipe)
    out.mkdir(parents=True, exist_ok=True)
    state_path = out / STATE_FILE
    if state_path.exists():
        previous = json.loads(state_path.read_text(encoding="utf-8"))
        if previous.get("recipe_id") != rid:
            raise CollectError(f"{out} holds a collection of another recipe ({previous.get('recipe_id')}); "
                               "use a new --out, or the same options to continue it")

    env_options.update(simulator_model_names(env, user, user_model, None))
    problems = check_simulator_models(env_options)
    if problems:
        raise CollectError("; ".join(f"user simulator model {k}: {v}" for k, v in problems.items())
                           + (" (hint: --user scripted runs without an LLM user)" if user == "llm" else ""))

    store = open_store(db, artifacts)
    try:
        runs = {r.name: r.id for r in store.list_runs()}
        names, requests = [], []
        for agent_name, model_name in producers:
            name = f"collect-{rid}-{model_name or agent_name}"
            names.append(name)
            agent_options = {k: v for k, v in {"model": model_name, "base_url": base_url}.items() if v is not None}
            requests.append(RunRequest(
                env=env, agent=agent_name, model=model_name, env_options=env_options,
                agent_options=agent_options if agent_name == "model" else {}, task_ids=[t.id for t in clean],
                split="train", trials=trials, seed=seed, max_steps=max_steps, episode_timeout_s=timeout,
                concurrency=concurrency, resume_run_id=runs.get(name), name=name))
        bar = CollectProgress(len(clean) * trials * len(producers), progress, min_reward, keep)
        try:
            summaries = asyncio.run(_run_all(store, requests, names, bar))
        except (PreflightError, ErrorBudgetExceeded, RunConfigurationError) as exc:
            # Nothing is exported from a run that stopped; the same command continues it.
            raise CollectError(f"{exc}\nFix the cause and rerun the same command to continue.") from exc
        run_ids = [s.run_id for s in summaries]
        rows = list(store.iter_episodes(run_ids=run_ids))
        kept = choose_episodes(rows, min_reward, keep)

        tmp = out / f".{DATA_DIR}.partial"
        if tmp.exists():
            shutil.rmtree(tmp)
        report = export_trajectories(
            store, spec_provider=RegistrySpecProvider(), options=ExportOptions(format=export, out_dir=tmp, runs=run_ids, min_reward=min_reward, thinking=thinking,
                                 pairs=pairs, episodes=[r.id for r in kept]),
            content_guard=guard, collect_info={"recipe_id": rid, "trials": trials, "keep": keep,
                                               **({"split_guarantee": split_guarantee} if split_guarantee else {})})
        _replace_export(tmp, out / DATA_DIR)
    finally:
        store.close()

    graded = [r for r in rows if r.status in FINISHED]
    result = {
        "version": 1,
        "recipe_id": rid,
        "command": " ".join(["python -m agents", *sys.argv[1:]]) if sys.argv[0].endswith(("agents", "__main__.py")) else None,
        "updated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_revision": git_revision(),
        "env": env, "env_options": {k: v for k, v in env_options.items()},
        "models": [p[1] for p in producers if p[1]], "agent": agent,
        "runs": dict(zip(names, run_ids)),
        "filters": {"split": "train", "min_reward": min_reward, "keep": keep, "trials": trials, "generated": generated,
                    "seed": seed, "pairs": pairs, "thinking": thinking, "format": export},
        "tasks": [t.id for t in clean],
        "decontamination": {**guard.summary(), "dropped": dropped,
                            **({"split_guarantee": split_guarantee} if split_guarantee else {})},
        "counts": {"planned_episodes": len(clean) * trials * len(producers), "episodes": len(rows),
                   "graded": len(graded), "succeeded": sum(1 for r in graded if r.success),
                   "excluded": len(rows) - len(graded), "kept_episodes": len(kept), "samples": report.samples,
                   "pairs": report.pairs, "skipped_in_export": report.skipped},
        "export": {"dir": DATA_DIR, "format": export, "manifest": f"{DATA_DIR}/manifest.json", "card": f"{DATA_DIR}/README.md"},
    }
    state_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result
