"""`python -m agents db`: create, upgrade, inspect and downgrade the trajectory database."""
from __future__ import annotations

from typing import Annotated

import typer

from agents.settings import ArtifactsOption, DbOption, open_store

db_app = typer.Typer(
    name="db",
    help="Database schema commands: upgrade (create), current, downgrade.",
    no_args_is_help=True,
)


def _fail(exc: Exception) -> None:
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@db_app.command("upgrade", help="Create the schema or upgrade it to REVISION (default: the latest).")
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    db: DbOption = None,
    artifacts: ArtifactsOption = None,
) -> None:
    from trajectories.db import StoreError, safe_url

    try:
        with open_store(db, artifacts, upgrade=False) as store:
            before = store.current_revision()
            store.upgrade(revision)
            after = store.current_revision()
    except (StoreError, ValueError) as exc:
        _fail(exc)
    change = "already at" if before == after else f"upgraded from {before or 'empty'} to"
    typer.echo(f"{safe_url(store.url)}: {change} revision {after}")


@db_app.command("downgrade", help="Downgrade the schema to REVISION (-1: one step back; base: drop everything).")
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, -1 or base.")] = "-1",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
    artifacts: ArtifactsOption = None,
) -> None:
    from trajectories.db import StoreError, safe_url

    try:
        with open_store(db, artifacts, upgrade=False) as store:
            where = safe_url(store.url)
            if not yes:
                typer.confirm(f"Downgrading {where} to {revision} may drop tables and their data. Go on?", abort=True)
            before = store.current_revision()
            store.downgrade(revision)
            after = store.current_revision()
    except (StoreError, ValueError) as exc:
        _fail(exc)
    typer.echo(f"{where}: downgraded from {before} to {after or 'base (empty)'}")


@db_app.command("current", help="Show the database's schema revision and the latest one.")
def current(db: DbOption = None, artifacts: ArtifactsOption = None) -> None:
    from trajectories.db import StoreError, safe_url

    try:
        with open_store(db, artifacts, upgrade=False) as store:
            rev, head = store.current_revision(), store.head_revision()
    except (StoreError, ValueError) as exc:
        _fail(exc)
    state = "up to date" if rev == head else "needs `python -m agents db upgrade`"
    typer.echo(f"{safe_url(store.url)}: revision {rev or 'none (empty database)'}; latest {head} ({state})")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
