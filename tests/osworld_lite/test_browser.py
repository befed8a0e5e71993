"""Chromium in the sandbox: pages served inside it, driven and read over CDP from the host."""
from __future__ import annotations

import pytest

from envs.osworld_lite.env import OSWorldLiteEnv

from .helpers import make_task

pytestmark = [pytest.mark.desktop, pytest.mark.browser, pytest.mark.slow]

PAGE = "<html><head><title>Order 1042</title></head><body><h1>Order 1042</h1><a href='b.html'>Details</a></body></html>"
DETAILS = "<html><head><title>Details</title></head><body><p id='s'>Shipped on Tuesday</p></body></html>"
SITE = f"mkdir -p ~/site && printf %s \"{PAGE}\" > ~/site/a.html && printf %s \"{DETAILS}\" > ~/site/b.html"


def test_chromium_tabs_served_and_read_inside_the_sandbox(desktop) -> None:
    task = make_task(
        domain="chrome",
        config=[
            {"type": "execute", "parameters": {"command": SITE, "shell": True}},
            {"type": "launch", "parameters": {"command": "python3 -m http.server 8000 --bind 127.0.0.1 "
                                                         "--directory ~/site", "shell": True}},
            {"type": "launch", "parameters": {"command": ["google-chrome", "--remote-debugging-port=1337"]}},
            {"type": "launch", "parameters": {"command": ["socat", "tcp-listen:9222,fork", "tcp:localhost:1337"]}},
            {"type": "chrome_open_tabs", "parameters": {"urls_to_open": ["http://127.0.0.1:8000/a.html"]}},
        ],
        evaluator={"func": ["is_expected_url_pattern_match", "check_page_text"], "conj": "and",
                   "result": [{"type": "active_tab_url"}, {"type": "active_tab_html"}],
                   "expected": [{"type": "rule", "rules": {"expected": [r"127\.0\.0\.1:8000/b\.html$"]}},
                                {"type": "rule", "rules": {"include": ["Shipped on Tuesday"]}}]},
    )
    env = OSWorldLiteEnv(task, screen_width=1024, screen_height=768, a11y=True)
    try:
        obs, info = env.reset(seed=0)
        assert any("skipped launch" in n for n in info["setup_notes"])  # OSWorld's socat step
        tree = obs["accessibility_tree"]
        line = next(line for line in tree.splitlines() if line.startswith("link\tDetails"))
        x, y = (int(v) for v in line.split("\t")[5].strip("()").split(", "))
        w, h = (int(v) for v in line.split("\t")[6].strip("()").split(", "))
        # Not done yet: the active tab is still the first page.
        assert env.evaluate(env_termination()).reward == 0.0
        # Click the link where the CDP tree says it is on the screen.
        _, _, _, _, info = env.step({"action_type": "CLICK", "x": x + w // 2, "y": y + h // 2})
        assert "action_error" not in info
        env.step({"action_type": "WAIT", "seconds": 1})
        _, reward, terminated, _, info = env.step({"action_type": "DONE"})
        assert terminated and reward == 1.0, info["evaluation"]
        tabs = [t["url"] for t in env.session.bridge.pages()]
        assert "http://127.0.0.1:8000/b.html" in tabs
    finally:
        env.close()


def env_termination():
    from envs.types import Termination

    return Termination.MAX_STEPS
