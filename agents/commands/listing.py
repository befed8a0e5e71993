"""`python -m agents list envs|tasks|models|agents|runs`."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agents.settings import ArtifactsOption, DbOption, open_store
from envs.errors import UnknownIdError

KINDS = ("envs", "tasks", "models", "agents", "runs", "endings")


def _print(rows: list[dict[str, Any]], columns: list[str], as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) if row.get(c) is not None else "" for c in columns))
    Console().print(table)


def _envs() -> list[dict[str, Any]]:
    from envs.registry import get_family, list_families
    rows = []
    for name in list_families():
        try:
            rows.append({"name": name, "description": get_family(name).description})
        except Exception as exc:  # a family that cannot load says why
            rows.append({"name": name, "description": f"(unavailable: {exc})"})
    return rows


def _tasks(env: str | None, options: dict[str, Any], split: str) -> list[dict[str, Any]]:
    from envs.registry import SEED_SPLIT_FAMILIES, get_family, list_families
    rows = []
    for name in ([env] if env else list_families()):
        family = get_family(name)
        if name in SEED_SPLIT_FAMILIES:   # the split picks this family's instances, not its tasks
            options = {**options, "split": split}
        for task in family.list_tasks(**options):
            if split == "all" or task.split == split:
                row = {"env": name, **task.model_dump(mode="json")}
                if "runnable" in task.metadata:
                    row.update(runnable=task.metadata["runnable"], blockers=task.metadata.get("blockers", []))
                rows.append(row)
    return rows


def _models() -> list[dict[str, Any]]:
    import agents.models as models
    return [m.model_dump(mode="json") if hasattr(m, "model_dump") else dict(m) for m in models.list_models()]


def _runs(db: str | None, artifacts: str | None) -> list[dict[str, Any]]:
    store = open_store(db, artifacts)
    out = []
    for run in store.list_runs():
        row = run.model_dump(mode="json") if hasattr(run, "model_dump") else dict(run)
        row.pop("config", None)
        row["group"] = run.config.group   # runs started together (tau2-lite --domain all)
        out.append(row)
    return out


def register(app: typer.Typer) -> None:
    @app.command("list")
    def list_(
        kind: Annotated[str, typer.Argument(help="envs, tasks, models, agents, runs or endings (who is to blame for each way an episode ends).")],
        env: Annotated[str | None, typer.Option(help="Only this environment (tasks).")] = None,
        domain: Annotated[str | None, typer.Option(help="Only this domain (tasks).")] = None,
        data_dir: Annotated[Path | None, typer.Option("--data-dir", help="tau2-lite: a τ²-bench domain data directory.")] = None,
        task_file: Annotated[Path | None, typer.Option("--task-file", help="osworld-lite: extra task file or folder.")] = None,
        osworld_dir: Annotated[Path | None, typer.Option("--osworld-dir", help="osworld: OSWorld's evaluation_examples folder (default: $OSWORLD_DIR).")] = None,
        assets: Annotated[Path | None, typer.Option("--assets", help="osworld: the asset cache folder (default: $OSWORLD_ASSETS or ~/.cache/agentic-bench/osworld-assets).")] = None,
        split: Annotated[str, typer.Option(help="train, test or all (tasks).")] = "all",
        generated: Annotated[int | None, typer.Option("--generated", min=1, help="osworld-lite: list N generated train tasks instead of the suite; miniwob: N pinned train instances.")] = None,
        seed: Annotated[int, typer.Option("--seed", min=0, help="osworld-lite, miniwob: the seed of --generated.")] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        db: DbOption = None,
        artifacts: ArtifactsOption = None,
    ) -> None:
        """List envs, tasks, models, agents, runs, or the rule for every episode ending."""
        if kind not in KINDS:
            raise UnknownIdError("list kind", kind, KINDS)
        if kind == "envs":
            _print(_envs(), ["name", "description"], as_json, "Environments")
        elif kind == "tasks":
            options = {k: v for k, v in {"domain": domain, "data_dir": str(data_dir) if data_dir else None,
                                         "task_file": str(task_file) if task_file else None,
                                         "osworld_dir": str(osworld_dir) if osworld_dir else None,
                                         "assets": str(assets) if assets else None}.items() if v}
            if generated:
                options.update(generated=generated, generated_seed=seed)
            try:
                rows = _tasks(env, options, split)
            except ValueError as exc:  # task files that cannot be found or read (TaskLoadError, …)
                typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
                raise typer.Exit(2) from None
            if domain:
                rows = [r for r in rows if r["domain"] == domain]
            columns = ["env", "id", "domain", "split", "infeasible", "instruction"]
            if any("runnable" in r for r in rows):  # osworld: whether each task can run here, and why not
                columns[4:4] = ["runnable", "blockers"]
            if not as_json:
                counts = Counter((r["env"], r["domain"], r["split"]) for r in rows)
                typer.echo(", ".join(f"{e}/{d}/{s}: {n}" for (e, d, s), n in sorted(counts.items())))
                if "runnable" in columns:
                    typer.echo(f"runnable here: {sum(bool(r['runnable']) for r in rows)} of {len(rows)}")
            if not as_json and "blockers" in columns:
                rows = [{**r, "blockers": "; ".join(r.get("blockers") or [])} for r in rows]
            _print(rows, columns, as_json, "Tasks")
        elif kind == "models":
            _print(_models(), ["name", "provider", "api", "base_url", "api_key_env"], as_json, "Models")
        elif kind == "agents":
            from agents.agent import list_agents
            rows = [{"name": n} for n in list_agents()]
            _print(rows, ["name"], as_json, "Agents (use --model NAME for model agents)")
        elif kind == "endings":
            from envs.endings import rules_table
            _print(rules_table(), ["termination", "blame", "counts", "scoring", "meaning"], as_json,
                   "Endings: who is to blame (docs/scoring.md)")
        else:
            _print(_runs(db, artifacts), ["id", "env", "agent", "model", "status", "created_at", "group"], as_json, "Runs")
