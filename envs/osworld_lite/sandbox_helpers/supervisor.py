"""In-sandbox process supervisor (runs as the sandbox's first process, under Debian's python3).

One bubblewrap sandbox per episode holds every process of that episode (shared HOME, /tmp,
loopback network and PID namespace). The host asks this supervisor, over a Unix socket bound
into the sandbox, to start programs (`spawn`), to run commands to completion (`run`), for the
exit status of what it started (`status`) and to stop a process (`kill`). One JSON request
and one JSON reply per connection. Standard library only: this file runs outside the venv.
"""
from __future__ import annotations

import base64
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading

MAX_OUTPUT = 4 * 1024 * 1024
LOG_DIR = "/tmp/.olite-logs"

_procs: dict[int, dict] = {}
_lock = threading.Lock()


def _env(extra: dict | None) -> dict:
    env = dict(os.environ)
    env.pop("OLITE_SOCKET", None)
    env.update(extra or {})
    return env


def _cwd(cwd: str | None) -> str:
    return os.path.expanduser(cwd or "~")


def spawn(req: dict) -> dict:
    name = os.path.basename(req.get("name") or req["argv"][0])
    os.makedirs(LOG_DIR, exist_ok=True)
    log = open(os.path.join(LOG_DIR, f"{name}.log"), "ab")
    proc = subprocess.Popen(
        req["argv"], env=_env(req.get("env")), cwd=_cwd(req.get("cwd")), stdin=subprocess.DEVNULL,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    log.close()
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


def read_file(req: dict) -> dict:
    """A file's bytes as the sandbox sees it (symlinks resolve inside the sandbox, never on the host)."""
    path = os.path.expanduser(req["path"])
    if not os.path.exists(path):
        return {"exists": False}
    if os.path.isdir(path):
        return {"exists": True, "is_dir": True}
    size = os.path.getsize(path)
    limit = int(req.get("max_bytes", 64 * 1024 * 1024))
    if size > limit:
        return {"error": f"{path} is {size} bytes, more than the {limit} bytes a getter may read"}
    with open(path, "rb") as f:
        return {"exists": True, "is_dir": False, "data_b64": base64.b64encode(f.read()).decode()}


def write_files(req: dict) -> dict:
    """Write files (fixtures staged on the host) into the sandbox, creating parent folders."""
    for item in req["files"]:
        path = os.path.expanduser(item["path"])
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(item["data_b64"]))
        os.chmod(path, int(item.get("mode", 0o644)))
    return {"ok": True}


OPS = {"spawn": spawn, "run": run, "status": status, "kill": kill, "read_file": read_file,
       "write_files": write_files, "ping": lambda _r: {"ok": True}}


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
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        conn.sendall(json.dumps(reply).encode() + b"\n")


# Limits every process of the episode inherits. Since Linux 5.14 RLIMIT_NPROC counts the
# tasks of this user namespace only, so a fork bomb stops here without touching other
# episodes (Chromium and LibreOffice use a few hundred threads). No core dumps in HOME.
LIMITS = {resource.RLIMIT_NPROC: 4096, resource.RLIMIT_CORE: 0}


def main() -> None:
    for which, value in LIMITS.items():
        resource.setrlimit(which, (value, value))
    path = os.environ["OLITE_SOCKET"]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path + ".new")
    srv.listen(64)
    os.rename(path + ".new", path)  # the host waits for this name: it only appears when ready
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
