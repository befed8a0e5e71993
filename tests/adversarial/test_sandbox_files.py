"""Result files an agent booby-traps: the host reads them itself, inside the sandbox's root.

A symlink from a result path to a host file resolves inside the sandbox (no host byte leaks,
no credit); a FIFO at a result path does not hang the evaluator; a huge file stops at the
episode's limits without filling the host's disk or hanging the runner.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

import envs
from envs.errors import EnvironmentDestroyed
from envs.osworld_lite.env import OSWorldLiteEnv
from envs.types import Termination
from tests.osworld_lite.helpers import make_task
from tests.support.prereqs import require_desktop

pytestmark = [pytest.mark.desktop]

XTERM = [{"type": "launch", "parameters": {"command": ["xterm"]}}]
PROJECT = Path(envs.__file__).resolve().parents[1]


def env_reading(path: str, expect: str, config: list | None = None) -> OSWorldLiteEnv:
    """An env whose task scores 1 when the file at `path` has a line matching `expect`."""
    require_desktop()
    task = make_task(config=config or XTERM, evaluator={
        "func": "check_list", "result": {"type": "vm_file", "path": path},
        "expected": {"type": "rule", "rules": {"expect": [expect]}}})
    return OSWorldLiteEnv(task, screen_width=640, screen_height=480)


def type_line(env: OSWorldLiteEnv, text: str, wait: float = 0.5) -> None:
    env.step({"action_type": "TYPING", "text": text + "\n"})
    env.step({"action_type": "WAIT", "seconds": wait})


def test_symlinks_to_host_files_resolve_inside_the_sandbox(tmp_path: Path) -> None:
    secret = tmp_path / "host-secret.txt"
    secret.write_text("host-secret-7f3a\n")
    env = env_reading("~/out.txt", "host-secret-7f3a")
    try:
        env.reset(seed=0)
        other = env.session.sandbox.root.parent  # where other episodes' folders live on the host
        type_line(env, f"ln -s {secret} ~/out.txt; ln -s /etc/shadow ~/shadow; "
                       f"ln -s {PROJECT}/pyproject.toml ~/project; ln -s /proc/1/root{secret} ~/magic; "
                       f"ln -s ../../../../..{secret} ~/up; ln -s {other} ~/episodes")
        sandbox = env.session.sandbox
        for name in ("out.txt", "shadow", "project", "magic", "up"):
            assert sandbox.read_file(f"~/{name}") is None, name
        # This episode's own folder on the host, reached through the link: not there inside.
        assert (sandbox.root / "etc" / "passwd").exists()
        assert sandbox.read_file(f"~/episodes/{sandbox.root.name}/etc/passwd") is None
        with pytest.raises(IsADirectoryError):
            sandbox.read_file("~")
        _, reward, terminated, _, info = env.step({"action_type": "DONE"})
        assert terminated and reward == 0.0, info["evaluation"]
        assert "host-secret" not in str(info["evaluation"])
    finally:
        env.close()


def test_a_fifo_at_the_result_path_does_not_hang_the_evaluator() -> None:
    env = env_reading("~/out.txt", "^ok$")
    try:
        env.reset(seed=0)
        type_line(env, "mkfifo ~/out.txt")
        started = time.monotonic()
        _, reward, terminated, _, info = env.step({"action_type": "DONE"})
        assert terminated and reward == 0.0, info["evaluation"]
        assert time.monotonic() - started < 15
    finally:
        env.close()


@pytest.mark.slow
def test_a_huge_file_in_home_stops_at_the_limits(tmp_path: Path) -> None:
    env = env_reading("~/big", "^ok$")
    try:
        env.reset(seed=0)
        limits = env.session.sandbox.limits
        free_before = shutil.disk_usage(tmp_path).free
        started = time.monotonic()
        # A sparse file far past the per-file limit, a dense one past it, then HOME filled up.
        type_line(env, "truncate -s 50G ~/big; echo truncate=$? > ~/log; "
                       "fallocate -l 3G ~/dense; echo fallocate=$? >> ~/log; "
                       "for i in 1 2 3; do head -c 900M /dev/zero > ~/fill$i; echo fill$i=$? >> ~/log; done; "
                       "echo done >> ~/log", wait=1.0)
        deadline = time.monotonic() + 90
        while b"done" not in (env.session.sandbox.read_file("~/log") or b"") and time.monotonic() < deadline:
            time.sleep(0.5)
        log = (env.session.sandbox.read_file("~/log") or b"").decode()
        assert "done" in log, log
        assert "truncate=0" not in log and "fallocate=0" not in log, log   # EFBIG: past RLIMIT_FSIZE
        if limits["home"].startswith("tmpfs"):
            assert "fill3=0" not in log, log                                 # ENOSPC: HOME is full
            assert free_before - shutil.disk_usage(tmp_path).free < 1 << 30  # the host disk never was
        if limits["home"].startswith("tmpfs"):
            # The evaluation still completes (no credit: ~/big is no file a metric may read).
            evaluation = env.evaluate(Termination.AGENT_DONE)
            assert evaluation.reward == 0.0
            assert evaluation.details["limits"] == limits
        else:  # HOME's size is only checked (no mount): going over it is the agent's doing
            with pytest.raises(EnvironmentDestroyed, match="HOME holds"):
                env.evaluate(Termination.AGENT_DONE)
        assert time.monotonic() - started < 120
    finally:
        env.close()


def test_a_fifo_at_an_app_log_path_does_not_hang_the_supervisor() -> None:
    require_desktop()
    from envs.osworld_lite.session import DesktopSession

    s = DesktopSession(320, 240).start()
    try:
        s.sandbox.run_in_session(["/bin/bash", "-c", "mkdir -p /tmp/.olite-logs && mkfifo /tmp/.olite-logs/probe.log"])
        started = time.monotonic()
        pid = s.sandbox.spawn(["true"], name="probe")  # a later app launch (say, a postconfig step)
        assert pid > 0 and time.monotonic() - started < 5
        assert s.sandbox.status()[str(pid)]["name"] == "probe"
    finally:
        s.close()
