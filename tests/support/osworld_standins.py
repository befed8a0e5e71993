"""Stand-in assets: small files of the right type for each extension OSWorld's tasks download.

`fill_cache(root, urls)` writes one stand-in per URL at its asset-cache path, so a task's setup
runs (documents open in their apps, archives extract, databases load) without OSWorld's real
files. Stand-ins test the runtime, never a score: an agent cannot solve a task on them.
Office files are made with openpyxl / python-docx / python-pptx, images and PDFs with Pillow,
archives with zipfile / tarfile; an .mp3 is silent MPEG audio frames; an .mp4 only carries the
ISO media signature (no encoder is at hand), which VLC opens and reports as unplayable.
"""
from __future__ import annotations

import gzip
import io
import json
import lzma
import sqlite3
import tarfile
import wave
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from envs.osworld.assets import AssetCache
from envs.osworld.task import DownloadParams, OSWorldTask

CHROME_HISTORY_SCHEMA = (
    "CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title LONGVARCHAR, "
    "visit_count INTEGER DEFAULT 0 NOT NULL, typed_count INTEGER DEFAULT 0 NOT NULL, "
    "last_visit_time INTEGER NOT NULL, hidden INTEGER DEFAULT 0 NOT NULL);"
    "CREATE TABLE visits(id INTEGER PRIMARY KEY, url INTEGER NOT NULL, visit_time INTEGER NOT NULL, "
    "from_visit INTEGER, transition INTEGER DEFAULT 0 NOT NULL, segment_id INTEGER, visit_duration "
    "INTEGER DEFAULT 0 NOT NULL);"
)
# One MPEG-1 Layer III frame (128 kbit/s, 44.1 kHz): zero side info decodes to silence.
MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(413)


def _xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Value"])
    for i in range(5):
        sheet.append([f"item {i}", i * 10])
    book.save(path)


def _docx(path: Path) -> None:
    import docx

    doc = docx.Document()
    doc.add_paragraph("Stand-in document.")
    doc.save(str(path))


def _pptx(path: Path) -> None:
    import pptx

    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Stand-in slide"
    deck.save(str(path))


def _image(path: Path, fmt: str) -> None:
    from PIL import Image

    Image.new("RGB", (64, 48), (40, 120, 200)).save(path, format=fmt)


def _wav(path: Path) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(8000 * 2))


def _odf(path: Path, mimetype: str) -> None:
    body = {"application/vnd.oasis.opendocument.text": "<office:text><text:p>Stand-in</text:p></office:text>",
            "application/vnd.oasis.opendocument.spreadsheet": "<office:spreadsheet><table:table table:name=\"Sheet1\">"
            "<table:table-row><table:table-cell><text:p>1</text:p></table:table-cell></table:table-row>"
            "</table:table></office:spreadsheet>"}.get(mimetype, "<office:text/>")
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    content = f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">' \
              f"<office:body>{body}</office:body></office:document-content>"
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # first and stored, as ODF requires
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)


def _tar(path: Path, mode: str) -> None:
    data = b"stand-in\n"
    with tarfile.open(path, mode) as tar:
        info = tarfile.TarInfo("standin/readme.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("standin/readme.txt", "stand-in\n")


def _sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(CHROME_HISTORY_SCHEMA)
    conn.commit()
    conn.close()


def _text(path: Path, suffix: str) -> None:
    text = {".json": json.dumps({"standin": True}), ".csv": "Name,Value\nitem,1\n",
            ".html": "<html><head><title>Stand-in</title></head><body><p>Stand-in</p></body></html>",
            ".py": "print('stand-in')\n", ".sh": "#!/bin/sh\necho stand-in\n",
            ".code-workspace": json.dumps({"folders": [{"path": "."}]}),
            ".eml": "From: a@example.com\nTo: b@example.com\nSubject: Stand-in\n\nStand-in\n"}.get(suffix, "stand-in\n")
    path.write_text(text)


def make_standin(path: Path, url: str, name: str | None = None) -> None:
    """Write a small file of the type its name's extension says at `path` (the name: `name`,
    e.g. where a task saves it, else the URL's last segment)."""
    name = (name or PurePosixPath(urlsplit(url).path).name).lower()
    suffix = PurePosixPath(name).suffix
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith((".tar.gz", ".tgz")):
        _tar(path, "w:gz")
    elif name.endswith(".tar.xz"):
        _tar(path, "w:xz")
    elif suffix == ".gz":
        path.write_bytes(gzip.compress(b"stand-in\n"))
    elif suffix == ".xz":
        path.write_bytes(lzma.compress(b"stand-in\n"))
    elif suffix in (".xlsx",):
        _xlsx(path)
    elif suffix == ".docx":
        _docx(path)
    elif suffix == ".pptx":
        _pptx(path)
    elif suffix in (".png", ".gif", ".webp", ".bmp"):
        _image(path, suffix[1:].upper())
    elif suffix in (".jpg", ".jpeg"):
        _image(path, "JPEG")
    elif suffix == ".pdf":
        _image(path, "PDF")
    elif suffix == ".wav":
        _wav(path)
    elif suffix == ".mp3":
        path.write_bytes(MP3_FRAME * 40)
    elif suffix in (".mp4", ".m4a", ".mov"):
        path.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(64))
    elif suffix == ".odt":
        _odf(path, "application/vnd.oasis.opendocument.text")
    elif suffix == ".ods":
        _odf(path, "application/vnd.oasis.opendocument.spreadsheet")
    elif suffix in (".zip", ".epub", ".whl", ".vsix", ".oxt"):
        _zip(path)
    elif suffix == ".sqlite":
        _sqlite(path)
    elif suffix in (".xls", ".doc", ".ppt", ".xcf", ".raw", ".bin", ".data", ".file"):
        # Binary formats without a writer at hand: the OLE2 / GIMP signature, then zeros.
        head = b"gimp xcf v011\x00" if suffix == ".xcf" else b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        path.write_bytes(head + bytes(512) if suffix in (".xls", ".doc", ".ppt", ".xcf") else bytes(256))
    else:
        _text(path, suffix)


def saved_names(tasks: Iterable[OSWorldTask]) -> dict[str, str]:
    """url → the file name a task saves it under (`download` path, `cloud_file` dest): some
    URLs end in `.file` or `.data` while the task saves a .pptx."""
    names: dict[str, str] = {}
    for task in tasks:
        for step in task.all_steps():
            if isinstance(step.parameters, DownloadParams):
                names.update({f.url: PurePosixPath(f.path).name for f in step.parameters.files})
        for spec in task.evaluator.getter_specs():
            data = spec.as_dict()
            if spec.type == "cloud_file" and data.get("path") and data.get("dest"):
                paths = data["path"] if isinstance(data["path"], list) else [data["path"]]
                dests = data["dest"] if isinstance(data["dest"], list) else [data["dest"]]
                names.update({str(u): PurePosixPath(str(d)).name for u, d in zip(paths, dests)})
    return names


def fill_cache(root: Path, urls: list[str], names: dict[str, str] | None = None) -> AssetCache:
    """A cache at `root` holding a stand-in for every URL, typed by `names` where given
    (see `saved_names`); existing files are kept."""
    cache = AssetCache(root)
    for url in urls:
        if not cache.has(url):
            make_standin(cache.path(url), url, (names or {}).get(url))
    return cache
