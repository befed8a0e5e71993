"""Runs a task's config (and postconfig) steps against an episode's desktop.

Step models come from `task.py`. Everything runs inside the sandbox: `execute` commands,
`launch`ed apps, files opened by `open`. `copy` materialises a fixture (or a file beside the
task file) in a host staging folder and hands the bytes to the sandbox's supervisor, so the
host never writes through paths the sandbox controls. `~` in commands is the episode's HOME.

A task's setup steps (before the agent acts) run their commands through the supervisor, in
the agent's PID namespace, so a background job they start lives on for the agent. Evaluation
steps (`evaluation=True`: the evaluator's postconfig) run them with `Sandbox.run`, in a fresh
process the host starts outside the agent's reach.

OSWorld's own step types run here as OSWorld's SetupController runs them (envs/osworld uses
them): `download` (bytes from a `fetch(url)` callable the task source gives, the asset cache;
never the network), `execute` with `stdout`/`stderr` (the output is saved in `output_dir` for
the `cache_file` getter) and `until` (re-run until the return code or output matches),
the placeholders {CLIENT_PASSWORD}, {SCREEN_WIDTH}, {SCREEN_HEIGHT}, {SCREEN_WIDTH_HALF} and
{SCREEN_HEIGHT_HALF} in execute commands, `close_window`, `chrome_close_tabs` and
`update_browse_history` (into Chromium's profile). A window OSWorld names "Google Chrome" is
Chromium's here.
"""
from __future__ import annotations

import logging
import re
import shlex
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from envs.errors import InfrastructureError
from envs.osworld_lite import cdp
from envs.osworld_lite.actions import ActionError, parse_action
from envs.osworld_lite.apps import launch_spec, open_argv
from envs.osworld_lite.executor import execute
from envs.osworld_lite.pyautogui_parser import parse_pyautogui
from envs.osworld_lite.sandbox import SANDBOX_HOME
from envs.osworld_lite.session import DesktopSession
from envs.osworld_lite.task import Task

log = logging.getLogger(__name__)
EXECUTE_TIMEOUT_S = 120.0
UNTIL_TIMEOUT_S = 60.0         # the longest an `execute … until` step keeps re-running
UNTIL_INTERVAL_S = 0.3         # OSWorld's pause between tries
LAUNCH_SETTLE_S = 1.0          # the longest a launched non-GUI command is waited for
CLIENT_PASSWORD = "password"   # the sandbox user's sudo password, as on OSWorld's VM
CHROMIUM_HISTORY = f"{SANDBOX_HOME}/.config/chromium/Default/History"
# OSWorld's update_browse_history step starts from this empty Chrome history database.
EMPTY_HISTORY_URL = ("https://huggingface.co/datasets/xlangai/ubuntu_osworld_file_cache/resolve/main/chrome/"
                     "44ee5668-ecd5-4366-a6ce-c1c9b8d4e938/history_empty.sqlite?download=true")
CHROME_EPOCH = datetime(1601, 1, 1)
TYPED_VISIT = 805306368        # the transition OSWorld records for each visit
Fetch = Callable[[str], bytes]


def expand_home(arg: str) -> str:
    """`~` and `~/x` → the sandbox HOME (a list command gets no shell to do it)."""
    if arg == "~" or arg.startswith("~/"):
        return SANDBOX_HOME + arg[1:]
    return arg


def command_argv(command: list[str] | str, shell: bool) -> list[str]:
    if isinstance(command, str):
        argv = ["/bin/bash", "-c", command] if shell else [expand_home(a) for a in shlex.split(command)]
    elif shell:
        argv = ["/bin/bash", "-c", shlex.join(command)]
    else:
        argv = [expand_home(a) for a in command]
    if argv and argv[0] == "python":  # OSWorld's VM has `python`; Debian has python3 only
        argv[0] = "python3"
    return argv


def _pyautogui_code(argv: list[str]) -> str | None:
    """The code of a `python -c "...pyautogui..."` command, else None."""
    if len(argv) == 3 and Path(argv[0]).name in ("python", "python3") and argv[1] == "-c" \
            and "pyautogui" in argv[2]:
        return argv[2]
    return None


def _sandbox_path(path: str) -> str:
    path = expand_home(path)
    return path if path.startswith("/") else f"{SANDBOX_HOME}/{path}"


class StepRunner:
    """Callable over a list of config steps; notes what went wrong without hiding it."""

    def __init__(self, session: DesktopSession, task: Task, evaluation: bool = False, *,
                 fetch: Fetch | None = None, output_dir: Path | None = None):
        self.session, self.task = session, task
        self.fetch, self.output_dir, self.evaluation = fetch, output_dir, evaluation
        self._killed = False   # a step stopped processes (pkill …): forget the apps it ended
        self.notes: list[str] = []
        sandbox = session.sandbox
        assert sandbox is not None
        self._run = sandbox.run if evaluation else sandbox.run_in_session

    def __call__(self, steps: Sequence[Any]) -> None:
        for i, step in enumerate(steps):
            handler = getattr(self, f"_{step.type}", None)
            if handler is None:
                raise InfrastructureError(f"task {self.task.id!r}: config step {step.type!r} is not supported")
            try:
                handler(step.parameters)
            except InfrastructureError:
                raise
            except Exception as exc:
                raise InfrastructureError(f"task {self.task.id!r}: config step {i} ({step.type}) failed: "
                                          f"{type(exc).__name__}: {exc}") from exc
        if self._killed:
            time.sleep(0.2)  # a process a `pkill` signalled may take a moment to exit
            self._forget_ended_apps()

    # -- step types --------------------------------------------------------------------------
    def _copy(self, params: Any) -> None:
        dest = _sandbox_path(params.path)
        with tempfile.TemporaryDirectory(prefix="olite-stage-") as tmp:
            staged = Path(tmp) / Path(dest).name
            params.materialize(self.task, staged)
            files: dict[str, bytes] = {}
            if staged.is_dir():
                for p in sorted(staged.rglob("*")):
                    if p.is_file() and not p.is_symlink():
                        files[f"{dest}/{p.relative_to(staged).as_posix()}"] = p.read_bytes()
            else:
                files[dest] = staged.read_bytes()
        self.session.sandbox.write_files(files)  # type: ignore[union-attr]

    def _launch(self, params: Any) -> None:
        spec = launch_spec(params.command, params.shell)
        if spec is None:
            self.notes.append(f"skipped launch {params.command!r}: the DevTools port is forwarded already")
            return
        spec.argv = [expand_home(a) for a in spec.argv] if spec.app != "shell" else spec.argv
        pid = self.session.launch(spec)
        if not spec.gui:
            self._settle(pid)
            if _kills(spec.argv):
                self._killed = True
                self._forget_ended_apps()

    def _forget_ended_apps(self) -> None:
        """The task's own `pkill X` ended X: that is its setup, not a broken desktop (health
        checks look only at the apps still tracked)."""
        status = self.session.sandbox.status()  # type: ignore[union-attr]
        self.session.apps = [a for a in self.session.apps
                             if status.get(str(a.pid), {}).get("returncode") is None]

    def _settle(self, pid: int, limit_s: float = LAUNCH_SETTLE_S) -> None:
        """Give a launched command line (`pkill vlc`, a script) a moment to finish, as OSWorld's
        request round trip does: a following `launch vlc` must not race a `pkill vlc` still
        running. A long-running one simply goes on in the background."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            if self.session.sandbox.status().get(str(pid), {}).get("returncode") is not None:  # type: ignore[union-attr]
                return
            time.sleep(0.02)

    def _execute(self, params: Any) -> None:
        command = fill_placeholders(params.command, self.session.width, self.session.height)
        argv = command_argv(command, params.shell)
        code = _pyautogui_code(argv)
        if code is not None:
            self._pyautogui(code)
            return
        until = getattr(params, "until", None) or {}
        deadline = time.monotonic() + UNTIL_TIMEOUT_S
        while True:
            result = self._run(argv, timeout=EXECUTE_TIMEOUT_S)
            if result["timed_out"]:
                if not self.evaluation:  # before the agent acted: a setup that hangs is not its doing
                    raise InfrastructureError(f"task {self.task.id!r}: execute step timed out: {params.command!r}")
                # In postconfig the desktop is the agent's (a dialog it left open can hang a
                # command): like OSWorld, note it and let the metrics grade what is there.
                self.notes.append(f"execute {params.command!r} timed out after {EXECUTE_TIMEOUT_S:.0f} s")
                return
            self._save_output(params, result)
            if not until or until_met(until, result):
                break
            if time.monotonic() > deadline:
                raise InfrastructureError(f"task {self.task.id!r}: execute step never met its `until` "
                                          f"{until!r} within {UNTIL_TIMEOUT_S:.0f} s: {params.command!r}")
            time.sleep(UNTIL_INTERVAL_S)
        if _kills(argv):
            self._killed = True
            self._forget_ended_apps()
        if result["returncode"] != 0:
            # OSWorld ignores failing execute steps (many are `pkill …`); we keep a note.
            note = f"execute {params.command!r} exited {result['returncode']}: {result['stderr'][-300:].strip()}"
            log.info("task %s: %s", self.task.id, note)
            self.notes.append(note)

    def _save_output(self, params: Any, result: dict[str, Any]) -> None:
        for key, stream in (("stdout", "stdout"), ("stderr", "stderr")):
            name = getattr(params, key, None)
            if not name:
                continue
            if self.output_dir is None:
                raise InfrastructureError(f"task {self.task.id!r}: an execute step saves its {key} "
                                          "but this runtime keeps no output folder")
            dest = (self.output_dir / str(name)).resolve()
            if not dest.is_relative_to(self.output_dir.resolve()):
                raise InfrastructureError(f"task {self.task.id!r}: {key} file {name!r} leaves the output folder")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(result[stream], encoding="utf-8")

    def _pyautogui(self, code: str) -> None:
        """OSWorld's postconfig drives the GUI with `python -c "import pyautogui; …"`; here the
        code goes through the pyautogui whitelist parser and XTEST, never a Python interpreter."""
        try:
            actions = [parse_action(a, screen=(self.session.width, self.session.height))
                       for a in parse_pyautogui(code)]
        except ActionError as exc:
            raise InfrastructureError(f"task {self.task.id!r}: pyautogui step not understood: {exc}") from None
        for action in actions:
            if action.action_type not in ("DONE", "FAIL"):
                execute(action, self.session.input)  # type: ignore[arg-type]

    def _open(self, params: Any) -> None:
        path = _sandbox_path(params.path)
        probe = self._run(["test", "-d", path], timeout=10)
        is_dir = probe["returncode"] == 0
        if not is_dir and self._run(["test", "-e", path], timeout=10)["returncode"] != 0:
            raise InfrastructureError(f"task {self.task.id!r}: open: {params.path} does not exist in the sandbox")
        self.session.launch(open_argv(path, is_dir))

    def _sleep(self, params: Any) -> None:
        time.sleep(float(params.seconds))

    def _activate_window(self, params: Any) -> None:
        deadline = time.monotonic() + 5
        name = chromium_window_name(params.window_name)
        while not self.session.activate_window(name, params.strict, params.by_class):
            if time.monotonic() > deadline:
                self.notes.append(f"activate_window: no window matches {name!r}")
                return
            time.sleep(0.1)
        time.sleep(0.1)  # let the window manager raise it

    def _chrome_open_tabs(self, params: Any) -> None:
        if self.session.bridge is None:
            spec = launch_spec(["chromium"])
            assert spec is not None
            self.session.launch(spec)
        bridge = self.session.chromium_bridge()
        cdp.open_tabs(bridge, list(params.urls_to_open))


    def _close_window(self, params: Any) -> None:
        name = chromium_window_name(params.window_name)
        if not self.session.close_window(name, params.strict, params.by_class):
            self.notes.append(f"close_window: no window matches {name!r}")  # OSWorld logs and goes on

    def _chrome_close_tabs(self, params: Any) -> None:
        bridge = self.session.chromium_bridge()
        time.sleep(0.5)  # OSWorld waits for Chrome to finish starting
        for url in params.urls_to_close:
            for page in bridge.pages():
                if same_url(page.get("url", ""), url):
                    bridge.get_json(f"/json/close/{page['id']}")
                    break

    def _download(self, params: Any) -> None:
        if self.fetch is None:
            raise InfrastructureError(f"task {self.task.id!r}: download steps need an asset cache")
        for f in params.files:  # one at a time: a large video need not sit in memory beside the rest
            self.session.sandbox.write_files({_sandbox_path(f.path): self.fetch(f.url)})  # type: ignore[union-attr]

    def _update_browse_history(self, params: Any) -> None:
        """OSWorld's fake browsing history: its empty Chrome history database (an asset) with
        each item added as a typed-in visit, written as Chromium's profile history."""
        if self.fetch is None:
            raise InfrastructureError(f"task {self.task.id!r}: update_browse_history needs an asset cache")
        data = add_visits(self.fetch(EMPTY_HISTORY_URL), [(h.url, h.title, h.visit_time_from_now_in_seconds)
                                                           for h in params.history])
        self.session.sandbox.write_files({CHROMIUM_HISTORY: data})  # type: ignore[union-attr]

    def _googledrive(self, params: Any) -> None:
        raise InfrastructureError(f"task {self.task.id!r}: googledrive steps need a Google account")

    def _login(self, params: Any) -> None:
        raise InfrastructureError(f"task {self.task.id!r}: login steps need a Google account")


def add_visits(empty_db: bytes, items: list[tuple[str, str, float]]) -> bytes:
    """A Chrome history database (bytes) with one `urls` row and one `visits` row per item
    (url, title, seconds ago), timed as OSWorld does (microseconds since 1601)."""
    with tempfile.TemporaryDirectory(prefix="olite-history-") as tmp:
        path = Path(tmp) / "History"
        path.write_bytes(empty_db)
        conn = sqlite3.connect(path)
        try:
            for url, title, ago in items:
                when = datetime.now() - timedelta(seconds=ago)
                stamp = int((when - CHROME_EPOCH).total_seconds() * 1_000_000)
                cur = conn.execute("INSERT INTO urls (url, title, visit_count, typed_count, last_visit_time, hidden) "
                                   "VALUES (?, ?, ?, ?, ?, ?)", (url, title, 1, 0, stamp, 0))
                conn.execute("INSERT INTO visits (url, visit_time, from_visit, transition, segment_id, "
                             "visit_duration) VALUES (?, ?, ?, ?, ?, ?)", (cur.lastrowid, stamp, 0, TYPED_VISIT, 0, 0))
            conn.commit()
        finally:
            conn.close()
        return path.read_bytes()


def _kills(argv: list[str]) -> bool:
    """Whether a command line stops processes (`pkill vlc`, `bash -c "killall soffice"`)."""
    words = " ".join(argv).replace(";", " ").replace("&", " ").replace("|", " ").split()
    return any(Path(w).name in ("pkill", "killall", "kill") for w in words)


def fill_placeholders(command: list[str] | str, width: int, height: int) -> list[str] | str:
    """OSWorld's execute placeholders, filled in (the half sizes before the full ones)."""
    values = {"{CLIENT_PASSWORD}": CLIENT_PASSWORD, "{SCREEN_WIDTH_HALF}": str(width // 2),
              "{SCREEN_HEIGHT_HALF}": str(height // 2), "{SCREEN_WIDTH}": str(width), "{SCREEN_HEIGHT}": str(height)}

    def fill(text: str) -> str:
        for key, value in values.items():
            text = text.replace(key, value)
        return text
    return fill(command) if isinstance(command, str) else [fill(c) for c in command]


def until_met(until: dict[str, Any], result: dict[str, Any]) -> bool:
    """OSWorld's `until`: the return code equals, or the text appears in stdout / stderr."""
    return ("returncode" in until and result["returncode"] == until["returncode"]) \
        or ("stdout" in until and str(until["stdout"]) in result["stdout"]) \
        or ("stderr" in until and str(until["stderr"]) in result["stderr"])


def chromium_window_name(name: str) -> str:
    """OSWorld's Chrome window names, as Chromium titles its windows here."""
    return name.replace("Google Chrome", "Chromium").replace("google-chrome", "chromium")


def same_url(a: str, b: str) -> bool:
    """OSWorld's compare_urls for closing tabs: scheme-less URLs get http, the host loses a
    lone `www` subdomain and its public suffix (here: its last label, so `.co.uk`-style
    suffixes are approximated), a bare "/" path counts as empty; query and fragment count."""
    def norm(u: str) -> tuple[str, str, str, str, str]:
        u = u.strip()
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+\-.]*://", u):
            u = f"http://{u}"
        p = urlsplit(u)
        labels = (p.hostname or "").lower().split(".")
        labels = labels[:-1] if len(labels) > 1 else labels
        if len(labels) == 2 and labels[0] == "www":
            labels = labels[1:]
        return p.scheme.lower(), ".".join(labels), "" if p.path == "/" else p.path, p.query, p.fragment
    return norm(a) == norm(b)
