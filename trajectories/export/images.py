"""Screenshots of exported samples: written once as files, referenced by relative path.

The store keeps screenshots as content-addressed artifacts; an export copies each one it uses
to ``images/<sha256[:2]>/<sha256>.<ext>`` under the output directory (at most once, however
many samples refer to it) so that JSON never carries base64. Formats that embed images
(parquet) read the bytes through `read` instead.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

_EXT = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpg", b"RIFF": "webp", b"GIF8": "gif"}

ArtifactReader = Callable[[str], bytes]


class ImageError(ValueError):
    """A referenced screenshot is missing from the artifact store, corrupt, or not an image."""


def image_ext(data: bytes) -> str:
    for magic, ext in _EXT.items():
        if data.startswith(magic):
            return ext
    raise ImageError("artifact is not a PNG, JPEG, WebP or GIF image")


class ImageSink:
    """Copies referenced artifacts into the export directory and names them."""

    def __init__(self, out_dir: Path, read_artifact: ArtifactReader, subdir: str = "images"):
        self.out_dir = out_dir
        self.subdir = subdir
        self._read = read_artifact
        self._folders: set[str] = set()
        self._cache: dict[str, bytes] = {}
        self.files_written = 0
        self.bytes_written = 0

    def prefetch(self, shas: list[str]) -> None:
        """Read and verify one episode's images before any of it is written (an unusable one
        raises ImageError); they stay in memory until the next episode's prefetch."""
        self._cache = {}
        self._cache = {sha: self.read(sha) for sha in dict.fromkeys(shas)}

    def read(self, sha256: str) -> bytes:
        cached = self._cache.get(sha256)
        if cached is not None:
            return cached
        try:
            data = self._read(sha256)
        except (KeyError, OSError) as exc:   # the store's ArtifactNotFoundError is a KeyError
            raise ImageError(f"screenshot {sha256[:12]}… is missing from the artifact store") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ImageError(f"screenshot {sha256[:12]}… does not match its sha256 (corrupt store?)")
        return data

    def path(self, sha256: str) -> str:
        """The image's path relative to the output directory, writing the file on first use."""
        # The file system is the index of what was written, so memory stays flat; screenshots
        # are PNGs, so one stat usually answers.
        folder = f"{self.subdir}/{sha256[:2]}"
        rel = f"{folder}/{sha256}.png"
        if (self.out_dir / rel).exists():
            return rel
        data = self.read(sha256)
        rel = f"{folder}/{sha256}.{image_ext(data)}"
        target = self.out_dir / rel
        if rel.endswith(".png") or not target.exists():
            if folder not in self._folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(folder)   # at most 256 of them
            target.write_bytes(data)        # a fresh export directory: nobody else writes here
            self.files_written += 1
            self.bytes_written += len(data)
        return rel
