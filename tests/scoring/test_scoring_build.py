"""Static site builds: incremental copies and lost screenshots (no browser needed)."""
from __future__ import annotations

import pytest

from scoring.leaderboard import Filters, build_rows
from scoring.site import build_site
from scoring.site.build import sniff_mime
from scoring.source import StoreSource


def test_rebuild_copies_nothing_new_and_a_lost_blob_is_reported(tmp_path, make_store) -> None:
    store, _ = make_store(tmp_path)
    first = build_site(StoreSource(store), tmp_path / "site")
    assert first.artifacts_copied == 4 and first.artifacts_missing == [] and first.pages == 11
    again = build_site(StoreSource(store), tmp_path / "site")
    assert again.artifacts_copied == 0 and again.artifacts_missing == []
    # A narrower build into the same directory leaves no stale episode pages behind.
    narrow = build_site(StoreSource(store, Filters(models=["oracle"])), tmp_path / "site")
    assert narrow.episodes == 1 and len(list((tmp_path / "site" / "episodes").glob("*.html"))) == 1

    # Lose one screenshot from the artifact store: the site still builds and says what is missing.
    shots = sorted((tmp_path / "site" / "artifacts").iterdir())
    lost = shots[0].name.split(".")[0]
    store.artifacts.path(lost).unlink()
    report = build_site(StoreSource(store), tmp_path / "site2")
    assert report.artifacts_missing == [lost] and report.artifacts_copied == 3
    pages = [p.read_text() for p in (tmp_path / "site2" / "episodes").glob("*.html")]
    assert len(pages) == 9 and any(f"../artifacts/{lost}.bin" in p for p in pages)
    assert all(f"{lost}.png" not in p for p in pages)


def test_sniff_mime() -> None:
    assert sniff_mime(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff_mime(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff_mime(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert sniff_mime(b"<svg onload=alert(1)>") is None


@pytest.mark.postgres
def test_same_figures_and_pages_from_postgresql(tmp_path, make_pg_database, seed, make_store) -> None:
    from trajectories.store import TrajectoryStore

    pg = TrajectoryStore(make_pg_database(), tmp_path / "pg-artifacts")
    try:
        pg.upgrade()
        seed(pg)
        lite, _ = make_store(tmp_path)
        figures = lambda store: [
            (r.model, r.env, r.domain, r.episodes, r.successes, r.ci_low, r.ci_high, r.infra_errors, r.cost_usd)
            for r in build_rows(StoreSource(store).episodes())]
        assert figures(pg) == figures(lite)
        report = build_site(StoreSource(pg), tmp_path / "pg-site")
        assert report.pages == 11 and report.artifacts_copied == 4 and report.artifacts_missing == []
    finally:
        pg.close()
