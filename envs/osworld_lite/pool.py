"""Spare desktops started ahead of time, so that reset() pays only for the task's own setup.

A spare is a started `DesktopSession` (Xvfb, sandbox, D-Bus, openbox) in which nothing has
run yet: no app, no task file, no agent. `acquire()` hands one out (or starts one when none is
ready) and, once the caller's reset is done, `refill()` starts a replacement on a background
thread. The pool keeps as many spares per screen size as episodes have run at once (at most
MAX_SPARES), and closes them at interpreter exit. Set OSWORLD_LITE_PREWARM=0 to turn it off.
"""
from __future__ import annotations

import atexit
import contextlib
import logging
import os
import queue
import threading

from envs.osworld_lite.session import DesktopSession

log = logging.getLogger(__name__)
MAX_SPARES = 4
Key = tuple[int, int, str | None]


def enabled() -> bool:
    return os.environ.get("OSWORLD_LITE_PREWARM", "1").lower() not in ("0", "false", "no", "off")


class DesktopPool:
    def __init__(self) -> None:
        self._spares: dict[Key, list[DesktopSession]] = {}
        self._lock = threading.Lock()
        self._active = 0
        self._peak = 0
        self._pending = 0
        self._closed = False
        # A daemon thread: interpreter exit does not wait for a spare being started.
        self._jobs: queue.SimpleQueue[Key | None] = queue.SimpleQueue()
        threading.Thread(target=self._work, name="osworld-lite-prewarm", daemon=True).start()

    def acquire(self, width: int, height: int, base_dir: str | None = None) -> DesktopSession:
        key = (width, height, base_dir)
        with self._lock:
            self._active += 1
            self._peak = max(self._peak, self._active)
            spares = self._spares.get(key, [])
            while spares:
                spare = spares.pop()
                if spare.healthy():
                    return spare
                spare.close()
        try:
            return DesktopSession(width, height, base_dir=base_dir).start()
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        with self._lock:
            self._active = max(0, self._active - 1)

    def refill(self, width: int, height: int, base_dir: str | None = None) -> None:
        """Start replacement spares in the background (call after the reset's own work)."""
        key = (width, height, base_dir)
        with self._lock:
            want = min(self._peak, MAX_SPARES) - len(self._spares.get(key, [])) - self._pending
            if self._closed or want <= 0:
                return
            self._pending += want
        for _ in range(want):
            self._jobs.put(key)

    def _work(self) -> None:
        while (key := self._jobs.get()) is not None:
            self._start_spare(key)

    def _start_spare(self, key: Key) -> None:
        try:
            spare = DesktopSession(key[0], key[1], base_dir=key[2]).start()
        except Exception as exc:  # the next acquire() starts one itself and reports the error
            if not self._closed:
                log.warning("could not start a spare desktop: %s", exc)
            with self._lock:
                self._pending -= 1
            return
        with self._lock:
            self._pending -= 1
            if not self._closed:
                self._spares.setdefault(key, []).append(spare)
                return
        spare.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            spares = [s for group in self._spares.values() for s in group]
            self._spares.clear()
        for spare in spares:
            with contextlib.suppress(Exception):
                spare.close()
        self._jobs.put(None)


_pool: DesktopPool | None = None
_pool_lock = threading.Lock()


def pool() -> DesktopPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = DesktopPool()
            atexit.register(_pool.close)
        return _pool
