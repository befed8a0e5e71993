"""Writing the static site: pages plus the screenshots they show, all linked relatively.

The result opens from disk (file://) with no server and no network: the stylesheet and every
screenshot are files next to the pages. Artifacts are content-addressed, so a rebuild into
the same directory only copies screenshots it does not have yet.
"""
from __future__ import annotations

import logging
import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from scoring.site.render import artifact_name, page_name, render_episode, render_index, render_tasks, stylesheet

if TYPE_CHECKING:
    from scoring.source import StoreSource

log = logging.getLogger(__name__)


class BuildReport(BaseModel):
    out_dir: str
    episodes: int
    pages: int
    artifacts_copied: int
    artifacts_missing: list[str] = []

    @property
    def index(self) -> Path:
        return Path(self.out_dir) / "index.html"


def _write(path: Path, data: str | bytes) -> None:
    """Atomic write, so a reader (or a browser refresh) never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)


def sniff_mime(data: bytes) -> str | None:
    """The image type from its first bytes (saves a database lookup per screenshot)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None


def build_site(source: StoreSource, out_dir: str | Path) -> BuildReport:
    """Render the leaderboard, the task matrix and every episode page into `out_dir`."""
    out = Path(out_dir)
    art_dir = out / "artifacts"
    art_dir.mkdir(parents=True, exist_ok=True)
    episodes = source.episodes()
    _write(out / "style.css", stylesheet())
    _write(out / "index.html", render_index(episodes, source.runs(episodes), root=""))
    _write(out / "tasks.html", render_tasks(episodes, root=""))

    # Screenshots already copied by an earlier build (names are "<sha256>.<ext>").
    names = {p.name.split(".", 1)[0]: p.name for p in art_dir.iterdir() if not p.name.startswith(".")}
    copied, missing = 0, []

    def image_url(sha: str) -> str:
        """Copy the artifact on first sight (its bytes tell its type) and link to the copy."""
        nonlocal copied
        name = names.get(sha)
        if name is None:
            try:
                data = source.blob(sha)
                mime = sniff_mime(data) or source.mime(sha)
            except Exception as exc:  # a lost blob must not stop the rest of the site
                log.warning("artifact %s is missing: %s", sha, exc)
                missing.append(sha)
                name = names[sha] = artifact_name(sha, "application/octet-stream")
                return f"../artifacts/{name}"
            name = names[sha] = artifact_name(sha, mime)
            _write(art_dir / name, data)
            copied += 1
        return f"../artifacts/{name}"

    by_task: dict[tuple[str, str, str], list] = defaultdict(list)
    for ep in episodes:
        by_task[ep.task_key].append(ep)
    written: set[str] = set()
    for ep in episodes:
        view = source.episode_view(ep, image_url)
        page = render_episode(view, by_task[ep.task_key], root="../")
        name = page_name(ep.episode_id)
        _write(out / "episodes" / name, page)
        written.add(name)
    # Pages of an earlier build that this one no longer covers would be stale: remove them.
    if (out / "episodes").is_dir():
        for old in (out / "episodes").glob("*.html"):
            if old.name not in written:
                old.unlink()
    return BuildReport(out_dir=str(out), episodes=len(episodes), pages=len(episodes) + 2,
                       artifacts_copied=copied, artifacts_missing=missing)
