"""The asset cache and `agents osworld fetch-assets` against a loopback mirror."""
from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from envs.osworld.assets import AssetCache, AssetError, relative_path, task_asset_urls
from envs.osworld.fetch import fetch_assets, mirrored
from envs.osworld.loader import load_task_files
from tests.osworld.conftest import task, write_task
from tests.support.osworld_standins import make_standin
from tests.support.paths import REPO_ROOT

HOST = "huggingface.co"
BASE = f"https://{HOST}/datasets/xlangai/ubuntu_osworld_file_cache/resolve/main/os"


class _Mirror(http.server.BaseHTTPRequestHandler):
    """Serves `root/<host>/<path>`, with Range requests; counts requests per path."""

    root: Path
    hits: dict[str, int]
    ranges: list[str]

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0]
        self.hits[path] = self.hits.get(path, 0) + 1
        file = self.root / path.lstrip("/")
        if not file.is_file():
            self.send_error(404)
            return
        data = file.read_bytes()
        start = 0
        if "Range" in self.headers:
            self.ranges.append(self.headers["Range"])
            start = int(self.headers["Range"].split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[tuple[str, type[_Mirror]]]:
    handler = type("Mirror", (_Mirror,), {"root": tmp_path / "mirror", "hits": {}, "ranges": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def _serve(handler: type[_Mirror], url: str, data: bytes | None = None) -> bytes:
    dest = handler.root / relative_path(url)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if data is None:
        make_standin(dest, url)
    else:
        dest.write_bytes(data)
    return dest.read_bytes()


def test_cache_paths_follow_wget_x_and_stay_inside() -> None:
    assert str(relative_path(f"{BASE}/a%20b.xlsx?download=true")) == \
        f"{HOST}/datasets/xlangai/ubuntu_osworld_file_cache/resolve/main/os/a b.xlsx"
    for bad in ("ftp://h/x", "https://h/", "https://h/a/../../x", "file:///etc/passwd"):
        with pytest.raises(AssetError):
            relative_path(bad)
    assert mirrored(f"{BASE}/a.xlsx?download=true", "http://m:8/root/") == \
        f"http://m:8/root/{HOST}/datasets/xlangai/ubuntu_osworld_file_cache/resolve/main/os/a.xlsx?download=true"


def test_task_asset_urls_cover_downloads_cloud_files_and_history(tmp_path: Path) -> None:
    t = task("t", config=[{"type": "download", "parameters": {"files": [{"url": f"{BASE}/a.xlsx", "path": "/a"}]}},
                          {"type": "update_browse_history", "parameters": {"history": []}}],
             evaluator={"func": "compare_table", "result": {"type": "vm_file", "path": "/a", "dest": "a"},
                        "expected": {"type": "cloud_file", "multi": True, "path": [f"{BASE}/g.xlsx", f"{BASE}/a.xlsx"],
                                     "dest": ["g.xlsx", "a2.xlsx"], "gives": [0, 1]}})
    (loaded,) = load_task_files(write_task(tmp_path, "os", t))
    urls = task_asset_urls(loaded)
    assert urls[0] == f"{BASE}/a.xlsx" and "history_empty.sqlite" in urls[1] and urls[2:] == [f"{BASE}/g.xlsx"]


def test_fetch_through_mirror_verifies_resumes_and_reports_missing(tmp_path: Path, mirror) -> None:
    base, handler = mirror
    good = _serve(handler, f"{BASE}/good.xlsx")
    _serve(handler, f"{BASE}/error-page.xlsx", b"<html>rate limited</html>")
    big = _serve(handler, f"{BASE}/big.pdf")
    cache = AssetCache(tmp_path / "cache")
    # A half-finished earlier fetch of big.pdf: resumed with a Range request, not restarted.
    part = cache.path(f"{BASE}/big.pdf").with_name("big.pdf.part")
    part.parent.mkdir(parents=True)
    part.write_bytes(big[:100])
    urls = [f"{BASE}/good.xlsx", f"{BASE}/error-page.xlsx", f"{BASE}/big.pdf", f"{BASE}/absent.docx"]
    report = fetch_assets(cache, urls, mirror=base)
    assert report.fetched == [f"{BASE}/good.xlsx", f"{BASE}/big.pdf"]
    assert cache.read(f"{BASE}/good.xlsx") == good and cache.read(f"{BASE}/big.pdf") == big
    assert handler.ranges == ["bytes=100-"]
    assert set(report.failed) == {f"{BASE}/error-page.xlsx", f"{BASE}/absent.docx"}
    assert "not a .xlsx file" in report.failed[f"{BASE}/error-page.xlsx"]
    assert "HTTP 404" in report.failed[f"{BASE}/absent.docx"]
    assert not cache.has(f"{BASE}/error-page.xlsx")
    assert not list(cache.root.rglob("*.part"))  # nothing half-written is left where tasks look
    again = fetch_assets(cache, urls[:1], mirror=base)
    assert again.present == urls[:1] and handler.hits[f"/{relative_path(urls[0])}"] == 1


def test_fetch_assets_command(tmp_path: Path, mirror) -> None:
    base, handler = mirror
    a, b = f"{BASE}/x.docx", f"{BASE}/y.png"
    _serve(handler, a)
    write_task(tmp_path / "tasks", "os", task("one", config=[
        {"type": "download", "parameters": {"files": [{"url": a, "path": "/home/user/x.docx"}]}}]))
    write_task(tmp_path / "tasks", "os", task("two", config=[
        {"type": "download", "parameters": {"files": [{"url": b, "path": "/home/user/y.png"}]}}]))
    cmd = [sys.executable, "-m", "agents", "osworld", "fetch-assets", "--task-file", str(tmp_path / "tasks"),
           "--assets", str(tmp_path / "cache"), "--mirror", base, "--json"]
    out = subprocess.run([*cmd, "--tasks", "one"], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["fetched"] == 1
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    report = json.loads(out.stdout)
    assert out.returncode == 1 and report["present"] == 1 and list(report["missing"]) == [b]
