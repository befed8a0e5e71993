"""`python -m agents list`."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("list", help="List envs, tasks, models, agents or runs.", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def _not_yet(ctx: typer.Context) -> None:
        typer.secho("'list' is not available yet in this version (planned: issue #2).", err=True)
        raise typer.Exit(3)
