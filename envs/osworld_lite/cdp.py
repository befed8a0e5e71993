"""Chromium in the sandbox, driven from the host over the DevTools protocol (Playwright).

Chromium listens on 127.0.0.1:9222 inside the sandbox's network namespace. `unix_forward.py`,
started by the host in that namespace (outside the agent's PID namespace), exposes the port
as a Unix socket in the host-only control folder, and `CdpBridge` re-exposes the socket as a
TCP port on the host's loopback, which is what Playwright's `connect_over_cdp` (and
Chromium's Host-header check) wants. Setup steps (`chrome_open_tabs`) and getters (active tab
URL/HTML, the page's accessibility tree) use it. `listening_inodes` and `socket_holders` tell
who really serves the port (the session checks it is the Chromium it launched).
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import socketserver
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import psutil

from envs.errors import InfrastructureError
from envs.osworld_lite.sandbox import connect_unix

T = TypeVar("T")


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        try:
            upstream = connect_unix(self.server.unix_path)  # type: ignore[attr-defined]
        except OSError:
            return
        t = threading.Thread(target=_pipe, args=(upstream, self.request), daemon=True)
        t.start()
        _pipe(self.request, upstream)
        t.join(timeout=5)


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class CdpBridge:
    """A host loopback TCP port piped to the sandbox's DevTools Unix socket."""

    def __init__(self, unix_path: Path):
        self.unix_path = unix_path
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.unix_path = str(unix_path)  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="cdp-bridge")
        self._thread.start()
        self._worker: ThreadPoolExecutor | None = None
        self._pw: Any = None
        self._browser: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get_json(self, path: str, timeout: float = 5.0) -> Any:
        with urllib.request.urlopen(self.endpoint + path, timeout=timeout) as resp:  # noqa: S310 (loopback)
            return json.loads(resp.read())

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                self.get_json("/json/version", timeout=2)
                return
            except Exception as exc:  # not listening yet
                last = exc
                time.sleep(0.1)
        raise InfrastructureError(f"Chromium's DevTools endpoint did not come up: {last}")

    def pages(self) -> list[dict[str, Any]]:
        """Page targets, most recently activated first (Chromium's /json/list order)."""
        return [t for t in self.get_json("/json/list") if t.get("type") == "page"]

    def new_tab(self, url: str) -> dict[str, Any]:
        request = urllib.request.Request(f"{self.endpoint}/json/new?{url}", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310 (loopback)
            return json.loads(resp.read())

    def active_tab(self) -> dict[str, Any] | None:
        pages = self.pages()
        return pages[0] if pages else None

    def close(self) -> None:
        if self._worker is not None:
            with contextlib.suppress(Exception):
                self._worker.submit(self._disconnect).result(timeout=10)
            self._worker.shutdown(wait=False)
            self._worker = None
        self._server.shutdown()
        self._server.server_close()

    def with_browser(self, fn: Callable[[Any], T], timeout: float = 60.0) -> T:
        """Run `fn(browser)` with a Playwright Browser connected over CDP.

        Playwright's sync objects belong to the thread that made them, while the env is
        stepped from any worker thread; so one connection lives on a private thread and
        every use runs there. A broken connection (Chromium restarted) is re-made once.
        """
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cdp-playwright")
        return self._worker.submit(self._call, fn).result(timeout=timeout)

    def _call(self, fn: Callable[[Any], T]) -> T:
        if self._browser is None or not self._browser.is_connected():
            self._connect()
        try:
            return fn(self._browser)
        except Exception:
            if self._browser is not None and self._browser.is_connected():
                raise
        self._connect()  # the connection broke under us: one more try on a fresh one
        return fn(self._browser)

    def _connect(self) -> None:
        from playwright.sync_api import sync_playwright

        self._disconnect()
        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.connect_over_cdp(self.endpoint, timeout=15000)
        except Exception as exc:
            self._disconnect()
            raise InfrastructureError(f"cannot connect to Chromium over CDP: {exc}") from exc

    def _disconnect(self) -> None:
        # Disconnects only; Chromium keeps running (it belongs to the sandbox).
        if self._browser is not None:
            with contextlib.suppress(Exception):
                self._browser.close()
        if self._pw is not None:
            with contextlib.suppress(Exception):
                self._pw.stop()
        self._browser = self._pw = None


def _active_page(browser: Any, bridge: CdpBridge) -> Any:
    tab = bridge.active_tab()
    pages = [p for ctx in browser.contexts for p in ctx.pages]
    if not pages:
        raise InfrastructureError("Chromium has no open page")
    if tab:
        for page in pages:
            if page.url == tab.get("url"):
                return page
    return pages[-1]


def open_tabs(bridge: CdpBridge, urls: list[str], timeout: float = 15.0) -> None:
    """Open each URL in a new tab (DevTools' /json/new: no Playwright start-up needed) and wait
    until it has committed a title; a page that fails to load keeps its error page, as in OSWorld."""
    for url in urls:
        target = bridge.new_tab(url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            tab = next((t for t in bridge.pages() if t.get("id") == target.get("id")), None)
            if tab is None or tab.get("title"):
                break
            time.sleep(0.05)


def active_tab_html(bridge: CdpBridge) -> str:
    return bridge.with_browser(lambda browser: _active_page(browser, bridge).content())


def page_ax_lines(bridge: CdpBridge, width: int, height: int, max_nodes: int = 800) -> list[str]:
    """The active page's accessibility tree as OSWorld-style lines, with screen positions."""
    def run(browser: Any) -> list[str]:
        page = _active_page(browser, bridge)
        session = page.context.new_cdp_session(page)
        try:
            return _ax_lines(session, page, width, height, max_nodes)
        finally:
            with contextlib.suppress(Exception):
                session.detach()
    return bridge.with_browser(run)


def _ax_lines(session: Any, page: Any, width: int, height: int, max_nodes: int) -> list[str]:
    # Where the page's viewport sits on the screen (window position + browser chrome).
    origin = page.evaluate("() => [window.screenX + (window.outerWidth - window.innerWidth) / 2,"
                           " window.screenY + window.outerHeight - window.innerHeight]")
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    lines: list[str] = []
    for node in nodes:
        if len(lines) >= max_nodes:
            break
        if node.get("ignored"):
            continue
        role = (node.get("role") or {}).get("value", "")
        name = " ".join(str((node.get("name") or {}).get("value", "")).split())[:300]
        value = " ".join(str((node.get("value") or {}).get("value", "")).split())[:300]
        if not (name or value) or role in ("RootWebArea", "none", "generic", "InlineTextBox") \
                or "backendDOMNodeId" not in node:
            continue
        try:
            quad = session.send("DOM.getBoxModel", {"backendNodeId": node["backendDOMNodeId"]})["model"]["border"]
        except Exception:
            continue  # not rendered
        x, y = origin[0] + quad[0], origin[1] + quad[1]
        w, h = quad[2] - quad[0], quad[5] - quad[1]
        if w <= 0 or h <= 0 or x >= width or y >= height or x + w <= 0 or y + h <= 0:
            continue
        lines.append(f"{role}\t{name}\t{value}\t\t\t({int(x)}, {int(y)})\t({int(w)}, {int(h)})")
    return lines


def listening_inodes(pid: int, port: int) -> set[str]:
    """Socket inodes listening on loopback `port` in the network namespace of host process
    `pid` (read from /proc/<pid>/net/tcp and tcp6 by the host)."""
    found: set[str] = set()
    for name in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{name}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 9 and cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                found.add(cols[9])
    return found


def socket_holders(procs: list[psutil.Process], inodes: set[str]) -> set[str]:
    """Which of `inodes` some process in `procs` holds an fd of."""
    wanted = {f"socket:[{inode}]": inode for inode in inodes}
    held: set[str] = set()
    for p in procs:
        try:
            fds = os.listdir(f"/proc/{p.pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{p.pid}/fd/{fd}")
            except OSError:
                continue
            if link in wanted:
                held.add(wanted[link])
    return held
