"""Writing the static site: pages plus the screenshots they show, all linked relatively.

The result opens from disk (file://) with no server and no network: the stylesheet and every
screenshot are files next to the pages. Artifacts are content-addressed, so a rebuild into
the same directory only copies screenshots it does not have yet.
"""
from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache
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


def build_site(source: StoreSource, out_dir: str | Path) -> BuildReport:
    """Render the leaderboard, the task matrix and every episode page into `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    episodes = source.episodes()
    _write(out / "style.css", stylesheet())
    _write(out / "index.html", render_index(episodes, source.runs(episodes), root=""))
    _write(out / "tasks.html", render_tasks(episodes, root=""))

    mime = lru_cache(maxsize=None)(source.mime)
    wanted: set[str] = set()

    def image_url(sha: str) -> str:
        wanted.add(sha)
        return f"../artifacts/{artifact_name(sha, mime(sha))}"

    for ep in episodes:
        view = source.episode_view(ep, image_url)
        _write(out / "episodes" / page_name(ep.episode_id), render_episode(view, root="../"))

    copied, missing = 0, []
    for sha in sorted(wanted):
        target = out / "artifacts" / artifact_name(sha, mime(sha))
        if target.is_file():
            continue
        try:
            data, _ = source.artifact(sha)
        except Exception as exc:  # a lost blob must not stop the rest of the site
            log.warning("artifact %s is missing: %s", sha, exc)
            missing.append(sha)
            continue
        _write(target, data)
        copied += 1
    return BuildReport(out_dir=str(out), episodes=len(episodes), pages=len(episodes) + 2,
                       artifacts_copied=copied, artifacts_missing=missing)
