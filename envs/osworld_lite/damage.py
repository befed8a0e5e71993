"""Screen changes as the X server reports them (the DAMAGE extension), for settling screenshots.

Polling the screen (grab, wait, grab again, compare) costs at least one interval per step and
still misses changes that land between grabs. The X server knows exactly when pixels change:
a damage object on the root window gets a `DamageNotify` whenever anything is drawn anywhere
on the screen, so "the screen has been still for 15 ms" becomes a wait on a socket instead of
a sleep. The `DamageReportRawRectangles` level reports every drawing operation, so nothing has
to be re-armed between waits.
"""
from __future__ import annotations

import select
import threading
import time

from Xlib import display as xdisplay
from Xlib.ext import damage as xdamage

from envs.errors import InfrastructureError


class ScreenChanges:
    """Waits for the screen of one X display to change, or to stay still. Thread-safe."""

    def __init__(self, display_name: str):
        self._lock = threading.Lock()
        try:
            self._dpy = xdisplay.Display(display_name)
            if not self._dpy.has_extension("DAMAGE"):
                raise InfrastructureError(f"X display {display_name} has no DAMAGE extension")
            self._dpy.damage_query_version()
            self._damage = self._dpy.screen().root.damage_create(xdamage.DamageReportRawRectangles)
            self._dpy.sync()
        except InfrastructureError:
            raise
        except Exception as exc:  # the display went away
            raise InfrastructureError(f"cannot watch display {display_name} for changes: {exc}") from exc
        self._fd = self._dpy.fileno()

    def _drain(self) -> bool:
        """Read every event already here; True when any of them was a screen change."""
        changed = False
        try:
            while self._dpy.pending_events():
                event = self._dpy.next_event()
                if isinstance(event, xdamage.DamageNotify):
                    changed = True
        except Exception as exc:  # the X server went away (it runs on the host, out of the agent's reach)
            raise InfrastructureError(f"lost the X display while watching it for changes: {exc}") from exc
        return changed

    def forget(self) -> None:
        """Drop the changes seen so far (call right before an action)."""
        with self._lock:
            self._drain()

    def changed_within(self, timeout_s: float) -> bool:
        """True as soon as the screen changes within `timeout_s`, False if it stays still."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while True:
                if self._drain():
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                try:
                    ready, _, _ = select.select([self._fd], [], [], left)
                except (OSError, ValueError) as exc:
                    raise InfrastructureError(f"lost the X display while watching it for changes: {exc}") from exc
                if not ready:
                    return self._drain()

    def close(self) -> None:
        with self._lock:
            try:
                self._dpy.damage_destroy(self._damage)
                self._dpy.close()
            except Exception:  # noqa: BLE001 - the display may already be gone
                pass
