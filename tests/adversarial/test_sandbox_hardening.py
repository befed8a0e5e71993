"""Hardening around the sandbox: who runs the X server, what /etc holds, the cache folder,
the size of a supervisor reply, and the per-episode limits in force."""
from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path

import psutil
import pytest

from envs.errors import InfrastructureError
from envs.osworld_lite import profiles
from envs.osworld_lite.sandbox import ETC_ENTRIES, MEMORY_BYTES, SandboxBroken
from tests.support.prereqs import require_desktop


@pytest.fixture
def session():
    require_desktop()
    from envs.osworld_lite.session import DesktopSession

    s = DesktopSession(320, 240).start()
    try:
        yield s
    finally:
        s.close()


@pytest.mark.desktop
def test_the_x_server_does_not_run_as_root(session) -> None:
    xvfb = psutil.Process(session.display.pid)
    assert xvfb.name() == "Xvfb"
    if os.geteuid() == 0:
        assert xvfb.uids().real != 0 and xvfb.uids().effective != 0
    # Still reachable by the sandbox's user and by this process.
    assert session.sandbox.run(["xdpyinfo"], timeout=20)["returncode"] == 0
    assert session.screen.grab().shape == (240, 320, 3)


@pytest.mark.desktop
def test_the_hosts_etc_environment_stays_on_the_host(session) -> None:
    assert "environment" not in ETC_ENTRIES
    r = session.sandbox.run(["/bin/bash", "-c", "test -e /etc/environment && echo present || echo absent"])
    assert r["stdout"].strip() == "absent"


@pytest.mark.desktop
def test_the_sandbox_cannot_write_into_host_files(session) -> None:
    # PID 1's own output (reachable through /proc/1/fd/1) is a pipe the host drains, not a file.
    r = session.sandbox.run_in_session(["/bin/bash", "-c", "ls -l /proc/1/fd/1; "
                                        "head -c 20000000 /dev/zero > /proc/1/fd/1; echo rc=$?"], timeout=30)
    assert "pipe:" in r["stdout"], r
    on_host = sum(p.stat().st_size for p in session.sandbox.root.rglob("*") if p.is_file()
                  and not p.is_relative_to(session.sandbox.home))
    assert on_host < 1 << 20, on_host


@pytest.mark.desktop
def test_an_oversized_supervisor_reply_is_refused(session) -> None:
    # Play a supervisor that never stops talking (as if it had been subverted).
    path = session.sandbox.root / "ctl" / "supervisor.sock"
    os.replace(path, str(path) + ".real")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(path))
    srv.listen(1)

    def flood() -> None:
        conn, _ = srv.accept()
        chunk = b"x" * (1 << 20)
        try:
            for _ in range(64):
                conn.sendall(chunk)
        except OSError:
            pass
        conn.close()

    threading.Thread(target=flood, daemon=True).start()
    try:
        with pytest.raises(SandboxBroken, match="larger than"):
            session.sandbox.status()
    finally:
        srv.close()
        os.replace(str(path) + ".real", path)


@pytest.mark.desktop
def test_the_limits_in_force_are_recorded(session) -> None:
    limits = session.sandbox.limits
    assert set(limits) == {"home", "memory", "tmpfs", "files"}, limits
    r = session.sandbox.run(["/bin/bash", "-c", "df -B1 --output=size /tmp /dev/shm ~ 2>/dev/null | tail -n +2; "
                                                "ulimit -f"])
    sizes = [int(v) for v in r["stdout"].split()]
    assert sizes[0] == 512 << 20 and sizes[1] == 512 << 20, r
    if os.geteuid() == 0:
        assert limits["home"].startswith("tmpfs") and sizes[2] == 2 << 30, (limits, r)
    if limits["memory"].startswith("cgroup"):
        # Every process of the episode is in the cgroup, and the cgroup has the limit.
        v1 = "v1" in limits["memory"]

        def memory_group(pid: int) -> str:
            for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
                _, controllers, where = line.split(":", 2)
                if ("memory" in controllers.split(",")) if v1 else line.startswith("0::"):
                    return where
            raise AssertionError(pid)

        groups = {memory_group(p.pid) for p in session.sandbox.processes()}
        assert len(groups) == 1, groups
        where = next(iter(groups)).lstrip("/")
        base = Path("/sys/fs/cgroup/memory") if v1 else Path("/sys/fs/cgroup")
        limit_file = "memory.limit_in_bytes" if v1 else "memory.max"
        assert int((base / where / limit_file).read_text()) == MEMORY_BYTES


def test_the_cache_folder_must_be_the_runners_own(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("OSWORLD_LITE_CACHE", raising=False)
    monkeypatch.setattr(profiles.tempfile, "gettempdir", lambda: str(tmp_path))
    default = tmp_path / f"osworld-lite-cache-{os.getuid()}"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Another user's symlink under the expected name: replaced by a folder of our own.
    default.symlink_to(elsewhere)
    assert profiles._cache_dir() == default
    st = os.lstat(default)
    assert stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) == 0o700
    # A folder others may write into: made again, empty and private.
    (default / "libreoffice-user").mkdir()
    os.chmod(default, 0o777)
    assert profiles._cache_dir() == default
    assert stat.S_IMODE(os.lstat(default).st_mode) == 0o700 and not any(default.iterdir())
    # A folder another user owns: refused.
    if os.geteuid() == 0:
        os.chown(default, 65534, 65534)
        with pytest.raises(InfrastructureError, match="belongs to uid"):
            profiles._cache_dir()
    # A folder the user chose is never deleted, only refused when unsafe.
    chosen = tmp_path / "chosen"
    chosen.mkdir(mode=0o777)
    os.chmod(chosen, 0o777)
    (chosen / "keep").write_text("x")
    monkeypatch.setenv("OSWORLD_LITE_CACHE", str(chosen))
    with pytest.raises(InfrastructureError, match="writable by other users"):
        profiles._cache_dir()
    assert (chosen / "keep").exists()
