"""An agent that wrecks its own desktop is to blame for it (envs/endings.py).

After the agent's first action, a sandbox whose processes the agent killed is
`EnvironmentDestroyed` (graded 0, kept in the denominator), never an `InfrastructureError`
(excluded and re-run). An app the agent closed normally is no error at all. A fork bomb
stays inside its sandbox.
"""
from __future__ import annotations

import os
import subprocess
import time

import psutil
import pytest

from envs.errors import AgentCausedError, EnvironmentDestroyed, InfrastructureError
from envs.osworld_lite.env import OSWorldLiteEnv
from envs.types import Termination
from tests.osworld_lite.helpers import make_task
from tests.support.prereqs import require_desktop

pytestmark = [pytest.mark.desktop]

XTERM = [{"type": "launch", "parameters": {"command": ["xterm"]}}]
# Scored 1 when ~/out.txt says "ok".
EVALUATOR = {"func": "check_list", "result": {"type": "vm_file", "path": "~/out.txt"},
             "expected": {"type": "rule", "rules": {"expect": ["^ok$"]}}}


def make_env() -> OSWorldLiteEnv:
    require_desktop()
    return OSWorldLiteEnv(make_task(config=XTERM, evaluator=EVALUATOR), screen_width=640, screen_height=480)


def type_line(env: OSWorldLiteEnv, text: str, wait: float = 1.0) -> None:
    env.step({"action_type": "TYPING", "text": text + "\n"})
    env.step({"action_type": "WAIT", "seconds": wait})


def test_kill_all_typed_into_the_terminal_destroys_the_environment() -> None:
    env = make_env()
    try:
        env.reset(seed=0)
        with pytest.raises(EnvironmentDestroyed) as caught:  # on the typing step or the next
            env.step({"action_type": "TYPING", "text": "echo ok > ~/out.txt; kill -9 -1\n"})
            env.step({"action_type": "WAIT", "seconds": 1.0})
        assert caught.value.termination == Termination.ENV_DESTROYED
        assert not isinstance(caught.value, InfrastructureError)
        # Evaluating what is left is no way around it either.
        with pytest.raises(EnvironmentDestroyed):
            env.evaluate(Termination.AGENT_DONE)
    finally:
        env.close()


def test_an_app_the_agent_closed_normally_is_no_error() -> None:
    env = make_env()
    try:
        env.reset(seed=0)
        type_line(env, "echo ok > ~/out.txt; exit")   # the terminal closes with status 0
        assert not env.session.windows()
        _, reward, terminated, _, info = env.step({"action_type": "DONE"})
        assert terminated and reward == 1.0, info["evaluation"]
    finally:
        env.close()


def test_damage_done_before_the_agent_acted_stays_an_infrastructure_error() -> None:
    env = make_env()
    try:
        env.reset(seed=0)
        env.session.sandbox.kill(env.session.apps[0].pid)
        time.sleep(0.2)
        with pytest.raises(InfrastructureError) as caught:
            env.step({"action_type": "WAIT", "seconds": 0.1})
        assert not isinstance(caught.value, AgentCausedError)
    finally:
        env.close()


@pytest.mark.slow
def test_a_fork_bomb_typed_into_the_terminal_stays_in_its_sandbox() -> None:
    env = make_env()
    try:
        env.reset(seed=0)
        sandbox = env.session.sandbox
        # The bomb runs under a lowered process limit only to spare this machine's CPUs: the
        # mechanism (RLIMIT_NPROC counted per user namespace) is the one that stops it at 4096.
        env.step({"action_type": "TYPING", "text": "ulimit -u 400; b(){ b|b& }; b\n"})
        started = time.monotonic()
        try:
            env.step({"action_type": "WAIT", "seconds": 2.0})
            env.step({"action_type": "MOVE_TO", "x": 5, "y": 5})
        except AgentCausedError:
            pass  # the desktop died under the bomb: the agent's doing
        assert time.monotonic() - started < 60  # the step returned
        inside = len(sandbox.processes())
        assert inside <= 450, inside
        # The host and its other episodes are untouched: processes still start here.
        assert subprocess.run(["true"], timeout=10).returncode == 0
        try:
            evaluation = env.evaluate(Termination.AGENT_DONE)
            assert evaluation.reward == 0.0
        except AgentCausedError:
            pass
        user_ns = os.stat(f"/proc/{sandbox.init_pid}/ns/user").st_ino
    finally:
        env.close()
    left = []
    for p in psutil.process_iter():
        try:
            if os.stat(f"/proc/{p.pid}/ns/user").st_ino == user_ns and p.status() != psutil.STATUS_ZOMBIE:
                left.append(p)
        except (OSError, psutil.Error):
            pass
    assert not left, left
