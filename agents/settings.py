"""Where things live by default, and the shared CLI options that pick them."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from trajectories.artifacts import DEFAULT_ARTIFACTS_DIR, default_artifacts_spec

DEFAULT_DB_URL = "sqlite:///agent_runs/agents.db"

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="AGENTS_DB", help="Database URL (sqlite:///PATH or postgresql+psycopg://…). Default: sqlite:///agent_runs/agents.db"),
]
ArtifactsOption = Annotated[
    str | None,
    typer.Option("--artifacts", envvar="AGENTS_ARTIFACTS", help="Where screenshots and other blobs go: a folder, 'db' (the store's database) or s3://bucket/prefix. Default: the database when --db is PostgreSQL, else agent_runs/artifacts"),
]


def resolve_db_url(db: str | None) -> str:
    url = db or os.environ.get("AGENTS_DB") or DEFAULT_DB_URL
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    elif url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def resolve_artifacts(artifacts: str | None, db_url: str | None = None) -> str:
    """The `--artifacts` value to use: as given, else AGENTS_ARTIFACTS, else the default for the store."""
    return (artifacts or os.environ.get("AGENTS_ARTIFACTS")
            or (default_artifacts_spec(db_url) if db_url else DEFAULT_ARTIFACTS_DIR))


def open_store(db: str | None = None, artifacts: str | None = None, upgrade: bool = True):
    """Open the trajectory store, creating/upgrading the schema when asked."""
    from trajectories.store import TrajectoryStore

    url = resolve_db_url(db)
    store = TrajectoryStore(url, resolve_artifacts(artifacts, url))
    if upgrade:
        store.upgrade()
    return store
