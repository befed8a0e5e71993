"""Runs a task's config (and postconfig) steps against an episode's desktop.

Step models come from `task.py`. Everything runs inside the sandbox: `execute` commands,
`launch`ed apps, files opened by `open`. `copy` materialises a fixture (or a file beside the
task file) in a host staging folder and hands the bytes to the sandbox's supervisor, so the
host never writes through paths the sandbox controls. `~` in commands is the episode's HOME.

A task's setup steps (before the agent acts) run their commands through the supervisor, in
the agent's PID namespace, so a background job they start lives on for the agent. Evaluation
steps (`evaluation=True`: the evaluator's postconfig) run them with `Sandbox.run`, in a fresh
process the host starts outside the agent's reach.
"""
from __future__ import annotations

import logging
import shlex
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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

    def __init__(self, session: DesktopSession, task: Task, evaluation: bool = False):
        self.session, self.task = session, task
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
        self.session.launch(spec)

    def _execute(self, params: Any) -> None:
        argv = command_argv(params.command, params.shell)
        code = _pyautogui_code(argv)
        if code is not None:
            self._pyautogui(code)
            return
        result = self._run(argv, timeout=EXECUTE_TIMEOUT_S)
        if result["timed_out"]:
            raise InfrastructureError(f"task {self.task.id!r}: execute step timed out: {params.command!r}")
        if result["returncode"] != 0:
            # OSWorld ignores failing execute steps (many are `pkill …`); we keep a note.
            note = f"execute {params.command!r} exited {result['returncode']}: {result['stderr'][-300:].strip()}"
            log.info("task %s: %s", self.task.id, note)
            self.notes.append(note)

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
        while not self.session.activate_window(params.window_name, params.strict, params.by_class):
            if time.monotonic() > deadline:
                self.notes.append(f"activate_window: no window matches {params.window_name!r}")
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

