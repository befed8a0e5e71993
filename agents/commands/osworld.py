"""`python -m agents osworld fetch-assets`: fill the asset cache OSWorld's tasks read.

Downloads the files the chosen tasks need (all tasks, `--tasks ID,…` or `--domain D`) that
the cache lacks, from OSWorld's URLs or a `--mirror` (https://host/path → MIRROR/host/path),
verifies each, and reports what is still missing. Exit status 0 when every needed asset is
in the cache, 1 when some are missing.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from envs.errors import UnknownIdError


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="OSWorld's own tasks: the asset cache.", no_args_is_help=True)
    app.add_typer(sub, name="osworld")

    @sub.command("fetch-assets")
    def fetch_assets_cmd(
        osworld_dir: Annotated[Path | None, typer.Option("--osworld-dir", help="OSWorld's evaluation_examples folder (default: $OSWORLD_DIR).")] = None,
        task_file: Annotated[Path | None, typer.Option("--task-file", help="A task file or folder instead of --osworld-dir.")] = None,
        assets: Annotated[Path | None, typer.Option("--assets", help="The asset cache folder (default: $OSWORLD_ASSETS or ~/.cache/agentic-bench/osworld-assets).")] = None,
        tasks: Annotated[str | None, typer.Option(help="Only these task ids (comma-separated).")] = None,
        domain: Annotated[str | None, typer.Option(help="Only this domain.")] = None,
        mirror: Annotated[str | None, typer.Option(help="Fetch https://host/path from MIRROR/host/path instead.")] = None,
        timeout: Annotated[float, typer.Option(help="Seconds per request before giving up.")] = 60.0,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> None:
        """Download the files the chosen tasks need into the asset cache, verified; report what is missing."""
        from envs.osworld.assets import AssetCache, task_asset_urls
        from envs.osworld.fetch import fetch_assets
        from envs.osworld.loader import load_tasks

        chosen = load_tasks(osworld_dir, task_file, domain)
        wanted = [t.strip() for t in (tasks or "").split(",") if t.strip()]
        if wanted:
            by_id = {t.id: t for t in chosen}
            for task_id in wanted:
                if task_id not in by_id:
                    raise UnknownIdError("osworld task", task_id, by_id)
            chosen = [by_id[t] for t in wanted]
        cache = AssetCache.at(assets)
        urls = [u for t in chosen for u in task_asset_urls(t)]
        say = (lambda status, url: None) if as_json else (  # noqa: E731
            lambda status, url: typer.echo(f"{status:8} {url}", err=True))
        report = fetch_assets(cache, urls, mirror=mirror, timeout_s=timeout, progress=say)
        if as_json:
            typer.echo(json.dumps({"cache": str(cache.root), "tasks": len(chosen), "needed": len(set(urls)),
                                   "present": len(report.present), "fetched": len(report.fetched),
                                   "missing": report.failed}, indent=2))
        else:
            typer.echo(f"asset cache {cache.root}: {len(chosen)} task(s) need {len(set(urls))} file(s): "
                       f"{len(report.present)} were there, {len(report.fetched)} fetched, "
                       f"{len(report.failed)} missing")
            for url, why in report.failed.items():
                typer.secho(f"missing: {why}", err=True, fg=typer.colors.YELLOW)
        if report.failed:
            raise typer.Exit(1)
