"""Filling the asset cache: download what chosen tasks need (`agents osworld fetch-assets`).

For each URL a task needs (envs/osworld/assets.py) that the cache lacks, the file is fetched
with httpx (from `MIRROR/host/path` when a mirror is given, OSWorld's URL otherwise), written
to `<cache>/<host>/<path>.part` and renamed into place only once complete and verified, so an
interrupted fetch never leaves a half file where a task would read it; a later fetch resumes
a `.part` file with an HTTP Range request when the server allows it. Verification: the
`Content-Length` (when given) matches, the body is not empty, and a file whose extension
promises a format (xlsx/docx/pptx/zip as ZIP, pdf, png, jpeg, gif, sqlite) starts with that
format's signature (an HTML error page saved as `x.xlsx` is refused).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from envs.osworld.assets import AssetCache, AssetError

CHUNK = 1 << 16
# Extension → the bytes such a file starts with.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    **dict.fromkeys((".xlsx", ".docx", ".pptx", ".zip", ".odt", ".ods", ".odp", ".oxt", ".jar", ".epub"),
                    (b"PK\x03\x04", b"PK\x05\x06")),
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".sqlite": (b"SQLite format 3\x00",),
    ".xls": (b"\xd0\xcf\x11\xe0",), ".doc": (b"\xd0\xcf\x11\xe0",), ".ppt": (b"\xd0\xcf\x11\xe0",),
}


class FetchError(RuntimeError):
    """One asset could not be fetched or failed verification; the message says which and why."""


def mirrored(url: str, mirror: str | None) -> str:
    """`https://host/path?q` → `MIRROR/host/path?q` (OSWorld's URL when no mirror is given)."""
    if not mirror:
        return url
    parts = urlsplit(url)
    tail = f"{parts.hostname}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    return f"{mirror.rstrip('/')}/{tail}"


def verify(path: Path, url: str) -> None:
    """Raise FetchError when the file cannot be the asset `url` names."""
    size = path.stat().st_size
    if size == 0:
        raise FetchError(f"{url}: the download is empty")
    expected = SIGNATURES.get(Path(urlsplit(url).path).suffix.lower())
    if expected:
        with path.open("rb") as f:
            head = f.read(16)
        if not any(head.startswith(sig) for sig in expected):
            raise FetchError(f"{url}: the download is not a {Path(urlsplit(url).path).suffix} file "
                             f"(it starts with {head[:8]!r}; an error page?)")


@dataclass
class FetchReport:
    present: list[str] = field(default_factory=list)      # already in the cache
    fetched: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # url → why

    @property
    def missing(self) -> list[str]:
        return list(self.failed)


def fetch_one(client: httpx.Client, cache: AssetCache, url: str, mirror: str | None = None) -> None:
    dest = cache.path(url)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    source = mirrored(url, mirror)
    try:
        with client.stream("GET", source, headers=headers) as resp:
            if resp.status_code == 416 and offset:  # the .part file is already whole
                pass
            elif resp.status_code not in (200, 206):
                raise FetchError(f"{url}: HTTP {resp.status_code} from {source}")
            else:
                resume = resp.status_code == 206 and offset > 0
                total = resp.headers.get("content-length")
                with part.open("ab" if resume else "wb") as f:
                    for chunk in resp.iter_bytes(CHUNK):
                        f.write(chunk)
                    f.flush()
                    os.fsync(f.fileno())
                if total is not None:
                    want = int(total) + (offset if resume else 0)
                    if part.stat().st_size != want:
                        raise FetchError(f"{url}: got {part.stat().st_size} bytes, the server announced {want} "
                                         "(the partial file is kept; run fetch-assets again to resume)")
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc} (from {source})") from exc
    try:
        verify(part, url)
    except FetchError:
        part.unlink(missing_ok=True)  # a wrong file is not worth resuming
        raise
    os.replace(part, dest)  # atomic: a task never sees a half-written asset


def fetch_assets(cache: AssetCache, urls: Iterable[str], *, mirror: str | None = None,
                 timeout_s: float = 60.0, progress: Callable[[str, str], None] | None = None) -> FetchReport:
    """Fetch every URL the cache lacks; what failed is reported, nothing is raised for it."""
    report = FetchReport()
    with httpx.Client(follow_redirects=True, timeout=timeout_s) as client:
        for url in dict.fromkeys(urls):
            try:
                if cache.has(url):
                    report.present.append(url)
                    continue
                fetch_one(client, cache, url, mirror)
                report.fetched.append(url)
                status = "fetched"
            except (FetchError, AssetError, OSError) as exc:
                report.failed[url] = str(exc)
                status = "failed"
            if progress:
                progress(status, url)
    return report
