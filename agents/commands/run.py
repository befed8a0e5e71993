"""`python -m agents run`."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("run", help="Run episodes of an environment with an agent or model.", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def _not_yet(ctx: typer.Context) -> None:
        typer.secho("'run' is not available yet in this version (planned: issue #2).", err=True)
        raise typer.Exit(3)
