"""Starts an episode's long-lived host processes (Xvfb, bwrap) from one dedicated thread.

Both die with their parent (bwrap's --die-with-parent, Xvfb's setpriv --pdeathsig), so that
a crashed runner leaves nothing behind. Linux delivers that signal when the parent *thread*
that forked the child ends, and envs are reset from short-lived worker threads; so every such
process is forked by this module's long-lived thread instead.
"""
from __future__ import annotations

import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="osworld-lite-launcher")
        return _executor


def popen(args: list[str], **kwargs: Any) -> subprocess.Popen:
    """`subprocess.Popen(args, **kwargs)`, forked from the launcher thread."""
    return _pool().submit(subprocess.Popen, args, **kwargs).result()
