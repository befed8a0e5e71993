"""`python -m agents leaderboard`: success rates with intervals, paired comparisons, the static site."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from agents.settings import ArtifactsOption, DbOption, open_store
from envs.errors import UnknownIdError
from trajectories.db import StoreError

RunsOption = Annotated[list[str] | None, typer.Option("--run", help="Only these runs (repeat the option for several); "
                                                      "a group id (tau2-lite --domain all) stands for its runs.")]
EnvOption = Annotated[str | None, typer.Option("--env", help="Only this environment, e.g. osworld-lite.")]
DomainOption = Annotated[str | None, typer.Option("--domain", help="Only this domain.")]
SplitOption = Annotated[str | None, typer.Option("--split", help="Only this split (train/test).")]
ModelsOption = Annotated[str | None, typer.Option(
    "--models", help="Comma-separated model names (or baseline agent names: oracle, noop, random).")]


def fail(exc: Exception) -> NoReturn:
    """A database or file problem: one clear line, no traceback."""
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def parse_models(models: str | None) -> list[str] | None:
    names = [m.strip() for m in (models or "").split(",") if m.strip()]
    return names or None


def make_source(store: Any, run: list[str] | None, env: str | None, domain: str | None,
                split: str | None, models: str | None) -> Any:
    """A StoreSource for the filters, after checking every named thing exists (close matches if not)."""
    from scoring.leaderboard import Filters
    from scoring.source import StoreSource

    from agents.run_groups import expand_groups

    run = expand_groups(store, run or [])         # a group id stands for its runs
    for run_id in run:
        store.get_run(run_id)                     # raises UnknownIdError with close matches
    wanted = parse_models(models)
    if env or domain or wanted:
        everything = StoreSource(store, Filters(runs=run or None)).episodes()
        if env and env not in {ep.env for ep in everything}:
            raise UnknownIdError("env (in the database)", env, {ep.env for ep in everything})
        if domain and domain not in {ep.domain for ep in everything if not env or ep.env == env}:
            raise UnknownIdError("domain", domain, {ep.domain for ep in everything if not env or ep.env == env})
        for name in wanted or []:
            if name not in {ep.label for ep in everything}:
                raise UnknownIdError("model or agent", name, {ep.label for ep in everything})
    return StoreSource(store, Filters(runs=run or None, env=env, domain=domain, split=split, models=wanted))


def register(app: typer.Typer) -> None:
    @app.command("leaderboard", help="Print the success-rate leaderboard (per model/agent × env × domain × split): "
                 "Wilson 95% intervals, pass@k/pass^k, steps, tokens, cost; infrastructure errors apart.")
    def leaderboard(
        run: RunsOption = None,
        env: EnvOption = None,
        domain: DomainOption = None,
        split: SplitOption = None,
        models: ModelsOption = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON (one object per row); "
                                              "with --compare, an object {rows, comparison}.")] = False,
        html: Annotated[Path | None, typer.Option("--html", help="Also write the static site (leaderboard, "
                                                  "task matrix, trajectory viewer) into this directory.")] = None,
        compare: Annotated[tuple[str, str] | None, typer.Option(
            "--compare", help="Paired comparison of two models on the tasks both ran: gap in points with a "
            "bootstrap 95% interval and McNemar's exact test.", metavar="A B")] = None,
        db: DbOption = None,
        artifacts: ArtifactsOption = None,
    ) -> None:
        from scoring.compare import compare as paired
        from scoring.leaderboard import add_not_runnable, build_rows, render_table, rows_to_json
        from scoring.tau2_view import render_tau2_table, tau2_summaries

        try:
            store = open_store(db, artifacts)
        except (StoreError, ValueError) as exc:
            fail(exc)
        try:
            source = make_source(store, run, env, domain, split, models)
            episodes = source.episodes()
            rows = add_not_runnable(build_rows(episodes), source.runs(episodes))
            comparison = None
            if compare:
                a, b = compare
                known = {ep.label for ep in episodes}
                for name in (a, b):
                    if name not in known:
                        raise UnknownIdError("model or agent", name, known)
                comparison = paired(episodes, a, b)
            if html is not None:
                from scoring.site import build_site

                report = build_site(source, html)
                where = report.index.resolve()
                msg = f"wrote {report.pages} pages and {report.artifacts_copied} screenshots: {where}"
                if report.artifacts_missing:
                    msg += f" ({len(report.artifacts_missing)} screenshots missing from the artifact store)"
                typer.echo(msg, err=True)
        except (StoreError, OSError) as exc:
            fail(exc)
        finally:
            store.close()

        if as_json:
            data: Any = rows_to_json(rows)
            if comparison is not None:
                data = {"rows": data, "comparison": {**comparison.model_dump(mode="json"),
                                                     "half_width_points": comparison.half_width_points,
                                                     "summary": comparison.sentence()}}
            typer.echo(json.dumps(data, indent=2))
            return
        # Piped output keeps whole rows instead of squeezing them into 80 columns.
        console = Console() if Console().is_terminal else Console(width=220)
        if not rows:
            console.print("No episodes match. Run some first: python -m agents run --env osworld-lite "
                          "--agent oracle", markup=False)
        else:
            console.print(render_table(rows))
            summaries = tau2_summaries(episodes)
            if summaries:   # tau2-lite as τ²-bench reports it: per domain, then their average
                console.print(render_tau2_table(summaries))
        if comparison is not None:
            console.print(comparison.sentence(), markup=False, highlight=False)
