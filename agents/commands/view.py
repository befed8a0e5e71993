"""`python -m agents view`: the live leaderboard and trajectory viewer, served from the database."""
from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from agents.commands.leaderboard import (
    DomainOption,
    EnvOption,
    ModelsOption,
    RunsOption,
    SplitOption,
    fail,
    make_source,
)
from agents.settings import ArtifactsOption, DbOption, open_store
from trajectories.db import StoreError


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    @app.command("view", help="Serve the leaderboard and trajectory viewer from the database "
                 "(the same pages as `leaderboard --html`, live). Binds to 127.0.0.1 by default.")
    def view(
        port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8765,
        host: Annotated[str, typer.Option("--host", help="Address to bind. The viewer has no "
                                          "authentication: keep it on loopback.")] = "127.0.0.1",
        allow_host: Annotated[list[str] | None, typer.Option(
            "--allow-host", help="Also answer requests addressed to this host name or address "
            "(repeatable; e.g. the machine's name when binding to 0.0.0.0). Loopback names and the "
            "--host address are always allowed; other Host headers get 400.")] = None,
        run: RunsOption = None,
        env: EnvOption = None,
        domain: DomainOption = None,
        split: SplitOption = None,
        models: ModelsOption = None,
        db: DbOption = None,
        artifacts: ArtifactsOption = None,
    ) -> None:
        from scoring.server import WILDCARD_BINDS, serve

        if not _is_loopback(host):
            typer.secho(f"warning: serving on {host}, reachable from other machines; the viewer has "
                        "no authentication and shows every prompt and reply.", fg=typer.colors.YELLOW, err=True)
        if host.strip() in WILDCARD_BINDS and not allow_host:
            typer.secho("note: only requests addressed to localhost or 127.0.0.1 are answered; add "
                        "--allow-host NAME for the name other machines use.", fg=typer.colors.YELLOW, err=True)
        try:
            store = open_store(db, artifacts)
        except (StoreError, ValueError) as exc:
            fail(exc)
        try:
            filters = make_source(store, run, env, domain, split, models).filters
            shown = f"[{host}]" if ":" in host else host
            typer.echo(f"viewer on http://{shown}:{port}/index.html (Ctrl-C to stop)", err=True)
            serve(store, host=host, port=port, filters=filters, allow_hosts=allow_host or ())
        except StoreError as exc:
            fail(exc)
        finally:
            store.close()
