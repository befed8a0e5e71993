"""`export --format tau2-results`: a run (or a `--domain all` group) as τ²-bench results files.

The writer (trajectories/export/tau2_results.py) reads the store; this module gives it what only
the environment knows — the run's domain with its tasks as τ²-bench records them, the policy and
the tool definitions — read from the domain registry with the data folder the run used.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.run_groups import group_runs, is_group_id
from trajectories.export.tau2_results import DomainFacts, Tau2ExportError, Tau2ExportReport, write_results
from trajectories.records import RunRow


def domain_facts(run: RunRow) -> DomainFacts:
    """The run's domain, loaded from the registry with the run's own data folder."""
    from envs.tau2_lite import get_domain

    options = run.config.env_options
    name = options.get("domain")
    if not name:
        raise Tau2ExportError(f"run {run.id} names no tau2-lite domain")
    try:
        domain = get_domain(name, options.get("data_dir"))
        tasks = {tid: task.model_dump(mode="json", exclude_unset=True) for tid, task in domain.tasks.items()}
        policy = domain.policy()
    except (ValueError, FileNotFoundError, OSError) as exc:
        raise Tau2ExportError(f"cannot load domain {name!r} of run {run.id} "
                              f"(data folder {options.get('data_dir')}): {exc}") from exc
    specs = domain.toolkit_class.specs()
    tool_defs = {n: {"name": n, "doc": s.description,
                     "params": s.schema.get("function", {}).get("parameters"), "returns": None}
                 for n, s in specs.items()}
    kinds = {n: s.kind.value for n, s in specs.items()}
    if domain.user_toolkit_class is not None:
        kinds.update({n: s.kind.value for n, s in domain.user_toolkit_class.specs().items()})
    return DomainFacts(domain_name=name, policy=policy, tasks=tasks, tool_defs=tool_defs, tool_types=kinds,
                       max_errors=int(options.get("max_errors", 10)))


def export_tau2_results(store: Any, ids: list[str], out: Path) -> list[Tau2ExportReport]:
    """One run to the file `out`; several runs (or a group id) to `out/<domain>.json` each."""
    runs: list[RunRow] = []
    for value in ids:
        runs.extend(group_runs(store, value) if is_group_id(value) else [store.get_run(value)])
    if not runs:
        raise Tau2ExportError("tau2-results needs --run RUN_ID (or a group id of a --domain all run)")
    if len(runs) == 1 and not (out.is_dir() or str(out).endswith("/")):
        return [write_results(store, runs[0].id, out, domain_facts(runs[0]))]
    if out.exists() and not out.is_dir():
        raise Tau2ExportError(f"--out {out} is a file; several runs are written as one file per domain into a folder")
    names = [r.config.env_options.get("domain", r.id) for r in runs]
    clashes = {n for n in names if names.count(n) > 1}
    reports = []
    for run, name in zip(runs, names):
        target = out / (f"{name}_{run.id}.json" if name in clashes else f"{name}.json")
        reports.append(write_results(store, run.id, target, domain_facts(run)))
    return reports


def export_command(runs: str | None, out: Path, db: str | None, artifacts: str | None, as_json: bool) -> None:
    """The export command's tau2-results branch: write, then report one line per file."""
    import json

    import typer

    from agents.settings import open_store
    from envs.errors import UnknownIdError
    from trajectories.db import StoreError

    ids = [v.strip() for v in (runs or "").split(",") if v.strip()]
    store = open_store(db, artifacts)
    try:
        reports = export_tau2_results(store, ids, out)
    except (Tau2ExportError, UnknownIdError, StoreError) as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    finally:
        store.close()
    for report in reports:
        if as_json:
            typer.echo(json.dumps(report.model_dump(mode="json")))
            continue
        typer.echo(f"wrote {report.out}: τ²-bench results of run {report.run_id} ({report.domain}), "
                   f"{report.simulations} simulations of {report.tasks} tasks")
        for reason, n in report.left_out.items():
            typer.echo(f"  left out {n} {reason} episode(s)")
