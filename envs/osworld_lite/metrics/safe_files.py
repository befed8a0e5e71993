"""Limits on the files metrics read: agent-made archives, XML parts and plain-text results.

Metrics parse files the agent wrote (.xlsx, .docx, .pptx, .odt are zip archives of XML parts)
on the host, so every metric calls these checks before handing a file to a parser. A file over
a limit raises `RefusedFileError`, a ValueError: the evaluator scores the metric 0 and records
the reason.

* `check_archive(path)`: a zip archive must have at most `max_members` members, a small central
  directory, at most `max_total_bytes` uncompressed (declared in the headers and counted while
  every member is actually decompressed, with the budget enforced as it streams), no member
  over `max_ratio`:1 once larger than `ratio_floor_bytes`, no DTD or entity declaration (the
  "billion laughs") in UTF-8, UTF-16 or UTF-32, and no XML declaration naming another encoding
  (one the byte scan could not read). Every member is scanned, whatever its name, so an SVG image
  with a DOCTYPE is refused too; only opaque `*.bin` parts (printer settings, embedded OLE
  objects), which no reader parses as XML, are not scanned for declarations (PowerPoint's printer
  settings hold a macOS plist with a DOCTYPE). A file that is not a zip archive is left to the parser.
* `check_size(path, limit)`: a file read whole (text, CSV, JSON, images) is at most `limit` bytes.
"""
from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MiB = 1024 * 1024
MAX_TEXT_BYTES = 32 * MiB
MAX_IMAGE_BYTES = 64 * MiB

_EOCD = struct.Struct("<4s4H2LH")           # end of central directory record
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_CENTRAL_ENTRY_BYTES = 46 + 3 * 1024        # fixed part plus generous name/extra/comment
_CHUNK = 1 * MiB
_UNICODE = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
# Encodings in which "<!DOCTYPE" has the same bytes as in one of _UNICODE.
_SCANNABLE_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "utf-32", "utf-32le",
                        "utf-32be", "ucs-2", "ucs-4", "ascii", "us-ascii", "iso-8859-1", "latin-1", "latin1",
                        "windows-1252", "cp1252"}
_ENCODING_DECL = re.compile(rb'^\s*<\?xml[^>]*?encoding\s*=\s*["\']([^"\']*)["\']', re.IGNORECASE)


def _declaration(codec: str) -> re.Pattern[bytes]:
    """`<!DOCTYPE` or `<!ENTITY` (letters in either case) in `codec`; the literal `<!` prefix keeps
    the search fast whatever the data."""
    def word(text: str) -> bytes:
        return b"".join(b"(?:" + re.escape(c.upper().encode(codec)) + b"|" + re.escape(c.lower().encode(codec)) + b")"
                        for c in text)
    return re.compile(re.escape("<!".encode(codec)) + b"(?:" + word("DOCTYPE") + b"|" + word("ENTITY") + b")")


_DECLARATIONS = [_declaration(codec) for codec in _UNICODE]
_OVERLAP = 64   # longer than any match, so a declaration split between two chunks is still found


class RefusedFileError(ValueError):
    """A file a metric will not parse; scores 0 with this message as the reason."""


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 2_000
    max_total_bytes: int = 256 * MiB
    max_archive_bytes: int = 128 * MiB
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 1 * MiB


DEFAULT_LIMITS = ArchiveLimits()


def check_size(path: str | os.PathLike[str], limit: int = MAX_TEXT_BYTES) -> None:
    """Refuse a file larger than `limit` bytes (before anything reads it whole)."""
    size = Path(path).stat().st_size
    if size > limit:
        raise RefusedFileError(f"refused {Path(path).name}: {size} bytes, over the limit of {limit}")


def check_archive(path: str | os.PathLike[str], limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
    """Refuse a zip archive over the limits (see the module doc); silently accept non-zip files."""
    path = Path(path)
    name = path.name
    with path.open("rb") as fp:
        directory = _central_directory(fp, name)
        if directory is None:
            return
        members, directory_bytes = directory
        check_size(path, limits.max_archive_bytes)
        if members > limits.max_members:
            raise RefusedFileError(f"refused {name}: {members} archive members, over the limit of {limits.max_members}")
        if directory_bytes > limits.max_members * _CENTRAL_ENTRY_BYTES:
            raise RefusedFileError(f"refused {name}: a {directory_bytes}-byte zip directory")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_members:
                raise RefusedFileError(f"refused {name}: {len(infos)} archive members, over the limit of {limits.max_members}")
            declared = sum(info.file_size for info in infos)
            if declared > limits.max_total_bytes:
                raise RefusedFileError(f"refused {name}: declares {declared} uncompressed bytes, "
                                       f"over the limit of {limits.max_total_bytes}")
            for info in infos:
                _check_ratio(name, info.filename, info.file_size, info.compress_size, limits)
            budget = limits.max_total_bytes
            for info in infos:
                budget -= _scan_member(name, archive, info, budget, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
        raise RefusedFileError(f"refused {name}: unreadable zip archive ({err})") from None


def _central_directory(fp: BinaryIO, name: str) -> tuple[int, int] | None:
    """(member count, central directory size) from the end records, or None if not a zip."""
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    tail_start = max(0, size - (_EOCD.size + 0xFFFF))
    fp.seek(tail_start)
    tail = fp.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        return None
    _, _, _, _, members, directory_bytes, _, _ = _EOCD.unpack_from(tail, at)
    if members != 0xFFFF and directory_bytes != 0xFFFFFFFF:
        return members, directory_bytes
    locator_at = at - _ZIP64_LOCATOR.size
    if locator_at < 0 or tail[locator_at:locator_at + 4] != b"PK\x06\x07":
        return members, directory_bytes
    _, _, record_offset, _ = _ZIP64_LOCATOR.unpack_from(tail, locator_at)
    fp.seek(record_offset)
    record = fp.read(_ZIP64_EOCD.size)
    if len(record) < _ZIP64_EOCD.size or record[:4] != b"PK\x06\x06":
        raise RefusedFileError(f"refused {name}: a malformed zip64 directory")
    fields = _ZIP64_EOCD.unpack(record)
    return fields[7], fields[8]


def _check_ratio(name: str, member: str, size: int, compressed: int, limits: ArchiveLimits) -> None:
    if size > limits.ratio_floor_bytes and size > limits.max_ratio * max(compressed, 1):
        raise RefusedFileError(f"refused {name}: member {member!r} expands {size / max(compressed, 1):.0f}:1, "
                               f"over the limit of {limits.max_ratio:.0f}:1")


def _scan_member(name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int,
                 limits: ArchiveLimits) -> int:
    """Decompress one member within `budget` bytes, refusing XML declarations; returns its size."""
    read = 0
    tail = b""
    opaque = info.filename.lower().endswith(".bin")
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            if read == 0:
                encoding = _ENCODING_DECL.match(chunk.removeprefix(b"\xef\xbb\xbf"))
                if encoding and encoding.group(1).decode("ascii", "replace").lower() not in _SCANNABLE_ENCODINGS:
                    raise RefusedFileError(f"refused {name}: member {info.filename!r} is XML in "
                                           f"{encoding.group(1).decode('ascii', 'replace')!r}")
            read += len(chunk)
            if read > budget:
                raise RefusedFileError(f"refused {name}: over {limits.max_total_bytes} bytes once decompressed")
            _check_ratio(name, info.filename, read, info.compress_size, limits)
            data = tail + chunk
            if not opaque and any(pattern.search(data) for pattern in _DECLARATIONS):
                raise RefusedFileError(f"refused {name}: member {info.filename!r} declares a DTD or entities")
            tail = data[-_OVERLAP:]
    return read
