"""In-sandbox process supervisor (runs as the sandbox's first process, under Debian's python3).

One bubblewrap sandbox per episode holds every process of that episode (shared HOME, /tmp,
loopback network and PID namespace). The host asks this supervisor to start programs in the
agent's PID namespace (`spawn`), to run a setup command to completion there (`run`, before the
agent acts), for the exit status of what it started (`status`), to stop a process (`kill`) and
to write fixtures (`write_files`). One JSON request and one JSON reply per connection.

It accepts on a listening socket the host created in a host-only folder and passed as an
inherited fd (OLITE_LISTEN_FD): no path inside the sandbox leads to it. It makes itself
non-dumpable first, so that no process of the sandbox (same uid) can ptrace it or open its
fds through /proc. No evaluation command or result read goes through here (the host runs and
reads those itself); an evaluator's postconfig only launches apps and writes files with it.
Standard library only: this file runs outside the venv.
"""
from __future__ import annotations

import base64
import ctypes
import json
import os
import resource
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

MAX_OUTPUT = 1024 * 1024  # per stream; the host refuses replies over 16 MiB (JSON escapes included)
LOG_DIR = "/tmp/.olite-logs"

_procs: dict[int, dict] = {}
_lock = threading.Lock()


def _env(extra: dict | None) -> dict:
    env = dict(os.environ)
    env.pop("OLITE_LISTEN_FD", None)
    env.update(extra or {})
    return env


def _cwd(cwd: str | None) -> str:
    return os.path.expanduser(cwd or "~")


def _open_log(name: str) -> int:
    """An app's log file. The sandbox can plant anything at that path (a FIFO would block
    here, a symlink point elsewhere): only a regular file of its own is used."""
    try:
        os.makedirs(LOG_DIR, exist_ok=True)
        fd = os.open(os.path.join(LOG_DIR, f"{name}.log"),
                     os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError:
        return os.open(os.devnull, os.O_WRONLY)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return os.open(os.devnull, os.O_WRONLY)
    return fd


def spawn(req: dict) -> dict:
    name = os.path.basename(req.get("name") or req["argv"][0])
    log = _open_log(name)
    proc = subprocess.Popen(
        req["argv"], env=_env(req.get("env")), cwd=_cwd(req.get("cwd")), stdin=subprocess.DEVNULL,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    os.close(log)
    with _lock:
        _procs[proc.pid] = {"name": name, "proc": proc}
    return {"pid": proc.pid}


def run(req: dict) -> dict:
    timeout = float(req.get("limit", 30))
    try:
        proc = subprocess.Popen(
            req["argv"], env=_env(req.get("env")), cwd=_cwd(req.get("cwd")),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )
    except OSError as exc:  # like a shell: 127 when the program is missing
        return {"returncode": 127, "timed_out": False, "stdout": "", "stderr": f"{req['argv'][0]}: {exc}"}
    timed_out = False
    try:
        out, err = proc.communicate(req.get("input", "").encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    return {"returncode": proc.returncode, "timed_out": timed_out,
            "stdout": out[:MAX_OUTPUT].decode(errors="replace"),
            "stderr": err[:MAX_OUTPUT].decode(errors="replace")}


def status(_req: dict) -> dict:
    with _lock:
        items = list(_procs.items())
    out = {}
    for pid, entry in items:
        rc = entry["proc"].poll()
        out[str(pid)] = {"name": entry["name"], "returncode": rc}
    return {"procs": out}


def kill(req: dict) -> dict:
    pid = int(req["pid"])
    with _lock:
        entry = _procs.get(pid)
    if entry is None:
        return {"error": f"no process {pid} was started here"}
    try:
        os.killpg(pid, int(req.get("signal", signal.SIGKILL)))
    except ProcessLookupError:
        pass
    return {"ok": True}


def write_files(req: dict) -> dict:
    """Write files (fixtures staged on the host) into the sandbox, creating parent folders."""
    for item in req["files"]:
        path = os.path.expanduser(item["path"])
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        try:
            if stat.S_ISFIFO(os.stat(path).st_mode):
                os.unlink(path)  # opening a FIFO to write would block here until a reader came
        except FileNotFoundError:
            pass
        with open(path, "wb") as f:
            f.write(base64.b64decode(item["data_b64"]))
        os.chmod(path, int(item.get("mode", 0o644)))
    return {"ok": True}


OPS = {"spawn": spawn, "run": run, "status": status, "kill": kill, "write_files": write_files,
       "ping": lambda _r: {"ok": True}}


def _recv_all(conn: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            break
    return b"".join(chunks)


def handle(conn: socket.socket) -> None:
    with conn:
        try:
            req = json.loads(_recv_all(conn))
            reply = OPS[req["op"]](req)
        except Exception as exc:  # reported to the host, never fatal here
            reply = {"error": f"{type(exc).__name__}: {exc}", "errno": getattr(exc, "errno", None)}
        try:
            conn.sendall(json.dumps(reply).encode() + b"\n")
        except OSError:
            pass  # the host gave up on this request


# Limits every process of the episode inherits. Since Linux 5.14 RLIMIT_NPROC counts the
# tasks of this user namespace only, so a fork bomb stops here without touching other
# episodes (Chromium and LibreOffice use a few hundred threads). No core dumps in HOME.
# No file larger than 1 GiB (a runaway `dd` stops there, HOME's own size limit aside).
LIMITS = {resource.RLIMIT_NPROC: 4096, resource.RLIMIT_CORE: 0, resource.RLIMIT_FSIZE: 1 << 30}
PR_SET_DUMPABLE = 4


def serve(srv: socket.socket) -> None:
    """One request at a time, on this thread: every request is short, and a fork bomb that
    exhausts the process limit cannot stop the supervisor from answering (no new threads)."""
    while True:
        try:
            conn, _ = srv.accept()
        except OSError:
            time.sleep(0.01)
            continue
        conn.settimeout(30)
        handle(conn)


def main() -> None:
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    for which, value in LIMITS.items():
        resource.setrlimit(which, (value, value))
    # SIGPIPE is ignored by Python already; a child's failing write must not kill us either.
    srv = socket.socket(fileno=int(os.environ.pop("OLITE_LISTEN_FD")))
    os.set_inheritable(srv.fileno(), False)
    serve(srv)


if __name__ == "__main__":
    sys.exit(main())
