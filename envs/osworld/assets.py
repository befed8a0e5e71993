"""The asset cache: the input and expected files OSWorld's tasks download, kept on disk.

OSWorld downloads a task's files while setting it up (`download` steps, `cloud_file` getters,
the empty Chrome history of `update_browse_history`). Here nothing is downloaded at run time:
every such file must already be in the cache folder, at `<host>/<path>` of its URL (the layout
`wget -x` makes, so the cache can be filled by any means), e.g.
`huggingface.co/datasets/xlangai/ubuntu_osworld_file_cache/resolve/main/chrome/x/a.xlsx`.
A URL's query (`?download=true`) is not part of its cache path.

The folder is `--assets DIR`, else OSWORLD_ASSETS, else ~/.cache/agentic-bench/osworld-assets.
`python -m agents osworld fetch-assets` fills it (envs/osworld/fetch.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from envs.osworld.task import DownloadParams, OSWorldTask, UpdateBrowseHistoryParams
from envs.osworld_lite.config_steps import EMPTY_HISTORY_URL

ASSETS_ENV = "OSWORLD_ASSETS"
DEFAULT_ASSETS = Path("~/.cache/agentic-bench/osworld-assets")
ASSET_GETTERS = ("cloud_file",)   # getters that read the asset cache (envs/osworld_lite/getters)


class AssetError(ValueError):
    """A URL that cannot name a cache file (not http/https, or a path escaping the cache)."""


def resolve_assets_dir(assets: str | Path | None = None) -> Path:
    return Path(assets or os.environ.get(ASSETS_ENV) or DEFAULT_ASSETS).expanduser().resolve()


def relative_path(url: str) -> PurePosixPath:
    """`https://host/a/b.xlsx?x=1` → `host/a/b.xlsx` (wget -x; the port and query are not part of
    it), refusing what would leave the cache. The same rule as the `cloud_file` getter's."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AssetError(f"not an http(s) URL: {url!r}")
    segments = [s for s in unquote(parts.path).split("/") if s]
    if not segments or any(s in (".", "..") or "\0" in s for s in segments):
        raise AssetError(f"URL path cannot name a cache file: {url!r}")
    return PurePosixPath(parts.hostname, *segments)


@dataclass(frozen=True)
class AssetCache:
    root: Path

    @classmethod
    def at(cls, assets: str | Path | None = None) -> AssetCache:
        return cls(resolve_assets_dir(assets))

    def path(self, url: str) -> Path:
        return self.root / relative_path(url)

    def has(self, url: str) -> bool:
        try:
            p = self.path(url)
        except AssetError:
            return False
        return p.is_file() and not p.is_symlink()

    def read(self, url: str) -> bytes:
        """The cached file's bytes; FileNotFoundError names the URL and where it belongs."""
        if not self.has(url):
            raise FileNotFoundError(f"asset not in the cache: {url} (expected at {self.path(url)}; "
                                    "fill it with `python -m agents osworld fetch-assets`)")
        return self.path(url).read_bytes()

    def missing(self, urls: list[str]) -> list[str]:
        return [u for u in urls if not self.has(u)]


def task_asset_urls(task: OSWorldTask) -> list[str]:
    """Every URL the task's setup, postconfig and getters would download, in order, once each."""
    urls: list[str] = []
    for step in task.all_steps():
        if isinstance(step.parameters, DownloadParams):
            urls += [f.url for f in step.parameters.files]
        elif isinstance(step.parameters, UpdateBrowseHistoryParams):
            urls.append(EMPTY_HISTORY_URL)
    for spec in task.evaluator.getter_specs():
        if spec.type in ASSET_GETTERS:
            data = spec.as_dict()
            path = data.get("path")
            urls += [str(p) for p in (path if isinstance(path, list) else [path]) if p]
    return list(dict.fromkeys(urls))
