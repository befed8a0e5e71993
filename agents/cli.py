"""`python -m agents`: the command-line interface.

Each subcommand lives in `agents/commands/<name>.py` and exposes `register(app)`; the modules
are imported here so that `--help` lists them all.
"""
from __future__ import annotations

import importlib
import sys

import typer

from envs.errors import UnknownIdError

COMMAND_MODULES = (
    "run", "listing", "leaderboard", "export", "view", "serve", "db", "check_tasks", "osworld", "collect",
)

app = typer.Typer(
    name="agents",
    help="Agentic task benchmark and trajectory collector: run Gym-style environments with "
    "model or baseline agents, score them, store every trajectory, export fine-tuning data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"agents.commands.{_name}").register(app)


def load_plugins() -> None:
    """Import the modules named in AGENTS_PLUGINS (comma-separated): users register their own
    environment families, agents or models there without touching this package."""
    import os

    for module in filter(None, (m.strip() for m in os.environ.get("AGENTS_PLUGINS", "").split(","))):
        importlib.import_module(module)


def main() -> None:
    try:
        load_plugins()
        app()
    except UnknownIdError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)
