"""Content-addressed blob stores for screenshots and large payloads, wherever they live.

Every blob is named by the sha256 of its bytes, so equal blobs are stored once and the same name
means the same bytes on every machine. Three places hold them, all behind `ArtifactBackend`:

* `FolderArtifacts` (the default, `--artifacts DIR`): `<root>/<h[0:2]>/<h>`. One level of 256
  shard directories, as git's object store: they all exist after the first few hundred blobs (a
  second level would create a new directory for nearly every blob of the first hundred
  thousand), and a million blobs make 4,000 entries per directory. Writes go to a temporary file
  in the target directory and are renamed into place: a process killed mid-write leaves at most
  a stray `*.tmp` file, never a truncated blob under a valid name.
* `DatabaseArtifacts` (`--artifacts db`; the default when the store is PostgreSQL): the
  `artifact_blobs` table of the store's own database, so every machine that reaches the
  database reaches the screenshots.
* `S3Artifacts` (`--artifacts s3://bucket/prefix`): an S3-compatible bucket through boto3, at
  `<prefix>/<h[0:2]>/<h>`; credentials and endpoint come from boto3's own configuration
  (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT_URL` for MinIO/Ceph/…).

`open_artifacts(spec, engines)` picks one from the `--artifacts` value. Readers verify nothing
but the name, so `verify()` exists for audits.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from trajectories.db import Engines

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ArtifactNotFoundError(KeyError):
    """No blob with this sha256 in the store."""

    def __init__(self, sha256: str, root: Path | str):
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


DATABASE_SPEC = "db"


class ArtifactBackend(Protocol):
    """Where blobs live. `location` is the `--artifacts` value that reopens the same place."""

    location: str

    def put(self, data: bytes) -> str: ...
    def write(self, digest: str, data: bytes) -> None: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...
    def verify(self, sha256: str) -> bool: ...
    def is_node_local(self) -> bool: ...


class _ContentAddressed:
    """What every backend shares: hashing on put, audits by rehashing."""

    location: str

    def put(self, data: bytes) -> str:
        """Store `data`; return its sha256. Storing the same bytes twice writes once."""
        data = as_bytes(data)
        digest = sha256_hex(data)
        self.write(digest, data)
        return digest

    def write(self, digest: str, data: bytes) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def get(self, sha256: str) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError

    def verify(self, sha256: str) -> bool:
        """True when the blob exists and its bytes still hash to its name."""
        try:
            return sha256_hex(self.get(sha256)) == sha256
        except ArtifactNotFoundError:
            return False

    def is_node_local(self) -> bool:
        """True when other machines cannot read these blobs (a folder on this machine's disk)."""
        return False


class FolderArtifacts(_ContentAddressed):
    """Sharded, deduplicated, atomically written blobs keyed by sha256, in a folder."""

    def __init__(self, root: str | os.PathLike[str], *, fsync: bool = False):
        # fsync=False is safe against a killed process (the page cache survives it) but not
        # against power loss; turn it on where that matters more than throughput.
        self.root = Path(root)
        self.location = str(self.root)
        self.fsync = fsync
        self._root = str(self.root)
        self._known_dirs: set[str] = set()  # shard directories known to exist

    def path(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def is_node_local(self) -> bool:
        return True

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


class DatabaseArtifacts(_ContentAddressed):
    """Blobs in the store's own database (`artifact_blobs`), reachable wherever the database is."""

    location = DATABASE_SPEC

    def __init__(self, engines: Engines):
        from sqlalchemy import bindparam, select

        from trajectories import models as m

        self._engines = engines
        self._table = m.ArtifactBlob.__table__
        self._select = select(self._table.c.data).where(self._table.c.sha256 == bindparam("sha"))
        dialect = engines.dialect
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        self._insert = insert(self._table).on_conflict_do_nothing()

    def write(self, digest: str, data: bytes) -> None:
        """Store the bytes in their own transaction, before any row that names them."""
        check_sha256(digest)
        from trajectories.db import translate_errors

        with translate_errors(self._engines.url), self._engines.write.begin() as conn:
            conn.execute(self._insert, {"sha256": digest, "data": as_bytes(data)})

    def get(self, sha256: str) -> bytes:
        check_sha256(sha256)
        from trajectories.db import translate_errors

        with translate_errors(self._engines.url), self._engines.read.connect() as conn:
            data = conn.execute(self._select, {"sha": sha256}).scalar()
        if data is None:
            raise ArtifactNotFoundError(sha256, "the database's artifact_blobs table")
        return bytes(data)

    def exists(self, sha256: str) -> bool:
        try:
            self.get(sha256)
        except ArtifactNotFoundError:
            return False
        return True


_S3_MISSING = ("404", "NoSuchKey", "NotFound")


class S3Artifacts(_ContentAddressed):
    """Blobs in an S3-compatible bucket at `s3://bucket/prefix/<h[0:2]>/<h>` (boto3)."""

    def __init__(self, url: str, client: Any = None):
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"not an S3 location: {url!r} (expected s3://bucket/prefix)")
        self.location = url.rstrip("/")
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        if client is None:
            try:
                import boto3
            except ImportError as exc:
                from envs.errors import MissingDependencyError

                raise MissingDependencyError("boto3 (for s3:// artifacts)", "pip install -e '.[s3]'") from exc
            client = boto3.client("s3")
        self._client = client

    def key(self, sha256: str) -> str:
        check_sha256(sha256)
        name = f"{sha256[:2]}/{sha256}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def write(self, digest: str, data: bytes) -> None:
        # A PUT is atomic in S3: readers see the whole object or none. Same name, same bytes,
        # so writing twice is harmless; the HEAD saves the upload of a blob already there.
        if self.exists(digest):
            return
        self._client.put_object(Bucket=self.bucket, Key=self.key(digest), Body=as_bytes(data))

    def get(self, sha256: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            reply = self._client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _S3_MISSING:
                raise ArtifactNotFoundError(sha256, self.location) from None
            raise
        return reply["Body"].read()

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _S3_MISSING:
                return False
            raise
        return True


def default_artifacts_spec(db_url: str) -> str:
    """Where artifacts go when `--artifacts` is not given: beside a PostgreSQL store's rows,
    else the local folder."""
    return DATABASE_SPEC if db_url.startswith("postgresql") else DEFAULT_ARTIFACTS_DIR


DEFAULT_ARTIFACTS_DIR = "agent_runs/artifacts"


def open_artifacts(spec: str | os.PathLike[str], engines: Engines | None = None, *,
                   fsync: bool = False) -> ArtifactBackend:
    """The backend an `--artifacts` value names: `db`, `s3://bucket/prefix`, or a folder."""
    text = str(spec)
    if text == DATABASE_SPEC:
        if engines is None:
            raise ValueError("--artifacts db keeps blobs in the store's database; open it through TrajectoryStore")
        return DatabaseArtifacts(engines)
    if text.startswith("s3://"):
        return S3Artifacts(text)
    if "://" in text:
        raise ValueError(f"unsupported artifact location {text!r}: use a folder, 'db' or s3://bucket/prefix")
    return FolderArtifacts(text, fsync=fsync)
