"""The bubblewrap sandbox that holds every process of one episode.

`env -i bwrap …` starts from an empty environment; the sandbox sees only read-only system
directories an app needs (/usr, the merged /bin /lib links, a subset of /etc), a fresh
writable HOME, a private /tmp, /run and /var, and the episode's X socket. It has its own user
(uid 1000 in a user namespace; when the runner is root it first drops to the host's `nobody`),
PID, IPC, UTS and network namespaces (loopback only). Host home directories, the project
checkout, the trajectory database and the runner's environment variables are never visible.

Inside runs `sandbox_helpers/supervisor.py` (Debian's python3), which starts programs on the
host's behalf over a Unix socket in a bound control folder. Killing bwrap ends the PID
namespace and with it every process of the episode.
"""
from __future__ import annotations

import atexit
import base64
import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from envs.errors import InfrastructureError, MissingDependencyError
from envs.osworld_lite import launcher, xauth

SANDBOX_UID = 1000
SANDBOX_HOME = "/home/user"
SANDBOX_CTL = "/run/olite"
SANDBOX_TOOLS = "/opt/olite"
SANDBOX_HOSTNAME = "olite"
HELPERS_DIR = Path(__file__).with_name("sandbox_helpers")
# /etc entries apps read (fonts, dynamic linker, GTK/LibreOffice/Chromium/D-Bus/openbox config).
ETC_ENTRIES = (
    "fonts", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf",
    "alternatives", "xdg", "gtk-2.0", "gtk-3.0", "libreoffice", "chromium", "chromium.d", "dbus-1",
    "X11", "mime.types", "ssl", "ca-certificates", "hosts", "host.conf", "gai.conf", "os-release",
    "debian_version", "dconf", "locale.alias", "bash.bashrc", "inputrc", "papersize", "libpaper.d",
    "profile", "python3", "python3.11", "magic", "magic.mime", "ImageMagick-6", "environment",
    "vim", "emacs", "mailcap", "shells", "login.defs",
)
BASE_ENV = {
    "HOME": SANDBOX_HOME, "USER": "user", "LOGNAME": "user", "SHELL": "/bin/bash",
    "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
    "XDG_RUNTIME_DIR": f"/run/user/{SANDBOX_UID}", "XDG_CONFIG_HOME": f"{SANDBOX_HOME}/.config",
    "XDG_DATA_HOME": f"{SANDBOX_HOME}/.local/share", "XDG_CACHE_HOME": f"{SANDBOX_HOME}/.cache",
    "DBUS_SESSION_BUS_ADDRESS": f"unix:path=/run/user/{SANDBOX_UID}/bus",
    "TERM": "xterm-256color", "NO_AT_BRIDGE": "0",
}


# Episode folders not closed by the time the interpreter exits (a spare desktop still
# starting, a crashed caller) are removed then; their processes die with the runner.
_LIVE_ROOTS: set[Path] = set()
atexit.register(lambda: [shutil.rmtree(root, ignore_errors=True) for root in list(_LIVE_ROOTS)])


def _host_uid() -> tuple[int, int, list[str]]:
    """(uid, gid, prefix) the sandbox runs as on the host: never root."""
    if os.geteuid() != 0:
        return os.geteuid(), os.getegid(), []
    nobody = pwd.getpwnam("nobody")
    setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
    prefix = [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
              "--inh-caps=-all", "--bounding-set=-all"]
    return nobody.pw_uid, nobody.pw_gid, prefix


@dataclass
class Sandbox:
    """One episode's sandbox. `start()` it, `spawn`/`run` programs in it, `close()` it."""

    display: str
    x_socket: str
    base_dir: str | None = None
    x_cookie: bytes = b""
    root: Path = field(init=False)
    _proc: subprocess.Popen | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.uid, self.gid, self._prefix = _host_uid()
        self.root = Path(tempfile.mkdtemp(prefix="olite-", dir=self.base_dir))
        _LIVE_ROOTS.add(self.root)
        os.chmod(self.root, 0o711)
        for sub in ("home", "ctl"):
            (self.root / sub).mkdir(mode=0o700)
        self._write_identity()
        shutil.copytree(HELPERS_DIR, self.root / "tools", ignore=shutil.ignore_patterns("__pycache__"))
        if self.x_cookie:
            number = int(self.display.lstrip(":").split(".")[0])
            xauth.write_file(self.root / "tools" / "Xauthority",
                             xauth.sandbox_entries(number, self.x_cookie, SANDBOX_HOSTNAME))
            os.chmod(self.root / "tools" / "Xauthority", 0o644)  # read by the sandbox's user

    # -- host-side paths -------------------------------------------------------------------
    @property
    def home(self) -> Path:
        return self.root / "home"

    def host_path(self, sandbox_path: str) -> Path:
        """Host path of a file under the sandbox HOME (`~/x`, `/home/user/x` or relative)."""
        p = sandbox_path
        if p == "~" or p.startswith("~/"):
            p = SANDBOX_HOME + p[1:]
        if not p.startswith("/"):
            p = f"{SANDBOX_HOME}/{p}"
        rel = os.path.normpath(p)
        if rel != SANDBOX_HOME and not rel.startswith(SANDBOX_HOME + "/"):
            raise ValueError(f"{sandbox_path!r} is not inside the episode's HOME ({SANDBOX_HOME})")
        return self.home / os.path.relpath(rel, SANDBOX_HOME)

    def give_home(self) -> None:
        """Hand every file under HOME to the sandbox user (fixtures are written by the host)."""
        if os.geteuid() != 0:
            return
        for dirpath, dirnames, filenames in os.walk(self.home):
            os.chown(dirpath, self.uid, self.gid)
            for name in dirnames + filenames:
                os.lchown(os.path.join(dirpath, name), self.uid, self.gid)

    def _write_identity(self) -> None:
        etc = self.root / "etc"
        etc.mkdir()
        (etc / "passwd").write_text(f"user:x:{SANDBOX_UID}:{SANDBOX_UID}:User:{SANDBOX_HOME}:/bin/bash\n"
                                    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        (etc / "group").write_text(f"user:x:{SANDBOX_UID}:\nnogroup:x:65534:\n")
        (etc / "machine-id").write_text(os.urandom(16).hex() + "\n")
        (etc / "hostname").write_text("olite\n")

    # -- lifecycle ---------------------------------------------------------------------------
    def command(self) -> list[str]:
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise MissingDependencyError("bubblewrap", "sudo apt-get install -y bubblewrap")
        args = ["/usr/bin/env", "-i", *self._prefix, bwrap,
                "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net", "--unshare-cgroup-try",
                "--hostname", SANDBOX_HOSTNAME, "--die-with-parent", "--new-session",
                "--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
            target = Path("/") / name
            if target.is_symlink():
                args += ["--symlink", os.readlink(target), f"/{name}"]
            elif target.is_dir():
                args += ["--ro-bind", str(target), f"/{name}"]
        for name in ETC_ENTRIES:
            args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        for name in ("passwd", "group", "machine-id", "hostname"):
            args += ["--ro-bind", str(self.root / "etc" / name), f"/etc/{name}"]
        # The host's font cache: without it every app rebuilds one per episode (seconds).
        args += ["--ro-bind-try", "/var/cache/fontconfig", "/var/cache/fontconfig"]
        args += ["--ro-bind", str(self.root / "etc" / "machine-id"), "/var/lib/dbus/machine-id",
                 "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/dev/shm",
                 "--tmpfs", "/tmp", "--tmpfs", "/var/tmp",
                 "--dir", "/tmp/.X11-unix", "--ro-bind", self.x_socket, self.x_socket,
                 "--perms", "0700", "--tmpfs", f"/run/user/{SANDBOX_UID}",
                 "--bind", str(self.home), SANDBOX_HOME,
                 "--bind", str(self.root / "ctl"), SANDBOX_CTL,
                 "--ro-bind", str(self.root / "tools"), SANDBOX_TOOLS,
                 # Everything outside HOME and the private tmpfs folders is read-only.
                 "--remount-ro", "/", "--chdir", SANDBOX_HOME]
        env = {**BASE_ENV, "DISPLAY": self.display, "OLITE_SOCKET": f"{SANDBOX_CTL}/supervisor.sock"}
        if self.x_cookie:
            env["XAUTHORITY"] = f"{SANDBOX_TOOLS}/Xauthority"
        for key, value in env.items():
            args += ["--setenv", key, value]
        args += ["/usr/bin/python3", "-I", f"{SANDBOX_TOOLS}/supervisor.py"]
        return args

    def start(self, timeout: float = 10.0) -> Sandbox:
        if os.geteuid() == 0:
            for sub in ("home", "ctl"):
                os.chown(self.root / sub, self.uid, self.gid)
        self._log = open(self.root / "sandbox.log", "wb")
        self._proc = launcher.popen(self.command(), stdin=subprocess.DEVNULL, stdout=self._log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        sock = self.root / "ctl" / "supervisor.sock"
        deadline = time.monotonic() + timeout
        while not sock.exists():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                log = (self.root / "sandbox.log").read_text(errors="replace")[-800:]
                self.close()
                raise InfrastructureError(f"the bubblewrap sandbox did not start: {log.strip() or 'timeout'}")
            time.sleep(0.005)
        return self

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def processes(self) -> list[psutil.Process]:
        """Every live process of the episode (bwrap and all it started, reparented or not)."""
        return self.processes_of(self._proc.pid) if self._proc is not None else []

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            procs = self.processes_of(proc.pid)
            # Kill the namespace's PID 1 (bwrap's inner half) first: the kernel then kills
            # everything in the namespace and the outer bwrap, our child, reaps it and exits.
            inner = [p for p in procs[1:] if _ppid(p) == proc.pid]
            for p in inner or procs:
                with contextlib.suppress(psutil.Error):
                    p.send_signal(signal.SIGKILL)
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:  # pragma: no cover - bwrap did not follow its child
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        p.send_signal(signal.SIGKILL)
                proc.wait(timeout=5)
            _wait_gone(procs, timeout=5)
        if getattr(self, "_log", None):
            self._log.close()
        shutil.rmtree(self.root, ignore_errors=True)
        _LIVE_ROOTS.discard(self.root)

    @staticmethod
    def processes_of(pid: int) -> list[psutil.Process]:
        try:
            top = psutil.Process(pid)
            return [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    # -- talking to the supervisor -----------------------------------------------------------
    def request(self, op: str, timeout: float = 15.0, **fields: Any) -> dict[str, Any]:
        if not self.alive():
            raise InfrastructureError("the episode's sandbox is not running")
        path = str(self.root / "ctl" / "supervisor.sock")
        try:
            with connect_unix(path, timeout) as conn:
                conn.sendall(json.dumps({"op": op, **fields}).encode() + b"\n")
                chunks = []
                while not (chunks and chunks[-1].endswith(b"\n")):
                    chunk = conn.recv(1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
        except OSError as exc:
            raise InfrastructureError(f"the sandbox supervisor does not answer ({op}): {exc}") from exc
        try:
            reply = json.loads(b"".join(chunks))
        except ValueError as exc:
            raise InfrastructureError(f"the sandbox supervisor sent a broken reply to {op}") from exc
        if "error" in reply:
            raise InfrastructureError(f"sandbox {op} failed: {reply['error']}")
        return reply

    def spawn(self, argv: list[str], *, env: dict[str, str] | None = None, name: str | None = None,
              cwd: str | None = None) -> int:
        """Start a program in the background; returns its PID inside the sandbox."""
        return int(self.request("spawn", argv=argv, env=env or {}, name=name, cwd=cwd)["pid"])

    def run(self, argv: list[str], *, timeout: float = 30.0, env: dict[str, str] | None = None,
            input: str = "", cwd: str | None = None) -> dict[str, Any]:
        """Run a command to completion: {returncode, stdout, stderr, timed_out}."""
        return self.request("run", timeout=timeout + 10, argv=argv, env=env or {}, input=input,
                            cwd=cwd, limit=float(timeout))

    def read_file(self, path: str, max_bytes: int = 64 * 1024 * 1024) -> bytes | None:
        """A file's bytes as seen inside the sandbox; None when it does not exist."""
        reply = self.request("read_file", timeout=30, path=path, max_bytes=max_bytes)
        if not reply["exists"]:
            return None
        if reply.get("is_dir"):
            raise IsADirectoryError(path)
        return base64.b64decode(reply["data_b64"])

    def write_files(self, files: dict[str, bytes]) -> None:
        """Write files into the sandbox (paths as the sandbox sees them, `~` allowed)."""
        items = [{"path": p, "data_b64": base64.b64encode(data).decode()} for p, data in files.items()]
        self.request("write_files", timeout=60, files=items)

    def status(self) -> dict[str, dict[str, Any]]:
        return self.request("status", timeout=5)["procs"]

    def kill(self, pid: int, sig: int = signal.SIGKILL) -> None:
        self.request("kill", timeout=5, pid=pid, signal=int(sig))



def _wait_gone(procs: list[psutil.Process], timeout: float) -> None:
    """Wait until none of `procs` runs any more (zombies count as gone)."""
    deadline = time.monotonic() + timeout
    left = list(procs)
    while left and time.monotonic() < deadline:
        still = []
        for p in left:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    still.append(p)
            except psutil.Error:
                pass
        left = still
        if left:
            time.sleep(0.005)


def _ppid(p: psutil.Process) -> int | None:
    try:
        return p.ppid()
    except psutil.Error:
        return None


def connect_unix(path: str, timeout: float | None = None) -> socket.socket:
    """Connect to a Unix socket that lives in a folder the sandbox can write.

    Code in the sandbox could swap the socket for a symlink to a host socket; opening the
    last component with O_NOFOLLOW and connecting through /proc/self/fd pins the very inode
    that was checked.
    """
    fd = os.open(path, os.O_PATH | os.O_NOFOLLOW)
    try:
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            raise ConnectionRefusedError(f"{path} is not a socket")
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(timeout)
        try:
            conn.connect(f"/proc/self/fd/{fd}")
        except OSError:
            conn.close()
            raise
        return conn
    finally:
        os.close(fd)
