"""One episode's desktop: display, sandbox, window manager, apps, input, screen, DevTools bridge.

`DesktopSession.start()` brings up Xvfb, the bubblewrap sandbox, a private D-Bus session bus
(which D-Bus-activates the AT-SPI bus launcher when an app asks for it) and openbox, all but
Xvfb inside the sandbox. `launch()` starts an app and waits for its window. `close()` kills
every process of the episode.

Who is to blame when something breaks (envs/endings.py): `check_health()` and `blame()` raise
`InfrastructureError` for host-side parts (the X server) and for anything that broke before
the agent's first action (`agent_acted`), and `EnvironmentDestroyed` when, after it, the
sandbox, its supervisor or an app died (killed by a signal, or a GUI app exiting with an
error; an app the agent closed normally is no error). `devtools()` hands the evaluation a
DevTools bridge only after checking that the listener on Chromium's port belongs to the
Chromium this session launched (`EvaluationTampered` otherwise).
"""
from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from Xlib import X
from Xlib import display as xdisplay

from envs.errors import EnvironmentDestroyed, EvaluationTampered, InfrastructureError
from envs.osworld_lite import cdp, profiles, windows
from envs.osworld_lite.apps import CDP_PORT, CDP_SOCKET, LaunchSpec
from envs.osworld_lite.cdp import CdpBridge
from envs.osworld_lite.damage import ScreenChanges
from envs.osworld_lite.display import Display
from envs.osworld_lite.input import XInput
from envs.osworld_lite.sandbox import HOME_BYTES, SANDBOX_TOOLS, SANDBOX_UID, Sandbox, SandboxBroken, listen_unix
from envs.osworld_lite.screen import Screen

log = logging.getLogger(__name__)


@dataclass
class TrackedApp:
    pid: int
    spec: LaunchSpec


class DesktopSession:
    def __init__(self, width: int = 1280, height: int = 720, base_dir: str | None = None):
        self.width, self.height = width, height
        self.base_dir = base_dir
        self.display: Display | None = None
        self.sandbox: Sandbox | None = None
        self.input: XInput | None = None
        self.screen: Screen | None = None
        self.bridge: CdpBridge | None = None
        self.apps: list[TrackedApp] = []
        self.agent_acted = False  # set by the env before the agent's first action
        self._forwarder: Any = None
        self._x: Any = None  # our own X connection for window queries
        self.changes: ScreenChanges | None = None  # screen-change events, for settled screenshots
        self._gui_cache: tuple[float, int, list[psutil.Process]] | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def prepare(self) -> DesktopSession:
        """Display and sandbox folders exist; HOME may be filled before `start()`."""
        self.display = Display(self.width, self.height).start()
        self.sandbox = Sandbox(self.display.name, self.display.socket_path, base_dir=self.base_dir,
                               x_cookie=self.display.cookie)
        return self

    def start(self) -> DesktopSession:
        if self.sandbox is None:
            self.prepare()
        assert self.sandbox is not None and self.display is not None
        try:
            windows.write_openbox_config(self.sandbox.root / "tools" / "openbox-rc.xml")
            self.sandbox.start()
            bus = f"unix:path=/run/user/{SANDBOX_UID}/bus"
            self.sandbox.spawn(["dbus-daemon", "--session", f"--address={bus}", "--nofork", "--nopidfile"],
                               name="dbus-daemon")
            self.sandbox.spawn(["openbox", "--sm-disable", "--config-file", f"{SANDBOX_TOOLS}/openbox-rc.xml"],
                               name="openbox")
            self._x = xdisplay.Display(self.display.name)
            self.input = XInput(self.display.name)
            self.screen = Screen(self.display.name)
            self.changes = ScreenChanges(self.display.name)
            self._wait_for_wm()
        except Exception:
            self.close()
            raise
        return self

    def install_libreoffice_profile(self) -> None:
        """Copy the ready-made LibreOffice profile into HOME (before any app or agent ran:
        the host writes into the sandbox's HOME only while nothing inside can race it)."""
        assert self.sandbox is not None
        if not self.apps:
            profiles.install_libreoffice_profile(self.sandbox.home)
            self.sandbox.give_home()

    def healthy(self) -> bool:
        return bool(self.display and self.display.alive() and self.sandbox and self.sandbox.alive())

    def _wait_for_wm(self, timeout: float = 10.0) -> None:
        root = self._x.screen().root
        atom = self._x.intern_atom("_NET_SUPPORTING_WM_CHECK")
        deadline = time.monotonic() + timeout
        while root.get_full_property(atom, X.AnyPropertyType) is None:
            if time.monotonic() > deadline:
                raise InfrastructureError("the window manager (openbox) did not start")
            time.sleep(0.01)

    def close(self) -> None:
        for part in (self.input, self.screen, self.changes):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.close()
        if self._x is not None:
            with contextlib.suppress(Exception):
                self._x.close()
        if self.bridge is not None:
            self.bridge.close()
        self._forwarder = None
        if self.sandbox is not None:
            self.sandbox.close()
        if self.display is not None:
            self.display.stop()
        self.input = self.screen = self.bridge = self._x = self.changes = None
        self._gui_cache = None
        self.apps.clear()

    # -- apps ----------------------------------------------------------------------------------
    def launch(self, spec: LaunchSpec, wait_window: bool = True) -> int:
        assert self.sandbox is not None
        before = set(self.windows())
        pid = self.sandbox.spawn(spec.argv, env=spec.env, name=spec.app or spec.argv[0])
        self.apps.append(TrackedApp(pid, spec))
        if spec.chromium:
            self._ensure_bridge()
        if spec.gui and wait_window:
            self._wait_for_new_window(before, pid, spec)
        return pid

    def _wait_for_new_window(self, before: set[int], pid: int, spec: LaunchSpec) -> None:
        deadline = time.monotonic() + spec.window_timeout
        while time.monotonic() < deadline:
            current = self.window_info()
            # A window that closed no longer counts as old: the X server hands a new client the
            # resource ids of one that just left (`pkill vlc` then `vlc` reuses its window ids).
            before &= {w["id"] for w in current}
            if any(_ready(spec, w) for w in current if w["id"] not in before):
                return
            status = self.sandbox.status().get(str(pid), {})  # type: ignore[union-attr]
            rc = status.get("returncode")
            if rc is not None and rc != 0:
                raise InfrastructureError(f"{spec.app} exited with status {rc} before showing a window: "
                                          f"{self.app_log(spec.app)}")
            if rc == 0 and spec.app != "soffice":
                return  # it handed its work to a running instance, or was a one-shot
            time.sleep(0.05)
        raise InfrastructureError(f"{spec.app} showed no window within {spec.window_timeout:.0f} s: "
                                  f"{self.app_log(spec.app)}")

    def _ensure_bridge(self) -> None:
        assert self.sandbox is not None
        if self.bridge is not None:
            return
        # The socket lives in the host-only control folder; the forwarder inherits it and runs
        # in the sandbox's network namespace but outside the agent's PID namespace.
        sock = self.sandbox.root / "ctl" / CDP_SOCKET
        listener = listen_unix(sock)
        try:
            self._forwarder = self.sandbox.start_helper(
                ["/usr/bin/python3", "-I", f"{SANDBOX_TOOLS}/unix_forward.py", str(listener.fileno()),
                 str(CDP_PORT)], pass_fds=(listener.fileno(),))
        finally:
            listener.close()
        self.bridge = CdpBridge(sock)

    def devtools(self, timeout: float = 10.0) -> CdpBridge | None:
        """The DevTools bridge for evaluation, or None when Chromium is gone (the agent closed
        it: there is no tab to read). Raises EvaluationTampered when what listens on the
        DevTools port is not the Chromium this session launched."""
        if self.bridge is None:
            return None
        self.verify_devtools()
        try:
            bridge = self.chromium_bridge(timeout=timeout)
        except InfrastructureError:
            return None
        self.verify_devtools()
        return bridge

    def verify_devtools(self) -> None:
        assert self.sandbox is not None
        if self._forwarder is None or self._forwarder.poll() is not None:
            raise InfrastructureError("the DevTools forwarder of this episode died")
        inodes = cdp.listening_inodes(self._forwarder.pid, CDP_PORT)
        if not inodes:
            return  # nothing listens: Chromium is gone, the getters find no tab
        owners = self._chromium_processes()
        held = cdp.socket_holders(owners, inodes)
        if held != inodes:
            raise EvaluationTampered(f"the DevTools port {CDP_PORT} is served by a process this session did not "
                                     "launch as Chromium (the agent replaced the browser the evaluation reads)")

    def _chromium_processes(self) -> list[psutil.Process]:
        return self._app_processes(lambda spec: spec.chromium)

    def chromium_bridge(self, timeout: float = 30.0) -> CdpBridge:
        if self.bridge is None:
            raise InfrastructureError("Chromium is not running in this episode (launch it first)")
        self.bridge.wait_ready(timeout)
        return self.bridge

    def app_log(self, app: str) -> str:
        try:
            data = self.sandbox.read_file(f"/tmp/.olite-logs/{app}.log", max_bytes=16 * 1024 * 1024)  # type: ignore[union-attr]
        except (InfrastructureError, OSError, ValueError):
            return "(no log)"
        if data is None:
            return "(no log)"
        return data[-600:].decode(errors="replace").strip() or "(no output)"

    def check_health(self) -> None:
        """Raise when the desktop can no longer serve the episode: InfrastructureError for
        host-side parts or before the agent acted, EnvironmentDestroyed after it."""
        if self.display is None or not self.display.alive():
            raise InfrastructureError("the X server of this episode died")
        try:
            if self.sandbox is None or not self.sandbox.alive():
                raise SandboxBroken("the episode's sandbox died")
            status = self.sandbox.status()
            for app in self.apps:
                rc = status.get(str(app.pid), {}).get("returncode")
                if rc is None:
                    continue
                # 0: closed normally (by the agent, say): the evaluator grades what remains.
                # 81: LibreOffice restarting itself.
                if rc < 0 or (app.spec.gui and rc not in (0, 81)):
                    how = f"was killed by signal {-rc}" if rc < 0 else f"exited with status {rc}"
                    raise SandboxBroken(f"{app.spec.app} {how}: {self.app_log(app.spec.app)}")
            if self.agent_acted and not self.sandbox.limits.get("home", "").startswith("tmpfs"):
                used = self.sandbox.home_usage()
                if used > HOME_BYTES:
                    raise SandboxBroken(f"HOME holds {used} bytes, more than its {HOME_BYTES}-byte limit")
        except SandboxBroken as exc:
            raise self.blame(exc) from exc

    def blame(self, exc: SandboxBroken) -> Exception:
        """The error to raise for a part inside the sandbox that broke: the agent's doing once
        it has acted (the X server is host-side: its death never is)."""
        if self.display is None or not self.display.alive():
            return InfrastructureError(f"the X server of this episode died ({exc})")
        if self.agent_acted:
            return EnvironmentDestroyed(f"the agent's environment was destroyed: {exc}")
        return exc

    def wait_idle(self, timeout: float, window: float = 0.05, busy_cpu: float = 0.006, streak: int = 2) -> bool:
        """Wait until the desktop has nothing left to do: in `streak` consecutive `window`s,
        the episode's processes (and the X server) used less than `busy_cpu` CPU-seconds.

        A window title appears long before LibreOffice has loaded the document; the screen can
        hold still for a moment mid-load; CPU use tells when an app is really done.
        """
        assert self.sandbox is not None and self.display is not None
        deadline = time.monotonic() + timeout
        quiet = 0
        last = self._cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(window)
            now = self._cpu_seconds()
            quiet = quiet + 1 if now - last < busy_cpu else 0
            if quiet >= streak:
                return True
            last = now
        return False

    def _gui_processes(self) -> list[psutil.Process]:
        return self._app_processes(lambda spec: spec.gui)

    def _app_processes(self, which: Callable[[LaunchSpec], bool]) -> list[psutil.Process]:
        """Host-side processes of the apps launched so far that `which` picks (with their children)."""
        pids = {app.pid for app in self.apps if which(app.spec)}
        found: list[psutil.Process] = []
        for p in self.sandbox.processes():  # type: ignore[union-attr]
            if _namespace_pid(p.pid) in pids:
                with contextlib.suppress(psutil.Error):
                    found += [p, *p.children(recursive=True)]
        return found

    def _cpu_seconds(self) -> float:
        # Only GUI apps and the X server count: a task's own background jobs may never idle.
        return self.cpu_probe(with_x_server=True)()

    def cpu_probe(self, with_x_server: bool = False) -> Callable[[], float]:
        """A cheap function returning the CPU-seconds used so far by the GUI apps' processes
        (as they are now; processes started later are not followed). Nanosecond-precise where
        the kernel keeps scheduler statistics, so windows of a few milliseconds can be judged
        (the usual counters move in 10 ms ticks)."""
        procs = self._gui_processes_cached()
        if with_x_server and self.display is not None and self.display.pid:
            with contextlib.suppress(psutil.Error):
                procs = [*procs, psutil.Process(self.display.pid)]
        pids = [p.pid for p in procs]

        def total() -> float:
            seconds = 0.0
            for pid, p in zip(pids, procs):
                precise = _run_time_s(pid)
                if precise is not None:
                    seconds += precise
                    continue
                try:
                    t = p.cpu_times()
                    seconds += t.user + t.system
                except psutil.Error:
                    pass
            return seconds
        return total

    def _gui_processes_cached(self, max_age_s: float = 1.0) -> list[psutil.Process]:
        """The GUI apps' processes, listed again after an app starts or `max_age_s` at most
        (walking the sandbox's processes costs more than a whole settled screenshot)."""
        now = time.monotonic()
        cached = self._gui_cache
        if cached is None or cached[1] != len(self.apps) or now - cached[0] > max_age_s:
            cached = self._gui_cache = (now, len(self.apps), self._gui_processes())
        return cached[2]

    # -- windows -------------------------------------------------------------------------------
    def windows(self) -> list[int]:
        return windows.client_list(self._x)

    def window_info(self) -> list[dict[str, Any]]:
        return windows.window_info(self._x)

    def activate_window(self, window_name: str, strict: bool = False, by_class: bool = False) -> bool:
        return windows.activate(self._x, window_name, strict, by_class)

    def close_window(self, window_name: str, strict: bool = False, by_class: bool = False) -> bool:
        return windows.close(self._x, window_name, strict, by_class)

    @property
    def home(self) -> Path:
        assert self.sandbox is not None
        return self.sandbox.home


def _run_time_s(pid: int) -> float | None:
    """CPU time of all of a process's threads from /proc/PID/task/*/schedstat (ns), or None."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    total = 0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as fh:
                total += int(fh.read().split(None, 1)[0])
        except (OSError, ValueError, IndexError):
            continue   # the thread ended meanwhile
    return total / 1e9


def _namespace_pid(host_pid: int) -> int | None:
    """The PID a host process has inside its (innermost) PID namespace."""
    try:
        with open(f"/proc/{host_pid}/status") as f:
            for line in f:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        pass
    return None


def _ready(spec: LaunchSpec, window: dict[str, Any]) -> bool:
    """Whether a new window shows the app ready for work (not a splash or a blank frame)."""
    name = window["name"]
    if spec.app == "soffice":
        return " - LibreOffice" in name  # document windows; "LibreOffice 7.4" is the start frame
    return bool(name) and name not in spec.splash_titles

