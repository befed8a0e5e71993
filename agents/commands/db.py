"""`python -m agents db`."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("db", help="Database schema commands (db upgrade).", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def _not_yet(ctx: typer.Context) -> None:
        typer.secho("'db' is not available yet in this version (planned: issue #2).", err=True)
        raise typer.Exit(3)
