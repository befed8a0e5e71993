"""MIT-MAGIC-COOKIE-1 access control for the episodes' X servers.

Xvfb also listens on an abstract Unix socket, which carries no file permissions: without a
cookie any local process could connect to an episode's display and type into it. Each X
server gets a random cookie (`-auth`); the sandbox gets it in its own Xauthority file; this
process's X clients (python-xlib, mss) find it in a process-wide Xauthority file that
XAUTHORITY points to. The file format is libXau's: big-endian 16-bit lengths and fields.
"""
from __future__ import annotations

import atexit
import os
import shutil
import socket
import struct
import tempfile
import threading
from pathlib import Path

FAMILY_LOCAL = 256
FAMILY_WILD = 65535
COOKIE_NAME = b"MIT-MAGIC-COOKIE-1"

_lock = threading.Lock()
_entries: dict[int, bytes] = {}           # display number -> cookie, for this process's clients
_client_file: Path | None = None


def new_cookie() -> bytes:
    return os.urandom(16)


def encode(entries: list[tuple[int, bytes, bytes, bytes]]) -> bytes:
    """Xauthority bytes for (family, address, display number, cookie) entries."""
    out = b""
    for family, address, number, cookie in entries:
        out += struct.pack(">H", family)
        for field in (address, number, COOKIE_NAME, cookie):
            out += struct.pack(">H", len(field)) + field
    return out


def write_file(path: Path, entries: list[tuple[int, bytes, bytes, bytes]]) -> None:
    """Write an Xauthority file atomically (readers never see half a file), mode 0600."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".xauth-")
    with os.fdopen(fd, "wb") as f:
        f.write(encode(entries))
    os.replace(tmp, path)


def _client_path() -> Path:
    global _client_file
    if _client_file is None:
        folder = Path(tempfile.mkdtemp(prefix="osworld-lite-xauth-"))
        atexit.register(shutil.rmtree, folder, True)
        _client_file = folder / "Xauthority"
        write_file(_client_file, [])
        # python-xlib and libxcb read XAUTHORITY when they connect.
        os.environ["XAUTHORITY"] = str(_client_file)
    return _client_file


def _rewrite() -> None:
    host = socket.gethostname().encode()
    write_file(_client_path(), [(FAMILY_LOCAL, host, str(n).encode(), c) for n, c in sorted(_entries.items())])


def allow_clients(number: int, cookie: bytes) -> None:
    """Let this process's X clients authenticate to display `number`."""
    with _lock:
        _entries[number] = cookie
        _rewrite()


def forget(number: int) -> None:
    with _lock:
        if _entries.pop(number, None) is not None:
            _rewrite()


def sandbox_entries(number: int, cookie: bytes, hostname: str) -> list[tuple[int, bytes, bytes, bytes]]:
    """Entries for the sandbox's own Xauthority file (its UTS namespace has its own hostname)."""
    num = str(number).encode()
    return [(FAMILY_LOCAL, hostname.encode(), num, cookie), (FAMILY_WILD, b"", num, cookie)]
