"""`python -m agents leaderboard`."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("leaderboard", help="Print the success-rate leaderboard (per model/agent × env × domain × split).", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def _not_yet(ctx: typer.Context) -> None:
        typer.secho("'leaderboard' is not available yet in this version (planned: issue #6).", err=True)
        raise typer.Exit(3)
