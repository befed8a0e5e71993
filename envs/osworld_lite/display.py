"""A private X display per episode: Xvfb on a free display number.

Xvfb picks the display itself (`-displayfd`), so concurrent episodes never race for a
number. TCP is off; clients (the sandboxed apps, our XTEST input and screen grabs) connect
through the Unix socket `/tmp/.X11-unix/X<n>`, which the sandbox binds in, and must
present the display's random cookie (`xauth.py`). The window manager and the D-Bus session
run inside the sandbox (see `session.py`), never on the host: openbox's root menu can
start programs. When the runner is root, Xvfb runs as the unprivileged `nobody` (its socket
is world-connectable; the cookie is what guards it).
"""
from __future__ import annotations

import os
import pwd
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envs.errors import InfrastructureError, MissingDependencyError
from envs.osworld_lite import launcher, xauth

X11_SOCKET_DIR = "/tmp/.X11-unix"


@dataclass
class Display:
    width: int = 1280
    height: int = 720
    depth: int = 24
    number: int | None = None
    _proc: subprocess.Popen | None = field(default=None, repr=False)
    _log: Any = field(default=None, repr=False)
    _auth_dir: Any = field(default=None, repr=False)
    cookie: bytes = field(default=b"", repr=False)

    @property
    def name(self) -> str:
        if self.number is None:
            raise InfrastructureError("the display is not started")
        return f":{self.number}"

    @property
    def socket_path(self) -> str:
        return f"{X11_SOCKET_DIR}/X{self.number}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, timeout: float = 10.0) -> Display:
        exe = shutil.which("Xvfb")
        if exe is None:
            raise MissingDependencyError("Xvfb", "sudo apt-get install -y xvfb")
        read_fd, write_fd = os.pipe()
        # Xvfb's messages go to a file: an undrained pipe would block the server once full.
        self._log = tempfile.TemporaryFile()
        self.cookie = xauth.new_cookie()
        self._auth_dir = tempfile.TemporaryDirectory(prefix="olite-x-")
        server_auth = Path(self._auth_dir.name) / "server.xauth"
        xauth.write_file(server_auth, [(xauth.FAMILY_WILD, b"", b"", self.cookie)])
        try:
            # setpriv --pdeathsig: the X server dies with the runner (see launcher.py).
            setpriv = shutil.which("setpriv")
            prefix = [setpriv, "--pdeathsig", "KILL"] if setpriv else []
            if os.geteuid() == 0:
                prefix = [*self._unprivileged(setpriv), *prefix[1:]]
                os.chown(self._auth_dir.name, self._xuid, self._xgid)
                os.chown(server_auth, self._xuid, self._xgid)
            self._proc = launcher.popen(
                [*prefix, exe, "-displayfd", str(write_fd), "-screen", "0",
                 f"{self.width}x{self.height}x{self.depth}", "-nolisten", "tcp", "-auth", str(server_auth), "-noreset",
                 "-dpi", "96", "+extension", "XTEST", "+extension", "RANDR"],
                pass_fds=(write_fd,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=self._log, start_new_session=True, env=_x_env(),
            )
        finally:
            os.close(write_fd)
        try:
            self.number = int(self._read_line(read_fd, timeout))
            xauth.allow_clients(self.number, self.cookie)
        except Exception:
            err = self._stderr_tail()
            self.stop()
            raise InfrastructureError(f"Xvfb did not start: {err or 'no display number reported'}") from None
        finally:
            os.close(read_fd)
        return self

    def _unprivileged(self, setpriv: str | None) -> list[str]:
        """setpriv arguments that drop a root runner's X server to `nobody`."""
        if setpriv is None:
            raise MissingDependencyError("setpriv", "sudo apt-get install -y util-linux")
        nobody = pwd.getpwnam("nobody")
        self._xuid, self._xgid = nobody.pw_uid, nobody.pw_gid
        _socket_folder()
        return [setpriv, f"--reuid={self._xuid}", f"--regid={self._xgid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all"]

    def _read_line(self, fd: int, timeout: float) -> str:
        buf = b""
        deadline = time.monotonic() + timeout
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError("Xvfb start timed out")
            chunk = os.read(fd, 64)
            if not chunk:
                raise EOFError("Xvfb exited")
            buf += chunk
        return buf.decode().strip()

    def _stderr_tail(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-500:]

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if self.number is not None:
            xauth.forget(self.number)
        if self._auth_dir is not None:
            self._auth_dir.cleanup()
            self._auth_dir = None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck X server
            pass
        if self._log is not None:
            self._log.close()
            self._log = None


def _socket_folder() -> None:
    """/tmp/.X11-unix as X expects it (root's, sticky, world-writable), so that an X server
    that is not root can create its socket there."""
    try:
        os.mkdir(X11_SOCKET_DIR, 0o1777)
        os.chmod(X11_SOCKET_DIR, 0o1777)
    except FileExistsError:
        pass


def _x_env() -> dict[str, str]:
    # Xvfb needs nothing from the runner's environment (and must not inherit API keys).
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
