"""`python -m agents view`."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("view", help="Serve the trajectory viewer and leaderboard site from the database.", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def _not_yet(ctx: typer.Context) -> None:
        typer.secho("'view' is not available yet in this version (planned: issue #6).", err=True)
        raise typer.Exit(3)
