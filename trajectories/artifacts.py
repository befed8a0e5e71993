"""Content-addressed blob store on disk (screenshots, large JSON payloads).

A blob lives at `<root>/<h[0:2]>/<h>` where h is the sha256 of its bytes, so equal blobs are
stored once. One level of 256 shard directories, as git's object store: they all exist after
the first few hundred blobs (a second level would create a new directory for nearly every blob
of the first hundred thousand), and a million blobs make 4,000 entries per directory. Writes go to a temporary file in the target directory and are renamed
into place: a process killed mid-write leaves at most a stray `*.tmp` file, never a truncated
blob under a valid name. Readers verify nothing but the name, so `verify()` exists for audits.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
import time
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ArtifactNotFoundError(KeyError):
    """No blob with this sha256 in the store."""

    def __init__(self, sha256: str, root: Path):
        self.sha256 = sha256
        self.message = f"no artifact {sha256!r} in {root}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def as_bytes(data: bytes | bytearray | memoryview) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"artifact data must be bytes, not {type(data).__name__}")
    return bytes(data)


def check_sha256(sha256: str) -> str:
    """Validate a hash before it becomes part of a path (callers may pass user input)."""
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return sha256


class ArtifactStore:
    """Sharded, deduplicated, atomically written blobs keyed by sha256."""

    def __init__(self, root: str | os.PathLike[str], *, fsync: bool = False):
        # fsync=False is safe against a killed process (the page cache survives it) but not
        # against power loss; turn it on where that matters more than throughput.
        self.root = Path(root)
        self.fsync = fsync
        self._root = str(self.root)
        self._known_dirs: set[str] = set()  # shard directories known to exist

    def path(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store `data`; return its sha256. Storing the same bytes twice writes once."""
        data = as_bytes(data)
        digest = sha256_hex(data)
        self.write(digest, data)
        return digest

    def write(self, digest: str, data: bytes) -> None:
        """Store `data` under its already computed sha256 `digest` (see `put`)."""
        check_sha256(digest)
        # Plain strings and os calls: this runs once per stored step.
        shard = os.path.join(self._root, digest[:2])
        target = os.path.join(shard, digest)
        if os.path.isfile(target):
            return
        if shard not in self._known_dirs:
            os.makedirs(shard, exist_ok=True)
            self._known_dirs.add(shard)
        # A name only this thread uses; a leftover from a killed process is simply overwritten.
        tmp = os.path.join(shard, f".{digest[:16]}.{os.getpid()}.{threading.get_ident()}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
        try:
            fd = os.open(tmp, flags, 0o644)
        except FileNotFoundError:  # the shard directory was removed behind our back
            os.makedirs(shard, exist_ok=True)
            fd = os.open(tmp, flags, 0o644)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                if self.fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, target)  # atomic; a concurrent writer of the same bytes is harmless
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def get(self, sha256: str) -> bytes:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise ArtifactNotFoundError(sha256, self.root) from None

    def verify(self, sha256: str) -> bool:
        """True when the blob exists and its bytes still hash to its name."""
        try:
            return sha256_hex(self.get(sha256)) == sha256
        except ArtifactNotFoundError:
            return False

    def remove_stray_temporaries(self, min_age_s: float = 3600.0) -> int:
        """Delete `*.tmp` files left by killed writers; returns how many.

        Only files older than `min_age_s` go, so a live writer's file is left alone.
        """
        count = 0
        cutoff = time.time() - min_age_s
        if self.root.is_dir():
            for tmp in self.root.glob("*/.*.tmp"):
                try:
                    if tmp.stat().st_mtime <= cutoff:
                        tmp.unlink()
                        count += 1
                except FileNotFoundError:
                    pass
        return count
