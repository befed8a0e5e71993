"""`python -m agents check-tasks`."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("check-tasks", help="Replay each task's gold actions on a fresh DB and write what they returned.", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def _not_yet(ctx: typer.Context) -> None:
        typer.secho("'check-tasks' is not available yet in this version (planned: issue #4).", err=True)
        raise typer.Exit(3)
