"""The bubblewrap sandbox that holds every process of one episode.

`env -i bwrap …` starts from an empty environment; the sandbox sees only read-only system
directories an app needs (/usr, the merged /bin /lib links, a subset of /etc), a fresh
writable HOME, a private /tmp, /run and /var, and the episode's X socket. It has its own user
(uid 1000 in a user namespace; when the runner is root it first drops to the host's `nobody`),
PID, IPC, UTS and network namespaces (loopback only). Host home directories, the project
checkout, the trajectory database and the runner's environment variables are never visible.

Inside runs `sandbox_helpers/supervisor.py` (Debian's python3), which starts programs in the
agent's PID namespace on the host's behalf (`spawn`, `run_in_session`, `status`, `kill`).
Killing bwrap ends the PID namespace and with it every process of the episode.

Limits and isolation
--------------------
Nothing the agent can kill, replace, write or impersonate takes part in computing a reward:
the host pins the sandbox's namespaces and root directory at start, runs every evaluation
command (`run`) as a fresh process it starts with `nsenter` into those namespaces, in a PID
namespace of its own outside the agent's (pipes, a 4 MiB output cap and a timeout enforced
by the host), and reads result files itself (`read_file`: openat2 RESOLVE_IN_ROOT on the
pinned root, regular files only, size-capped). The supervisor accepts on a listening socket
the host created in a host-only folder and handed over as an inherited fd, is not dumpable,
and its replies are size-capped; the DevTools forwarder gets its socket the same way and runs
outside the agent's PID namespace, and the session checks that Chromium's port is served by
the Chromium it launched. Per episode: tmpfs sizes (`TMPFS_BYTES`), RLIMIT_FSIZE 1 GiB,
RLIMIT_NPROC 4096 and no core dumps for every sandbox process, HOME a 2 GiB tmpfs when the
runner is root (its size checked after each step otherwise), a 4 GiB memory cgroup where the
runner may create one, the sandbox's output drained through a pipe (never a host file), and
`Sandbox.limits` (also in every evaluation's details) records which are in force.

Evaluation commands see the sandbox's /proc but have no PID in it, so procps tools (ps,
pgrep), which want /proc/self, refuse to run there: evaluators read /proc/[0-9]*/ instead.
"""
from __future__ import annotations

import atexit
import base64
import contextlib
import ctypes
import errno
import fcntl
import json
import os
import platform
import pwd
import selectors
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from envs.errors import InfrastructureError, MissingDependencyError
from envs.osworld_lite import launcher, xauth

SANDBOX_UID = 1000
SANDBOX_HOME = "/home/user"
SANDBOX_TOOLS = "/opt/olite"
SANDBOX_HOSTNAME = "olite"
HELPERS_DIR = Path(__file__).with_name("sandbox_helpers")
# /etc entries apps read (fonts, dynamic linker, GTK/LibreOffice/Chromium/GIMP/Thunderbird/D-Bus/openbox config).
# Not /etc/environment: the host's variables stay on the host.
ETC_ENTRIES = (
    "fonts", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf",
    "alternatives", "xdg", "gtk-2.0", "gtk-3.0", "libreoffice", "chromium", "chromium.d", "dbus-1",
    "X11", "mime.types", "ssl", "ca-certificates", "hosts", "host.conf", "gai.conf", "os-release",
    "debian_version", "dconf", "locale.alias", "bash.bashrc", "inputrc", "papersize", "libpaper.d",
    "profile", "python3", "python3.11", "magic", "magic.mime", "ImageMagick-6",
    "vim", "emacs", "mailcap", "shells", "login.defs", "gimp", "thunderbird",
)
BASE_ENV = {
    "HOME": SANDBOX_HOME, "USER": "user", "LOGNAME": "user", "SHELL": "/bin/bash",
    # SANDBOX_TOOLS/bin first: its `sudo` answers as on OSWorld's VM (sandbox_helpers/bin/sudo).
    "PATH": "/opt/olite/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
    "XDG_RUNTIME_DIR": f"/run/user/{SANDBOX_UID}", "XDG_CONFIG_HOME": f"{SANDBOX_HOME}/.config",
    "XDG_DATA_HOME": f"{SANDBOX_HOME}/.local/share", "XDG_CACHE_HOME": f"{SANDBOX_HOME}/.cache",
    "DBUS_SESSION_BUS_ADDRESS": f"unix:path=/run/user/{SANDBOX_UID}/bus",
    "TERM": "xterm-256color", "NO_AT_BRIDGE": "0",
}

MiB, GiB = 1 << 20, 1 << 30
TMPFS_BYTES = {"/tmp": 512 * MiB, "/var/tmp": 128 * MiB, "/dev/shm": 512 * MiB,
               f"/run/user/{SANDBOX_UID}": 32 * MiB}
HOME_BYTES = 2 * GiB
FILE_BYTES = 1 * GiB          # RLIMIT_FSIZE of every process in the sandbox (the supervisor sets it too)
AGENT_NPROC = 4096            # RLIMIT_NPROC the supervisor sets for the agent's PID namespace
MEMORY_BYTES = 4 * GiB        # memory cgroup of the episode (tmpfs pages count too)
MAX_OUTPUT = 4 * MiB          # per stream of an evaluation command
MAX_REPLY = 16 * MiB          # one supervisor reply
MAX_READ = 64 * MiB           # default cap of read_file
NS_GET_USERNS = 0xB701          # ioctl: the user namespace owning a namespace
NAMESPACES = (("user", "user"), ("mnt", "mount"), ("net", "net"), ("ipc", "ipc"), ("uts", "uts"))


class SandboxBroken(InfrastructureError):
    """A part inside the sandbox failed (the sandbox or its supervisor died, stopped answering
    or ran out of a per-episode resource). Before the agent acted this is an infrastructure
    error; after it, the agent did it (`session.blame`)."""


class ResultTooLarge(ValueError):
    """A file the host was asked to read is larger than the cap."""


# Episode folders not closed by the time the interpreter exits (a spare desktop still
# starting, a crashed caller) are removed then; their processes die with the runner.
_LIVE: set[Sandbox] = set()
atexit.register(lambda: [box._remove_files() for box in list(_LIVE)])


def _host_uid() -> tuple[int, int, list[str]]:
    """(uid, gid, prefix) the sandbox runs as on the host: never root."""
    if os.geteuid() != 0:
        return os.geteuid(), os.getegid(), []
    nobody = pwd.getpwnam("nobody")
    prefix = [_tool("setpriv"), f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
              "--inh-caps=-all", "--bounding-set=-all"]
    return nobody.pw_uid, nobody.pw_gid, prefix


def _tool(name: str) -> str:
    path = shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")
    if path is None:
        raise MissingDependencyError(name, "sudo apt-get install -y util-linux bubblewrap")
    return path


@dataclass(eq=False)
class Sandbox:
    """One episode's sandbox. `start()` it, `spawn`/`run` programs in it, `close()` it."""

    display: str
    x_socket: str
    base_dir: str | None = None
    x_cookie: bytes = b""
    root: Path = field(init=False)
    limits: dict[str, str] = field(init=False)
    _proc: subprocess.Popen | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.uid, self.gid, self._prefix = _host_uid()
        self.root = Path(tempfile.mkdtemp(prefix="olite-", dir=self.base_dir))
        _LIVE.add(self)
        self._ns_fds: dict[str, int] = {}
        self._root_fd: int | None = None
        self._owner_fd: int | None = None
        self._init_pid: int | None = None
        self._helpers: list[subprocess.Popen] = []
        self._cgroup: Path | None = None
        self._home_mounted = False
        self._log: Any = None
        self.limits = {}
        os.chmod(self.root, 0o711)
        # ctl: the host's control sockets; the sandbox never sees this folder.
        for sub in ("home", "ctl"):
            (self.root / sub).mkdir(mode=0o700)
        self._mount_home()
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

    @property
    def env(self) -> dict[str, str]:
        """The fixed environment of every process in the sandbox."""
        env = {**BASE_ENV, "DISPLAY": self.display}
        if self.x_cookie:
            env["XAUTHORITY"] = f"{SANDBOX_TOOLS}/Xauthority"
        return env

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

    def home_usage(self, budget: int = 200_000) -> int:
        """Bytes allocated under HOME (for runners that cannot give HOME a size-limited mount)."""
        total, seen = 0, 0
        for dirpath, dirnames, filenames in os.walk(self.home):
            for name in dirnames + filenames:
                seen += 1
                with contextlib.suppress(OSError):
                    total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
                if seen > budget:
                    return total
        return total

    def _write_identity(self) -> None:
        etc = self.root / "etc"
        etc.mkdir()
        (etc / "passwd").write_text(f"user:x:{SANDBOX_UID}:{SANDBOX_UID}:User:{SANDBOX_HOME}:/bin/bash\n"
                                    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        (etc / "group").write_text(f"user:x:{SANDBOX_UID}:\nnogroup:x:65534:\n")
        (etc / "machine-id").write_text(os.urandom(16).hex() + "\n")
        (etc / "hostname").write_text("olite\n")

    def _mount_home(self) -> None:
        """HOME as a size-limited tmpfs (root only): a huge file the agent writes stops at
        HOME_BYTES instead of filling the host disk."""
        if os.geteuid() != 0:
            self.limits["home"] = f"checked after each step ({HOME_BYTES} bytes; runner is not root)"
            return
        opts = f"size={HOME_BYTES},mode=0700,uid={self.uid},gid={self.gid}".encode()
        target = os.fsencode(self.home)
        if _libc.mount(b"olite-home", target, b"tmpfs", MS_NOSUID | MS_NODEV, opts) != 0:
            why = os.strerror(ctypes.get_errno())
            self.limits["home"] = f"checked after each step ({HOME_BYTES} bytes; tmpfs mount failed: {why})"
            return
        self._home_mounted = True
        _libc.mount(None, target, None, MS_PRIVATE, None)
        self.limits["home"] = f"tmpfs of {HOME_BYTES} bytes"

    # -- lifecycle ---------------------------------------------------------------------------
    def command(self, listen_fd: int) -> list[str]:
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
                 "--proc", "/proc", "--dev", "/dev"]
        for path, size in TMPFS_BYTES.items():
            if path.startswith("/run/user/"):
                args += ["--perms", "0700"]
            args += ["--size", str(size), "--tmpfs", path]
        args += ["--dir", "/tmp/.X11-unix", "--ro-bind", self.x_socket, self.x_socket,
                 "--bind", str(self.home), SANDBOX_HOME,
                 "--ro-bind", str(self.root / "tools"), SANDBOX_TOOLS,
                 # Everything outside HOME and the private tmpfs folders is read-only.
                 "--remount-ro", "/", "--chdir", SANDBOX_HOME]
        self.limits["tmpfs"] = ", ".join(f"{p} {s}" for p, s in TMPFS_BYTES.items())
        for key, value in {**self.env, "OLITE_LISTEN_FD": str(listen_fd)}.items():
            args += ["--setenv", key, value]
        args += ["/usr/bin/python3", "-I", f"{SANDBOX_TOOLS}/supervisor.py"]
        return args

    def start(self, timeout: float = 10.0) -> Sandbox:
        if os.geteuid() == 0:
            os.chown(self.home, self.uid, self.gid)
        self._cgroup = _make_cgroup(self.root.name, self.limits)
        self.limits["files"] = f"RLIMIT_FSIZE {FILE_BYTES} bytes, RLIMIT_NPROC 4096, no core dumps"
        listener = listen_unix(self.root / "ctl" / "supervisor.sock")
        # The sandbox's output goes to a pipe the host drains, keeping only its tail: a file
        # would let the agent (through /proc/1/fd/1) write into the host's disk.
        read_end, write_end = os.pipe()
        self._log = _Tail(read_end)
        try:
            self._proc = launcher.popen(
                [*self._cgroup_prefix(), *self.command(listener.fileno())], pass_fds=(listener.fileno(),),
                stdin=subprocess.DEVNULL, stdout=write_end, stderr=subprocess.STDOUT, start_new_session=True,
                env=_host_env())
        finally:
            listener.close()  # only the supervisor holds it: when it dies, connecting is refused
            os.close(write_end)
        try:
            self._wait_ready(timeout)
            self._pin()
        except InfrastructureError as exc:
            time.sleep(0.05)  # let the last words of a failed start arrive
            log = self._log.text()[-800:]
            self.close()
            raise InfrastructureError(f"the bubblewrap sandbox did not start: {log.strip() or exc}") from None
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.request("ping", timeout=0.5)
                return
            except SandboxBroken as exc:
                if not self.alive() or time.monotonic() > deadline:
                    raise InfrastructureError(str(exc)) from None
                time.sleep(0.01)

    def _pin(self) -> None:
        """Hold the sandbox's namespaces and root directory from the start: what the host
        enters and reads later cannot be swapped by anything the agent does inside."""
        assert self._proc is not None
        inner = [p for p in self.processes_of(self._proc.pid)[1:] if _ppid(p) == self._proc.pid]
        if len(inner) != 1:
            raise InfrastructureError("cannot find the sandbox's init process")
        pid = inner[0].pid
        try:
            for ns, _flag in NAMESPACES:
                self._ns_fds[ns] = os.open(f"/proc/{pid}/ns/{ns}", os.O_RDONLY | os.O_CLOEXEC)
            self._root_fd = os.open(f"/proc/{pid}/root", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            # bwrap run by an unprivileged user nests the final user namespace in the one that
            # owns the others; entering those needs the owner's first.
            owner = fcntl.ioctl(self._ns_fds["mnt"], NS_GET_USERNS)
            os.set_inheritable(owner, False)
            if os.fstat(owner).st_ino == os.fstat(self._ns_fds["user"]).st_ino:
                os.close(owner)
            else:
                self._owner_fd = owner
        except OSError as exc:
            raise InfrastructureError(f"cannot open the sandbox's namespaces: {exc}") from exc
        self._init_pid = pid

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def init_pid(self) -> int | None:
        """Host PID of the sandbox's PID 1 (bwrap's inner half)."""
        return self._init_pid

    def processes(self) -> list[psutil.Process]:
        """Every live process of the episode (bwrap and all it started, reparented or not)."""
        return self.processes_of(self._proc.pid) if self._proc is not None else []

    def close(self) -> None:
        proc, self._proc = self._proc, None
        for helper in self._helpers:
            with contextlib.suppress(OSError):
                helper.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                helper.wait(timeout=3)
        self._helpers.clear()
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
            _wait_gone(procs + self._namespace_members(), timeout=5)
        for fd in [*self._ns_fds.values(), self._root_fd, self._owner_fd]:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._ns_fds.clear()
        self._root_fd = self._owner_fd = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self._remove_files()

    def _namespace_members(self) -> list[psutil.Process]:
        """Kill what still lives in the sandbox's user namespace outside its PID namespace
        (evaluation commands that outlived their run, a helper): nothing may outlive close()."""
        user_fd = self._ns_fds.get("user")
        if user_fd is None:
            return []
        target = os.fstat(user_fd).st_ino
        found = []
        for p in psutil.process_iter():
            try:
                if os.stat(f"/proc/{p.pid}/ns/user").st_ino == target:
                    p.send_signal(signal.SIGKILL)
                    found.append(p)
            except (OSError, psutil.Error):
                continue
        return found

    def _remove_files(self) -> None:
        if self._home_mounted:
            _libc.umount2(os.fsencode(self.home), MNT_DETACH)
            self._home_mounted = False
        if self._cgroup is not None:
            _remove_cgroup(self._cgroup)
            self._cgroup = None
        shutil.rmtree(self.root, ignore_errors=True)
        _LIVE.discard(self)

    @staticmethod
    def processes_of(pid: int) -> list[psutil.Process]:
        try:
            top = psutil.Process(pid)
            return [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    # -- commands the host starts in the sandbox's namespaces ----------------------------------
    def _cgroup_prefix(self) -> list[str]:
        if self._cgroup is None:
            return []
        # The process joins the episode's cgroup before it runs anything else.
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self._cgroup / "cgroup.procs")]

    def _enter_command(self, argv: list[str], env: dict[str, str] | None, cwd: str | None,
                       own_pid_namespace: bool) -> tuple[list[str], tuple[int, ...]]:
        """The host command line that runs `argv` as the sandbox user in the sandbox's user,
        mount, network, IPC and UTS namespaces, never in the agent's PID namespace."""
        if self._root_fd is None or not self._ns_fds:
            raise SandboxBroken("the episode's sandbox is not running")
        fds = (*self._ns_fds.values(), self._root_fd)
        enter = [_tool("nsenter"), *(f"--{flag}=/proc/self/fd/{self._ns_fds[ns]}" for ns, flag in NAMESPACES),
                 f"--root=/proc/self/fd/{self._root_fd}"]
        # A PID namespace of its own: the command sees no host process and, when it ends,
        # nothing it started lives on.
        own_pid = [_tool("unshare"), "--pid", "--fork", "--kill-child", "--"] if own_pid_namespace else []
        if os.geteuid() == 0:
            # Root may enter every namespace at once and become the sandbox user there.
            enter = [*own_pid, *enter, "--setuid", str(SANDBOX_UID), "--setgid", str(SANDBOX_UID)]
        else:
            # The runner owns the sandbox's namespaces and is the sandbox user in them already.
            enter += ["--preserve-credentials"]
            if self._owner_fd is not None:
                # As the owning namespace's root it may also make the PID namespace.
                enter = [_tool("nsenter"), f"--user=/proc/self/fd/{self._owner_fd}", "--preserve-credentials",
                         "--", *own_pid, *enter]
                fds = (*fds, self._owner_fd)
        inner = ["/usr/bin/env", "-i", f"--chdir={_expand(cwd or SANDBOX_HOME)}", "--",
                 *(f"{k}={v}" for k, v in {**self.env, **(env or {})}.items()), *argv]
        # The agent's processes may use up to 4096 tasks (they share this uid's count): the
        # evaluation keeps room above that, and its own runaway stops too.
        outer = [*self._cgroup_prefix(), _tool("prlimit"), f"--fsize={FILE_BYTES}", "--core=0",
                 f"--nproc={2 * AGENT_NPROC}", "--", _tool("setpriv"), "--pdeathsig", "KILL", "--"]
        return [*outer, *enter, *inner], fds

    def run(self, argv: list[str], *, timeout: float = 30.0, env: dict[str, str] | None = None,
            input: str = "", cwd: str | None = None, max_output: int = MAX_OUTPUT) -> dict[str, Any]:
        """Run a command to completion in a fresh process the host starts (see the module
        docstring): {returncode, stdout, stderr, timed_out, overflow, killed_by_host}.

        The agent can neither see nor signal it. The host kills it at `timeout` or when a
        stream passes `max_output` bytes."""
        if not self.alive():
            raise SandboxBroken("the episode's sandbox is not running")
        cmd, fds = self._enter_command(argv, env, cwd, own_pid_namespace=True)
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                pass_fds=fds, env=_host_env(), start_new_session=True)
        out, err, timed_out, overflow = _collect(proc, input.encode(), timeout, max_output)
        killed = timed_out or overflow
        if killed:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
        rc = proc.wait()
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)  # what it left behind in its process group
        if rc == 1 and err.endswith(_UNSHARE_SIGKILL):
            # unshare cannot re-raise SIGKILL (it reports this instead): the command was killed.
            rc, err = -signal.SIGKILL, err[:-len(_UNSHARE_SIGKILL)]
        for f in (proc.stdin, proc.stdout, proc.stderr):
            with contextlib.suppress(OSError, ValueError):
                f.close()  # type: ignore[union-attr]
        return {"returncode": rc, "timed_out": timed_out, "overflow": overflow, "killed_by_host": killed,
                "stdout": out.decode(errors="replace"), "stderr": err.decode(errors="replace")}

    def start_helper(self, argv: list[str], pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
        """Start a long-lived host helper (the DevTools forwarder) in the sandbox's namespaces,
        outside the agent's PID namespace; it dies with the sandbox."""
        if not self.alive():
            raise SandboxBroken("the episode's sandbox is not running")
        cmd, fds = self._enter_command(argv, None, None, own_pid_namespace=False)
        proc = launcher.popen(cmd, pass_fds=(*fds, *pass_fds), stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_host_env(),
                              start_new_session=True)
        self._helpers.append(proc)
        return proc

    def read_file(self, path: str, max_bytes: int = MAX_READ) -> bytes | None:
        """A file's bytes as seen inside the sandbox; None when it does not exist (or is no
        regular file: a FIFO, a socket, a device). The host reads it itself: symlinks resolve
        inside the sandbox, never on the host. IsADirectoryError for a directory,
        ResultTooLarge past `max_bytes`."""
        if self._root_fd is None:
            raise SandboxBroken("the episode's sandbox is not running")
        rel = os.path.normpath(_expand(path)).lstrip("/") or "."
        try:
            fd = _openat2(self._root_fd, rel, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC,
                          RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EACCES, errno.ENXIO,
                             errno.EPERM, errno.EXDEV, errno.ENAMETOOLONG):
                return None
            raise
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(path)
            if not stat.S_ISREG(st.st_mode):
                return None
            if st.st_size > max_bytes:
                raise ResultTooLarge(f"{path} is {st.st_size} bytes, more than the {max_bytes} bytes a getter may read")
            chunks, size = [], 0
            while size <= max_bytes and (chunk := os.read(fd, min(1 << 20, max_bytes + 1 - size))):
                chunks.append(chunk)
                size += len(chunk)
            if size > max_bytes:
                raise ResultTooLarge(f"{path} grew past the {max_bytes} bytes a getter may read")
            return b"".join(chunks)
        finally:
            os.close(fd)

    # -- talking to the supervisor (in the agent's PID namespace) --------------------------------
    def request(self, op: str, timeout: float = 15.0, **fields: Any) -> dict[str, Any]:
        if not self.alive():
            raise SandboxBroken("the episode's sandbox is not running")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(timeout)
                conn.connect(str(self.root / "ctl" / "supervisor.sock"))
                conn.sendall(json.dumps({"op": op, **fields}).encode() + b"\n")
                data = _recv_line(conn, MAX_REPLY)
        except TimeoutError as exc:
            raise SandboxBroken(f"the sandbox supervisor did not answer {op} within {timeout:.0f} s") from exc
        except OSError as exc:
            raise SandboxBroken(f"the sandbox supervisor does not answer ({op}): {exc}") from exc
        try:
            reply = json.loads(data)
        except ValueError as exc:
            raise SandboxBroken(f"the sandbox supervisor sent a broken reply to {op}") from exc
        if "error" in reply:
            # Resource limits the agent can exhaust (processes, memory, disk) are its doing.
            cls = SandboxBroken if reply.get("errno") in _EXHAUSTED else InfrastructureError
            raise cls(f"sandbox {op} failed: {reply['error']}")
        return reply

    def spawn(self, argv: list[str], *, env: dict[str, str] | None = None, name: str | None = None,
              cwd: str | None = None) -> int:
        """Start a program in the background; returns its PID inside the sandbox."""
        return int(self.request("spawn", argv=argv, env=env or {}, name=name, cwd=cwd)["pid"])

    def run_in_session(self, argv: list[str], *, timeout: float = 30.0, env: dict[str, str] | None = None,
                       input: str = "", cwd: str | None = None) -> dict[str, Any]:
        """Run a command to completion inside the agent's PID namespace, through the supervisor:
        for a task's setup steps, before the agent acts (a background job they start lives on).
        Never for evaluation: use `run`."""
        return self.request("run", timeout=timeout + 10, argv=argv, env=env or {}, input=input,
                            cwd=cwd, limit=float(timeout))

    def write_files(self, files: dict[str, bytes]) -> None:
        """Write files into the sandbox (paths as the sandbox sees them, `~` allowed)."""
        items = [{"path": p, "data_b64": base64.b64encode(data).decode()} for p, data in files.items()]
        self.request("write_files", timeout=60, files=items)

    def status(self) -> dict[str, dict[str, Any]]:
        return self.request("status", timeout=5)["procs"]

    def kill(self, pid: int, sig: int = signal.SIGKILL) -> None:
        self.request("kill", timeout=5, pid=pid, signal=int(sig))


_UNSHARE_SIGKILL = b"unshare: sigprocmask unblock failed: Invalid argument\n"
_EXHAUSTED = (errno.EAGAIN, errno.ENOMEM, errno.ENOSPC, errno.EMFILE, errno.ENFILE, errno.EFBIG)


class _Tail:
    """Drains a pipe on a daemon thread and keeps the last `keep` bytes."""

    def __init__(self, fd: int, keep: int = 64 * 1024):
        self._fd, self._keep, self._buf = fd, keep, bytearray()
        self._thread = threading.Thread(target=self._drain, name="olite-sandbox-log", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        try:
            while chunk := os.read(self._fd, 65536):
                self._buf += chunk
                del self._buf[:-self._keep]
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                os.close(self._fd)

    def text(self) -> str:
        return bytes(self._buf).decode(errors="replace")

    def close(self) -> None:
        self._thread.join(timeout=1)  # the pipe ends when the sandbox's last process does


def _expand(path: str) -> str:
    if path == "~" or path.startswith("~/"):
        return SANDBOX_HOME + path[1:]
    return path if path.startswith("/") else f"{SANDBOX_HOME}/{path}"


def _host_env() -> dict[str, str]:
    # The host-side wrappers need nothing from the runner's environment.
    return {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"}


def listen_unix(path: Path) -> socket.socket:
    """A listening socket in a host-only folder, inheritable by the process it is passed to."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(64)
    return srv


def _recv_line(conn: socket.socket, limit: int) -> bytes:
    chunks, size = [], 0
    while not (chunks and chunks[-1].endswith(b"\n")):
        chunk = conn.recv(1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise ConnectionError(f"reply larger than {limit} bytes")
    return b"".join(chunks)


def _collect(proc: subprocess.Popen, data: bytes, timeout: float,
             limit: int) -> tuple[bytes, bytes, bool, bool]:
    """Feed stdin and read stdout/stderr incrementally: (out, err, timed_out, overflow)."""
    assert proc.stdin and proc.stdout and proc.stderr
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    bufs: dict[int, bytearray] = {out_fd: bytearray(), err_fd: bytearray()}
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        for f in (proc.stdout, proc.stderr):
            sel.register(f, selectors.EVENT_READ)
        if data:
            os.set_blocking(proc.stdin.fileno(), False)
            sel.register(proc.stdin, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()
        view = memoryview(data)
        while sel.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                return bytes(bufs[out_fd]), bytes(bufs[err_fd]), True, False
            for key, _ in sel.select(min(left, 1.0)):
                if key.fileobj is proc.stdin:
                    try:
                        view = view[os.write(proc.stdin.fileno(), view[:65536]):]
                    except BrokenPipeError:
                        view = view[:0]
                    if not view:
                        sel.unregister(proc.stdin)
                        proc.stdin.close()
                    continue
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                buf = bufs[key.fd]
                buf += chunk
                if len(buf) > limit:
                    del buf[limit:]
                    return bytes(bufs[out_fd]), bytes(bufs[err_fd]), False, True
    for f in (proc.stdin, proc.stdout, proc.stderr):
        with contextlib.suppress(OSError):
            f.close()
    # Both streams closed; the command may still run (it closed them itself): wait out the limit.
    try:
        proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return bytes(bufs[out_fd]), bytes(bufs[err_fd]), True, False
    return bytes(bufs[out_fd]), bytes(bufs[err_fd]), False, False


# -- openat2(2) and mount(2) through ctypes (Python 3.11 has neither) ------------------------------
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
MS_NOSUID, MS_NODEV, MS_PRIVATE, MNT_DETACH = 0x2, 0x4, 1 << 18, 0x2
RESOLVE_NO_MAGICLINKS, RESOLVE_IN_ROOT = 0x02, 0x10
_SYS_OPENAT2 = {"x86_64": 437, "aarch64": 437}


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


def _openat2(dirfd: int, path: str, flags: int, resolve: int) -> int:
    nr = _SYS_OPENAT2.get(platform.machine())
    if nr is None:
        raise InfrastructureError(f"openat2 is not wired up for {platform.machine()}")
    how = _OpenHow(flags, 0, resolve)
    for _ in range(8):  # EAGAIN: a rename raced the RESOLVE_IN_ROOT walk; try again
        fd = _libc.syscall(ctypes.c_long(nr), ctypes.c_int(dirfd), ctypes.c_char_p(os.fsencode(path)),
                           ctypes.byref(how), ctypes.c_size_t(ctypes.sizeof(how)))
        if fd >= 0:
            return int(fd)
        err = ctypes.get_errno()
        if err != errno.EAGAIN:
            raise OSError(err, os.strerror(err), path)
    raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN), path)


# -- the episode's memory cgroup -----------------------------------------------------------------
def _make_cgroup(name: str, limits: dict[str, str]) -> Path | None:
    """A child of the runner's own memory cgroup limited to MEMORY_BYTES (cgroup v1's memory
    controller, or v2 where the memory controller is delegated); None where not writable."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        lines = []
    v1 = next((line.split(":", 2)[2] for line in lines if "memory" in line.split(":", 2)[1].split(",")), None)
    v2 = next((line.split(":", 2)[2] for line in lines if line.startswith("0::")), None)
    if v1 is not None and Path("/sys/fs/cgroup/memory").is_dir():
        where, limit_file, kind = Path("/sys/fs/cgroup/memory") / v1.lstrip("/"), "memory.limit_in_bytes", "v1"
    elif v2 is not None and Path("/sys/fs/cgroup/cgroup.controllers").exists():
        where, limit_file, kind = Path("/sys/fs/cgroup") / v2.lstrip("/"), "memory.max", "v2"
    else:
        limits["memory"] = "not in force (no cgroup memory controller)"
        return None
    path = where / f"{name}-{uuid.uuid4().hex[:6]}"
    try:
        path.mkdir()
    except OSError as exc:
        limits["memory"] = f"not in force (cannot create a cgroup: {exc.strerror})"
        return None
    try:
        (path / limit_file).write_text(str(MEMORY_BYTES))
    except OSError as exc:
        _remove_cgroup(path)
        limits["memory"] = f"not in force (cgroup {kind} memory limit not writable: {exc.strerror})"
        return None
    limits["memory"] = f"cgroup {kind} memory limit {MEMORY_BYTES} bytes"
    return path


def _remove_cgroup(path: Path) -> None:
    deadline = time.monotonic() + 2
    while True:
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)


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
    """Connect to a Unix socket without following a symlink in its last component."""
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
