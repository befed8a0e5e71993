"""`python -m agents export`."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("export", help="Export stored trajectories as fine-tuning data for Qwen3.5-9B.", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def _not_yet(ctx: typer.Context) -> None:
        typer.secho("'export' is not available yet in this version (planned: issue #7).", err=True)
        raise typer.Exit(3)
