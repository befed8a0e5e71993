"""Artifacts in the database and in an S3 bucket behave as the folder store does."""
from __future__ import annotations

from pathlib import Path

import pytest

from agents.settings import open_store, resolve_artifacts
from trajectories.artifacts import (
    ArtifactNotFoundError, DatabaseArtifacts, FolderArtifacts, S3Artifacts, open_artifacts, sha256_hex,
)
from trajectories.records import RunConfig, StepRecord
from trajectories.store import TrajectoryStore
from tests.support.s3 import s3_server

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def _exercise(backend) -> None:
    sha = backend.put(PNG)
    assert sha == sha256_hex(PNG)
    assert backend.put(PNG) == sha  # the same bytes are stored once
    assert backend.get(sha) == PNG and backend.exists(sha) and backend.verify(sha)
    missing = sha256_hex(b"never stored")
    assert not backend.exists(missing) and not backend.verify(missing)
    with pytest.raises(ArtifactNotFoundError):
        backend.get(missing)
    with pytest.raises(ValueError, match="not a sha256"):
        backend.get("../../etc/passwd")


def _record_a_screenshot(store: TrajectoryStore) -> str:
    run = store.start_run(RunConfig(env="e", agent="noop"))
    episode = store.start_episode(run, "e", "d", "t", "test", 0, 0)
    store.record_step(episode, StepRecord(index=0), artifacts={"screenshot": (PNG, "image/png")})
    [step] = store.get_steps(episode)
    return step.observation_artifacts["screenshot"]


def test_database_artifacts(db_url: str, tmp_path: Path) -> None:
    with TrajectoryStore(db_url, "db") as store:
        store.upgrade()
        assert isinstance(store.artifacts, DatabaseArtifacts) and not store.artifacts.is_node_local()
        _exercise(store.artifacts)
        sha = _record_a_screenshot(store)
        assert store.get_artifact(sha) == PNG and store.get_artifact_info(sha).mime == "image/png"
    with TrajectoryStore(db_url, "db") as again:  # another process, another machine: same bytes
        assert again.get_artifact(sha) == PNG
    assert not any(tmp_path.glob("**/artifacts"))


def test_s3_artifacts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with s3_server(monkeypatch) as location:
        backend = open_artifacts(location)
        assert isinstance(backend, S3Artifacts) and backend.location == location
        _exercise(backend)
        assert backend.key("ab" + "0" * 62) == "artifacts/ab/ab" + "0" * 62
        with TrajectoryStore(f"sqlite:///{tmp_path / 'runs.db'}", location) as store:
            store.upgrade()
            sha = _record_a_screenshot(store)
            assert store.get_artifact(sha) == PNG
        assert open_artifacts(location).get(sha) == PNG


def test_locations_are_parsed_strictly(tmp_path: Path) -> None:
    assert isinstance(open_artifacts(tmp_path / "blobs"), FolderArtifacts)
    assert open_artifacts(tmp_path / "blobs").is_node_local()
    for bad in ("s3://", "ftp://host/x", "gs://bucket/x"):
        with pytest.raises(ValueError):
            open_artifacts(bad)
    with pytest.raises(ValueError, match="store's database"):
        open_artifacts("db")


def test_postgresql_stores_keep_artifacts_in_the_database_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTS_ARTIFACTS", raising=False)
    assert resolve_artifacts(None, "postgresql+psycopg://u@h/db") == "db"
    assert resolve_artifacts(None, "sqlite:///x.db") == "agent_runs/artifacts"
    assert resolve_artifacts("s3://b/p", "postgresql+psycopg://u@h/db") == "s3://b/p"
    monkeypatch.setenv("AGENTS_ARTIFACTS", "/data/blobs")
    assert resolve_artifacts(None, "postgresql+psycopg://u@h/db") == "/data/blobs"


@pytest.mark.postgres
def test_open_store_on_postgresql_writes_no_local_files(make_pg_database, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGENTS_ARTIFACTS", raising=False)
    store = open_store(make_pg_database())
    try:
        assert store.artifacts.location == "db"
        assert store.get_artifact(_record_a_screenshot(store)) == PNG
    finally:
        store.close()
    assert list(tmp_path.iterdir()) == []
