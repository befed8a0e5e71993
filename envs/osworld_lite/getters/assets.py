"""Getters that read files the evaluation does not take from the sandbox.

* `cloud_file`: OSWorld downloads the expected file from its URL at scoring time. Here nothing
  is downloaded while scoring: the file comes from the asset cache, a folder that holds each
  URL's file at `<host>/<path>` (the layout `wget -x` writes), so any means can fill it. The
  folder is the session option `osworld_assets`, else `$OSWORLD_ASSETS`, else
  `~/.cache/agentic-bench/osworld-assets`. A missing asset is an infrastructure fault (the
  task should not have been runnable), never the agent's.
* `cache_file`: a file in the episode's cache folder, where OSWorld's `execute` steps write
  their `stdout`/`stderr` files (`session.cache_dir` when the session has one, else the
  evaluation folder).
* `content_from_vm_file`: the last row of a spreadsheet in the sandbox, as strings.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from envs.errors import InfrastructureError
from envs.osworld_lite.getters import getter, given, paths_and_dests, read_vm_file
from envs.osworld_lite.session import DesktopSession

DEFAULT_ASSETS = "~/.cache/agentic-bench/osworld-assets"


def assets_dir(options: dict[str, Any] | None = None) -> Path:
    """The asset cache folder: option `osworld_assets`, else $OSWORLD_ASSETS, else the default."""
    chosen = (options or {}).get("osworld_assets") or os.environ.get("OSWORLD_ASSETS") or DEFAULT_ASSETS
    return Path(os.path.expanduser(str(chosen)))


def asset_path(url: str, root: Path) -> Path:
    """Where the asset cache holds `url`: `<root>/<host>/<path>` (percent-decoded, as wget -x)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    rel = unquote(parts.path).lstrip("/")
    segments = [s for s in rel.split("/") if s]
    if not segments or any(s in (".", "..") for s in segments):
        raise ValueError(f"URL path cannot name a cached file: {url!r}")
    return root.joinpath(parts.hostname, *segments)


def _session_options(session: DesktopSession) -> dict[str, Any]:
    options = getattr(session, "options", None)
    return options if isinstance(options, dict) else {}


@getter("cloud_file")
def cloud_file(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """OSWorld's cloud_file from the asset cache: each file lands in the evaluation folder under
    its `dest` name (an existing file of that name is kept, as OSWorld keeps its cached copy)."""
    urls, dests, gives = paths_and_dests(spec)
    root = assets_dir(_session_options(session))
    out: list[str | None] = []
    for i, (url, dest) in enumerate(zip(urls, dests, strict=True)):
        local = workdir / dest
        if not local.exists():
            src = asset_path(str(url), root)
            if not src.is_file():
                raise InfrastructureError(f"asset missing from the cache {root}: {url} (expected at {src})")
            shutil.copyfile(src, local)
        if i in gives:
            out.append(str(local))
    return given(out)


@getter("cache_file")
def cache_file(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """A file in the episode's cache folder (e.g. an `execute` step's `stdout` file).
    OSWorld asserts it exists; a step that did not write it is a harness fault here."""
    base = Path(getattr(session, "cache_dir", None) or workdir)
    rel = str(spec["path"])
    if rel.startswith("/") or ".." in Path(rel).parts:
        raise ValueError(f"cache_file path must be relative to the cache folder: {rel!r}")
    path = base / rel
    if not path.is_file():
        raise InfrastructureError(f"cache_file {rel!r} was not written to the episode's cache folder")
    return str(path)


@getter("content_from_vm_file")
def content_from_vm_file(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """OSWorld's content_from_vm_file: `file_type` xlsx with `file_content` last_row gives the
    last data row of the first sheet (pandas' reading, header row excluded) as strings."""
    if spec.get("file_type") != "xlsx" or spec.get("file_content") != "last_row":
        raise ValueError(f"content_from_vm_file supports file_type xlsx / file_content last_row only, "
                         f"as OSWorld: {spec.get('file_type')!r}/{spec.get('file_content')!r}")
    data = read_vm_file(session, str(spec["path"]))
    if data is None:
        return None  # OSWorld would fail to read it; the task scores 0
    local = workdir / os.path.basename(str(spec["path"]))
    local.write_bytes(data)
    import pandas as pd  # a heavy import, only for the tasks that need it

    from envs.osworld_lite.metrics.safe_files import check_archive
    check_archive(local)
    df = pd.read_excel(local)
    return df.iloc[-1].astype(str).tolist()
