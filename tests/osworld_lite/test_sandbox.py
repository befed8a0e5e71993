"""The episode sandbox: what a shell inside it can and cannot reach."""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import psutil
import pytest

import envs

pytestmark = [pytest.mark.desktop]
PROJECT = Path(envs.__file__).resolve().parents[1]


def sh(session, script: str, timeout: float = 30) -> dict:
    return session.sandbox.run(["/bin/bash", "-c", script], timeout=timeout)


def test_shell_can_write_its_home_and_nothing_else(session) -> None:
    r = sh(session, "echo mine > ~/note.txt && cat ~/note.txt")
    assert r["returncode"] == 0 and r["stdout"] == "mine\n"
    assert (session.home / "note.txt").read_text() == "mine\n"  # the HOME is the episode's folder
    for target in ("/usr/pwned", "/etc/pwned", "/pwned", "/opt/olite/pwned", "/var/lib/dbus/pwned",
                   "/run/pwned", "/var/pwned", "/home/pwned", "/etc/passwd"):
        r = sh(session, f"echo x >> {target}")
        assert r["returncode"] != 0, f"could write {target}"
    # /tmp is private: a file written there never appears on the host.
    marker = f"olite-private-{os.getpid()}-{time.monotonic_ns()}"
    assert sh(session, f"echo x > /tmp/{marker}")["returncode"] == 0
    assert not Path("/tmp", marker).exists()


def test_shell_cannot_read_host_homes_or_the_project(session, tmp_path: Path) -> None:
    secret = PROJECT / "pyproject.toml"
    assert secret.exists()
    paths = [str(PROJECT), str(secret), "/root", str(PROJECT.parent), str(Path.home()), str(tmp_path),
             "/etc/shadow", str(Path(envs.__file__).resolve())]
    for path in paths:
        r = sh(session, f"ls -d {path} 2>&1; cat {path} 2>&1 | head -c 100")
        assert "No such file or directory" in r["stdout"] or "Permission denied" in r["stdout"], (path, r)
    assert sh(session, "ls /home")["stdout"].split() == ["user"]
    # Only a handful of directories exist at the top, none of them the host's.
    top = set(sh(session, "ls /")["stdout"].split())
    assert top <= {"bin", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "opt", "proc", "run",
                   "sbin", "tmp", "usr", "var"}, top


def test_shell_cannot_see_the_runners_environment(desktop, monkeypatch) -> None:
    from envs.osworld_lite.session import DesktopSession

    canary = f"sk-canary-{time.monotonic_ns()}"
    monkeypatch.setenv("OPENAI_API_KEY", canary)
    monkeypatch.setenv("AGENTS_DB", "sqlite:////somewhere/secret.db")
    s = DesktopSession(320, 240).start()
    try:
        r = s.sandbox.run(["/bin/bash", "-c", "env; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n'"])
        assert r["returncode"] == 0
        assert canary not in r["stdout"] and "OPENAI_API_KEY" not in r["stdout"]
        assert "AGENTS_DB" not in r["stdout"] and "VIRTUAL_ENV" not in r["stdout"]
        assert "HOME=/home/user" in r["stdout"]
    finally:
        s.close()


def test_shell_has_loopback_only(session) -> None:
    started = time.monotonic()
    r = session.sandbox.run(["/usr/bin/python3", "-c", """
import socket
try:
    socket.create_connection(("192.0.2.1", 80), timeout=5)
    print("connected")
except OSError as e:
    print("errno", e.errno)
"""], timeout=20)
    assert r["stdout"].strip() == "errno 101", r  # ENETUNREACH: there is no route at all
    assert time.monotonic() - started < 3
    # The sandbox's own loopback works: a server and a client inside it.
    r = sh(session, "python3 -m http.server 8765 --bind 127.0.0.1 >/dev/null 2>&1 & "
                    "for i in $(seq 50); do python3 -c \"import urllib.request as u; "
                    "print(u.urlopen('http://127.0.0.1:8765/').status)\" 2>/dev/null && break; sleep 0.1; done")
    assert r["stdout"].strip() == "200"


def test_host_loopback_services_are_out_of_reach(session) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted: list[object] = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    try:
        r = session.sandbox.run(["/usr/bin/python3", "-c", f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3); print("connected")
except OSError as e:
    print("errno", e.errno)
"""], timeout=20)
        assert r["stdout"].strip() == "errno 111", r  # ECONNREFUSED: its own, empty loopback
        assert not accepted
    finally:
        server.close()


def test_sandbox_runs_unprivileged(session) -> None:
    assert sh(session, "id -u; id -g")["stdout"].split() == ["1000", "1000"]
    procs = session.sandbox.processes()
    assert procs
    if os.geteuid() == 0:
        # On the host the sandbox is not root either (it dropped to nobody before bwrap).
        assert all(p.uids().real != 0 for p in procs)


def test_no_process_survives_close(desktop) -> None:
    from envs.osworld_lite.apps import launch_spec
    from envs.osworld_lite.session import DesktopSession

    s = DesktopSession(320, 240).start()
    try:
        s.launch(launch_spec(["xterm"]))
        tag = f"{time.monotonic_ns() % 10**6}.5"
        # A daemon that leaves its session and process group, and a plain background job
        # (started in the agent's PID namespace, as a setup step would).
        s.sandbox.run_in_session(["/bin/bash", "-c",
                                  f"setsid nohup sleep {tag} >/dev/null 2>&1 & sleep {tag} >/dev/null 2>&1 & disown"])
        # An evaluation command's own background jobs end with it (its PID namespace ends).
        s.sandbox.run(["/bin/bash", "-c", f"setsid nohup sleep {tag}1 >/dev/null 2>&1 & disown"])
        assert not [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", f"{tag}1"]
                    and p.status() != psutil.STATUS_ZOMBIE]
        procs = s.sandbox.processes()
        xvfb = psutil.Process(s.display.pid)
        sleepers = [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", tag]]
        assert len(sleepers) == 2
        names = {p.name() for p in procs}
        assert {"bwrap", "xterm", "openbox", "dbus-daemon", "sleep"} <= names, names
    finally:
        s.close()
    for p in [*procs, xvfb, *sleepers]:
        assert not p.is_running() or p.status() == psutil.STATUS_ZOMBIE, p
    assert not [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", tag]
                and p.status() != psutil.STATUS_ZOMBIE]
    assert not s.sandbox.root.exists()


def test_no_control_socket_is_reachable_from_inside(session) -> None:
    # The supervisor's listening socket and the DevTools socket live in a host-only folder and
    # reach their processes as inherited fds: nothing inside the sandbox leads to them.
    r = sh(session, "ls -la /run /run/olite /opt/olite 2>&1; find / -xdev -type s 2>/dev/null; "
                    "cat /proc/net/unix; ls -l /proc/[0-9]*/fd 2>&1 | grep -c 'Permission denied'")
    assert "supervisor.sock" not in r["stdout"] and "cdp.sock" not in r["stdout"], r["stdout"]
    assert str(session.sandbox.root) not in r["stdout"]
    assert (session.sandbox.root / "ctl" / "supervisor.sock").is_socket()
    assert oct((session.sandbox.root / "ctl").stat().st_mode & 0o777) == "0o700"


def test_the_display_wants_its_cookie(session, tmp_path: Path) -> None:
    import subprocess

    # Xvfb also listens on an abstract socket, which has no file permissions: any local
    # process could connect. Without the display's cookie the X server turns it away.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XAUTHORITY": str(tmp_path / "none")}
    r = subprocess.run(["xdpyinfo", "-display", session.display.name], env=env, capture_output=True,
                       text=True, timeout=20)
    assert r.returncode != 0 and "Authorization required" in r.stderr, r
    r = session.sandbox.run(["bash", "-c", "XAUTHORITY=/nonexistent xdpyinfo"], timeout=20)
    assert r["returncode"] != 0 and "Authorization required" in r["stderr"]
    # With the cookie (the sandbox's own Xauthority, this process's XAUTHORITY) it works.
    assert session.sandbox.run(["xdpyinfo"], timeout=20)["returncode"] == 0
    r = subprocess.run(["xdpyinfo", "-display", session.display.name], capture_output=True, timeout=20)
    assert r.returncode == 0


def test_a_fork_bomb_stops_at_the_sandbox_process_limit(session) -> None:
    # The agent's processes (started by the supervisor) and evaluation commands.
    r = session.sandbox.run_in_session(["/bin/bash", "-c", "ulimit -u; ulimit -c; ulimit -f"])
    assert r["stdout"].split() == ["4096", "0", str(1 << 20)]
    assert sh(session, "ulimit -u; ulimit -c; ulimit -f")["stdout"].split() == ["8192", "0", str(1 << 20)]
    # Forking far past a (lowered) limit: the sandbox refuses the excess with EAGAIN.
    r = session.sandbox.run_in_session(["/usr/bin/python3", "-c", """
import os, resource, time
resource.setrlimit(resource.RLIMIT_NPROC, (64, 64))
n = 0
try:
    for _ in range(200):
        if os.fork() == 0:
            time.sleep(2)
            os._exit(0)
        n += 1
except BlockingIOError:
    pass
print(n)
"""], timeout=30)
    assert r["returncode"] == 0 and 0 < int(r["stdout"]) < 64, r
