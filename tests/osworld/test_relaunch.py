"""OSWorld's `pkill X` then `X` in one setup: the relaunched app is waited for even though the X
server hands its windows the ids of the ones just closed; `close_window` closes by title."""
from __future__ import annotations

from pathlib import Path

import pytest

from envs.osworld.env import OSWorldEnv
from envs.osworld.task import parse_task
from tests.osworld.conftest import task
from tests.osworld_lite.conftest import desktop, desktop_problems  # noqa: F401  (the fixture)


@pytest.mark.slow
def test_relaunch_after_pkill_and_close_window(desktop: None, tmp_path: Path) -> None:
    record = task("relaunch", config=[
        {"type": "launch", "parameters": {"command": ["xterm", "-T", "first"]}},
        {"type": "launch", "parameters": {"command": ["pkill", "xterm"]}},
        {"type": "launch", "parameters": {"command": ["xterm", "-T", "second"]}},
        {"type": "launch", "parameters": {"command": ["xterm", "-T", "third"]}},
        {"type": "close_window", "parameters": {"window_name": "third", "strict": True}},
        {"type": "sleep", "parameters": {"seconds": 0.5}}])
    env = OSWorldEnv(parse_task(record, origin="os/relaunch.json"), assets=tmp_path, screen_width=800,
                     screen_height=600)
    try:
        env.reset()
        assert [w["name"] for w in env.session.window_info()] == ["second"]
    finally:
        env.close()
