"""An agent that replaces the browser the evaluation reads.

The task is graded on Chromium's active tab, read over DevTools (127.0.0.1:9222 inside the
sandbox). The agent closes the Chromium the session launched and serves a fake DevTools
endpoint on the same port whose only tab is the URL the task wants. Before the evaluation
trusts DevTools, the host checks which process holds the listening socket: not the session's
Chromium, so the evaluation is tampered with (graded 0), never a success.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from envs.errors import AgentCausedError, EvaluationTampered
from envs.osworld_lite import getters
from envs.osworld_lite.env import OSWorldLiteEnv
from tests.osworld_lite.helpers import make_task
from tests.support.prereqs import require_desktop

pytestmark = [pytest.mark.desktop, pytest.mark.browser, pytest.mark.slow]

SITE = ("mkdir -p ~/site && printf '<title>A</title>a' > ~/site/a.html && "
        "printf '<title>B</title>b' > ~/site/b.html")
WANTED = "http://127.0.0.1:8000/b.html"
FAKE = r'''
import http.server, json
TAB = {"id": "F", "type": "page", "title": "B", "url": "%s",
       "webSocketDebuggerUrl": "ws://127.0.0.1:9222/devtools/page/F"}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"Browser": "Chrome/1"} if self.path.startswith("/json/version") else [TAB]).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", 9222), H).serve_forever()
''' % WANTED


def test_a_fake_devtools_endpoint_is_tampering(tmp_path: Path) -> None:
    require_desktop()
    task = make_task(domain="chrome", config=[
        {"type": "execute", "parameters": {"command": SITE, "shell": True}},
        {"type": "launch", "parameters": {"command": "python3 -m http.server 8000 --bind 127.0.0.1 --directory ~/site",
                                          "shell": True}},
        {"type": "launch", "parameters": {"command": ["google-chrome"]}},
        {"type": "chrome_open_tabs", "parameters": {"urls_to_open": ["http://127.0.0.1:8000/a.html"]}},
        {"type": "launch", "parameters": {"command": ["xterm"]}},
    ], evaluator={"func": "is_expected_url_pattern_match", "result": {"type": "active_tab_url"},
                  "expected": {"type": "rule", "rules": {"expected": [r"8000/b\.html$"]}}})
    env = OSWorldLiteEnv(task, screen_width=1024, screen_height=768)
    try:
        env.reset(seed=0)
        session = env.session
        # The real browser answers with its real tab: no tampering seen.
        assert getters.resolve(session, {"type": "active_tab_url"}, tmp_path) != WANTED
        session.sandbox.write_files({"~/fake.py": FAKE.encode()})
        env.step({"action_type": "TYPING",
                  "text": "pkill -TERM -f /usr/lib/chromium/chromium; sleep 2; python3 ~/fake.py &\n"})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # until the fake answers on the port
            probe = session.sandbox.run(["python3", "-c", "import urllib.request as u; "
                                         "print(u.urlopen('http://127.0.0.1:9222/json/list').read())"], timeout=5)
            if WANTED in probe["stdout"]:
                break
            time.sleep(0.5)
        assert WANTED in probe["stdout"], probe
        with pytest.raises(EvaluationTampered):
            getters.resolve(session, {"type": "active_tab_url"}, tmp_path)
        # Through the env: graded 0 by the runner (tampered, or the browser it killed), never 1.
        with pytest.raises(AgentCausedError):
            env.step({"action_type": "DONE"})
    finally:
        env.close()
