"""Programs the suite needs and `make setup` installs: a missing one fails the test.

Xvfb, bubblewrap and the desktop apps, Chromium and PostgreSQL are part of the test set-up
(Makefile's APT_PACKAGES), so their absence is a broken set-up, not a reason to skip. To run
without them, deselect the tests by marker instead: `-m "not desktop and not browser and not postgres"`.
"""
from __future__ import annotations

import functools
import shutil
from collections.abc import Iterable

import pytest

SETUP_HINT = "install it with `make setup`, or deselect these tests with -m 'not <marker>'"


def require(problems: Iterable[str], what: str) -> None:
    """Fail the calling test when `problems` is not empty."""
    found = [p for p in problems if p]
    if found:
        pytest.fail(f"{what} not available: {'; '.join(found)} ({SETUP_HINT})", pytrace=False)


@functools.lru_cache(maxsize=1)
def desktop_problems() -> tuple[str, ...]:
    """What keeps osworld-lite desktops from starting here (empty when they can)."""
    from envs.registry import get_family

    return tuple(get_family("osworld-lite").preflight())


def require_desktop() -> None:
    require(desktop_problems(), "the osworld-lite desktop (Xvfb, bubblewrap, apps)")


def require_program(name: str) -> str:
    """The path of program `name` on PATH; fails the test when it is not installed."""
    path = shutil.which(name)
    require([] if path else [f"`{name}` is not on PATH"], name)
    return path or name
