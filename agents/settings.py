"""Where things live by default, and the shared CLI options that pick them."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_DB_URL = "sqlite:///agent_runs/agents.db"
DEFAULT_ARTIFACTS = "agent_runs/artifacts"

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="AGENTS_DB", help="Database URL (sqlite:///PATH or postgresql+psycopg://…). Default: sqlite:///agent_runs/agents.db"),
]
ArtifactsOption = Annotated[
    str | None,
    typer.Option("--artifacts", envvar="AGENTS_ARTIFACTS", help="Artifact (blob) directory. Default: agent_runs/artifacts"),
]


def resolve_db_url(db: str | None) -> str:
    url = db or os.environ.get("AGENTS_DB") or DEFAULT_DB_URL
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    elif url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def resolve_artifacts(artifacts: str | None) -> Path:
    return Path(artifacts or os.environ.get("AGENTS_ARTIFACTS") or DEFAULT_ARTIFACTS)


def open_store(db: str | None = None, artifacts: str | None = None, upgrade: bool = True):
    """Open the trajectory store, creating/upgrading the schema when asked."""
    from trajectories.store import TrajectoryStore

    store = TrajectoryStore(resolve_db_url(db), resolve_artifacts(artifacts))
    if upgrade:
        store.upgrade()
    return store
