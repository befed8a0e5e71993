"""`python -m agents serve`."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve", help="Serve a model with vLLM (e.g. qwen3.5-9b) and print its base URL.", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def _not_yet(ctx: typer.Context) -> None:
        typer.secho("'serve' is not available yet in this version (planned: issue #5).", err=True)
        raise typer.Exit(3)
