"""MiniWoB++'s task pages, as the `miniwob` package ships them (no network).

Task ids are the page names (`click-button` for `html/miniwob/click-button.html`), exactly as
MiniWoB++, BrowserGym (`miniwob.click-button`) and Farama's gymnasium ids use them.
"""
from __future__ import annotations

import functools
import importlib.metadata
import re
from pathlib import Path

from envs.errors import UnknownIdError

INSTALL_HINT = "pip install miniwob"


class PagesMissing(RuntimeError):
    """The `miniwob` package (which ships the task pages) is not installed."""


@functools.lru_cache(maxsize=1)
def html_root() -> Path:
    """The package's html/ folder (html/miniwob/*.html, html/core, html/common …).

    Found through the installed distribution, not `import miniwob`: a folder named `miniwob`
    earlier on sys.path (a checkout's tests, say) must not stand in for the package.
    """
    try:
        dist = importlib.metadata.distribution("miniwob")
    except importlib.metadata.PackageNotFoundError as exc:
        raise PagesMissing(f"the MiniWoB++ task pages come with the miniwob package: {INSTALL_HINT}") from exc
    root = Path(str(dist.locate_file("miniwob/html"))).resolve()
    if not (root / "miniwob").is_dir():
        raise PagesMissing(f"{root}/miniwob is missing; reinstall with: {INSTALL_HINT}")
    return root


@functools.lru_cache(maxsize=1)
def task_ids() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in (html_root() / "miniwob").glob("*.html")))


def page_path(task_id: str) -> Path:
    if task_id not in task_ids():
        raise UnknownIdError("miniwob task", task_id, task_ids())
    return html_root() / "miniwob" / f"{task_id}.html"


def page_url(task_id: str) -> str:
    return page_path(task_id).as_uri()


def base_url() -> str:
    """The folder URL that BrowserGym's MINIWOB_URL expects (ends with a slash)."""
    return (html_root() / "miniwob").as_uri() + "/"


@functools.lru_cache(maxsize=None)
def title(task_id: str) -> str:
    """The page's <title> ("Click Button Task"): a description that holds for every seed."""
    text = page_path(task_id).read_text(encoding="utf-8", errors="replace")
    match = re.search(r"<title>(.*?)</title>", text, re.S | re.I)
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else task_id
