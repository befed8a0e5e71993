"""The export reads the store the same way on SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from tests.export.conftest import SECRET_ENV, read_jsonl
from tests.export.qwen_template import IMAGE_PAD, load_template, read_trl, render
from tests.export.seed import seed_store, spec_provider
from trajectories.export import ExportOptions, export_trajectories, verify_manifest
from trajectories.store import TrajectoryStore


def test_export_from_each_backend(db_url: str, tmp_path: Path) -> None:
    store = TrajectoryStore(db_url, tmp_path / "artifacts")
    store.upgrade()
    try:
        seeded = seed_store(store)
        report = export_trajectories(store, ExportOptions(format="trl", out_dir=tmp_path / "out", pairs=True),
                                     spec_provider=spec_provider, environ=SECRET_ENV)
    finally:
        store.close()
    assert (report.samples, report.pairs) == (5, 2)
    index = read_jsonl(tmp_path / "out" / "meta" / "episodes.jsonl")
    assert seeded.episodes["gpt"] in {m["episode_id"] for m in index}
    template = load_template()
    for rec in read_jsonl(tmp_path / "out" / "data.jsonl"):
        messages, tools, n_images = read_trl(rec)
        assert render(template, messages, tools).count(IMAGE_PAD) == n_images
    assert verify_manifest(tmp_path / "out") == []
