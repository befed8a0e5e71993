"""Long-lived headless Chromium workers for MiniWoB++ episodes.

Playwright's sync API binds every object to the thread that created it, while the runner calls
`env.reset`/`env.step` from whichever worker thread `asyncio.to_thread` picks. So each
`BrowserWorker` owns one thread, one Playwright driver and one Chromium, and runs the env's
work there (`call`). Workers outlive episodes: an env takes a free worker at reset and hands it
back at close, so a run pays Chromium's start-up once per concurrent slot, not per episode.
Each worker keeps one browser context and page (a new page costs a renderer process: ~150 ms);
every episode loads its task page afresh into it — a new document, so no JavaScript state,
DOM or timer survives — after the context's cookies and the origin's storage are cleared.
`fresh_page()` replaces the pair when the page crashed or closed.
"""
from __future__ import annotations

import atexit
import concurrent.futures
import os
import queue
import shutil
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from envs.errors import InfrastructureError

T = TypeVar("T")
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# No sandbox: Chromium's own sandbox needs privileges a container rarely grants; the pages are
# MiniWoB's own files and the browser has no network (see docs/miniwob.md).
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-extensions", "--disable-background-networking", "--disable-sync",
                 "--mute-audio", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>")
INSTALL_HINT = "apt-get install -y chromium && pip install playwright"


def chromium_path() -> str | None:
    """Debian's Chromium (MINIWOB_CHROMIUM overrides); None when absent."""
    override = os.environ.get("MINIWOB_CHROMIUM")
    for path in ((override,) if override else CHROMIUM_CANDIDATES):
        if path and os.path.exists(path):
            return path
    found = shutil.which("chromium")
    return found if not override else None


class BrowserWorker:
    """One thread running Playwright with one Chromium; `call(fn)` runs `fn(browser)` there."""

    def __init__(self, executable: str | None = None, launch_timeout_s: float = 60.0):
        self.executable = executable or chromium_path()
        if not self.executable:
            raise InfrastructureError(f"Chromium not found; install it with: {INSTALL_HINT}")
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._main, name="miniwob-browser", daemon=True)
        self._thread.start()
        try:
            self._ready.result(timeout=launch_timeout_s)
        except Exception as exc:
            self._jobs.put(None)
            raise InfrastructureError(f"Chromium did not start: {type(exc).__name__}: {exc}") from exc

    browser: Any = None   # set by the worker thread once Chromium runs

    # -- the worker's page (use from the worker thread only) -----------------------------------
    context: Any = None
    page: Any = None
    cdp: Any = None
    page_key: tuple[Any, ...] | None = None

    def fresh_page(self, browser: Any, key: tuple[Any, ...], **context_options: Any) -> Any:
        """The worker's page, made anew when absent, closed, or made with other options."""
        if self.page is not None and not self.page.is_closed() and self.page_key == key:
            self.context.clear_cookies()
            return self.page
        self.drop_page()
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)
        self.page_key = key
        return self.page

    def drop_page(self) -> None:
        context, self.context, self.page, self.cdp, self.page_key = self.context, None, None, None, None
        if context is not None:
            try:
                context.close()
            except Exception:
                pass

    def _main(self) -> None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            self._ready.set_exception(exc)
            return
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=self.executable, headless=True,
                                             args=list(CHROMIUM_ARGS))
                self.browser = browser
                self._ready.set_result(None)
                while True:
                    job = self._jobs.get()
                    if job is None:
                        break
                    fn, future = job
                    if not future.set_running_or_notify_cancel():
                        continue
                    try:
                        future.set_result(fn(browser))
                    except BaseException as exc:  # handed to the caller's thread
                        future.set_exception(exc)
                try:
                    browser.close()
                except Exception:
                    pass
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)
        finally:
            self._drain()

    def _drain(self) -> None:
        """Fail jobs queued after the thread ended, so no caller waits forever."""
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None and job[1].set_running_or_notify_cancel():
                job[1].set_exception(InfrastructureError("the browser worker has stopped"))

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and self.browser is not None and _connected(self)

    def call(self, fn: Callable[[Any], T], timeout_s: float | None = None) -> T:
        if not self._thread.is_alive():
            raise InfrastructureError("the browser worker has stopped")
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put((fn, future))
        return future.result(timeout=timeout_s)

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=15)


def _connected(worker: BrowserWorker) -> bool:
    try:
        return bool(worker.call(lambda b: b.is_connected(), timeout_s=10))
    except Exception:
        return False


class WorkerPool:
    """Free workers, reused across episodes; a new one starts when all are busy."""

    def __init__(self) -> None:
        self._free: list[BrowserWorker] = []
        self._all: list[BrowserWorker] = []
        self._lock = threading.Lock()

    def acquire(self) -> BrowserWorker:
        while True:
            with self._lock:
                worker = self._free.pop() if self._free else None
            if worker is None:
                worker = BrowserWorker()
                with self._lock:
                    self._all.append(worker)
                return worker
            if worker.alive:
                return worker
            self._forget(worker)  # its Chromium died between episodes: start another

    def release(self, worker: BrowserWorker) -> None:
        with self._lock:
            if worker in self._all and worker not in self._free:
                self._free.append(worker)

    def discard(self, worker: BrowserWorker) -> None:
        self._forget(worker)

    def _forget(self, worker: BrowserWorker) -> None:
        with self._lock:
            if worker in self._free:
                self._free.remove(worker)
            if worker in self._all:
                self._all.remove(worker)
        worker.close()

    def close_all(self) -> None:
        with self._lock:
            workers, self._all, self._free = list(self._all), [], []
        for worker in workers:
            worker.close()


_POOL = WorkerPool()
atexit.register(_POOL.close_all)


def pool() -> WorkerPool:
    return _POOL
