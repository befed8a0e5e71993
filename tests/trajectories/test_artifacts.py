"""Content-addressed artifact store: sharding, dedupe, atomic writes, hash validation."""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from trajectories import artifacts as artifacts_mod
from trajectories.artifacts import ArtifactNotFoundError, FolderArtifacts


def test_put_get_sharded_and_deduplicated(tmp_path: Path) -> None:
    store = FolderArtifacts(tmp_path)
    data = os.urandom(4096)
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.path(sha) == tmp_path / sha[:2] / sha
    assert store.get(sha) == data and store.exists(sha) and store.verify(sha)
    mtime = store.path(sha).stat().st_mtime_ns
    assert store.put(bytearray(data)) == sha  # same bytes: no second write
    assert store.path(sha).stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [sha]
    assert store.put(b"") == hashlib.sha256(b"").hexdigest()


def test_rejects_bad_input(tmp_path: Path) -> None:
    store = FolderArtifacts(tmp_path)
    for bad in ("../../etc/passwd", "A" * 64, "a" * 63, ""):
        with pytest.raises(ValueError, match="not a sha256"):
            store.get(bad)
    with pytest.raises(TypeError, match="must be bytes"):
        store.put("text")  # type: ignore[arg-type]
    with pytest.raises(ArtifactNotFoundError, match="no artifact"):
        store.get("0" * 64)
    assert not store.verify("0" * 64)


def test_failed_write_leaves_nothing_under_a_valid_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FolderArtifacts(tmp_path)

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(artifacts_mod.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.put(b"payload")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # the temporary file is gone too


def test_corruption_is_detected_and_strays_cleaned(tmp_path: Path) -> None:
    store = FolderArtifacts(tmp_path)
    sha = store.put(b"original")
    store.path(sha).write_bytes(b"tampered")
    assert not store.verify(sha)
    stray = store.path(sha).parent / ".deadbeef.x.tmp"
    stray.write_bytes(b"half")
    assert store.remove_stray_temporaries(min_age_s=3600) == 0  # maybe a live writer: kept
    os.utime(stray, (0, 0))
    assert store.remove_stray_temporaries(min_age_s=3600) == 1 and not stray.exists()


def test_concurrent_writers_of_the_same_blob(tmp_path: Path) -> None:
    store = FolderArtifacts(tmp_path)
    data = os.urandom(200_000)
    shas: list[str] = []
    threads = [threading.Thread(target=lambda: shas.append(store.put(data))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(shas)) == 1 and store.verify(shas[0])
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
