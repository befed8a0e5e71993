"""Static site builds: incremental copies and lost screenshots (no browser needed)."""
from __future__ import annotations

from scoring.site import build_site
from scoring.site.build import sniff_mime
from scoring.source import StoreSource


def test_rebuild_copies_nothing_new_and_a_lost_blob_is_reported(tmp_path, make_store) -> None:
    store, _ = make_store(tmp_path)
    first = build_site(StoreSource(store), tmp_path / "site")
    assert first.artifacts_copied == 4 and first.artifacts_missing == [] and first.pages == 11
    again = build_site(StoreSource(store), tmp_path / "site")
    assert again.artifacts_copied == 0 and again.artifacts_missing == []

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
