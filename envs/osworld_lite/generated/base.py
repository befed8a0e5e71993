"""The pieces every generated task family shares: the draft a family writes, the context that
names its fixtures, and the config, evaluator and solution snippets the built-in suite uses.

A family is a `Family(name, domain, build)`: `build(rng, ctx)` draws its data from `rng` (a
`random.Random` seeded from the family name, the generation seed and the task's index, so the
same triple always gives the same task) and returns a `Draft`. Input and expected files are
registered through `ctx.fixture(basename, writer)`, which names them
`gen/<task id>/<basename>`; they are written only when an episode (or a content check) needs
them, so generating a thousand tasks stays cheap.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOME = "/home/user"
SITE_URL = "http://127.0.0.1:8000"
FixtureWriter = Callable[[Path], None]


@dataclass
class Draft:
    """What a family builds for one task; `assemble` turns it into a task record."""

    instruction: str
    config: list[dict[str, Any]]
    evaluator: dict[str, Any]
    solution: list[dict[str, Any]]
    related_apps: list[str]
    snapshot: str


@dataclass
class Ctx:
    """Per-task context: the task id and the fixtures the family registers for it."""

    task_id: str
    fixtures: dict[str, FixtureWriter] = field(default_factory=dict)

    def fixture(self, basename: str, writer: FixtureWriter) -> str:
        """Register a file (input or expected output) of this task; returns its fixture name."""
        name = f"gen/{self.task_id}/{basename}"
        if name in self.fixtures:
            raise ValueError(f"fixture {name!r} made twice by one task")
        self.fixtures[name] = writer
        return name


@dataclass(frozen=True)
class Family:
    name: str          # e.g. "calc-sum-column"; part of every task id
    domain: str        # osworld-lite domain: os, files, text_editor, calc, writer, chromium, multi_apps
    build: Callable[[random.Random, Ctx], Draft]
    summary: str       # one line for the docs and listings


# -- writers for fixture content --------------------------------------------------------------

def text_writer(text: str) -> FixtureWriter:
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")
    return write


def tree_writer(files: dict[str, str]) -> FixtureWriter:
    """A folder fixture: {relative path: text}."""
    def write(path: Path) -> None:
        for rel, text in files.items():
            dest = path / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
    return write


# -- config steps -------------------------------------------------------------------------------

def copy_step(fixture: str, path: str) -> dict[str, Any]:
    return {"type": "copy", "parameters": {"fixture": fixture, "path": path}}


def open_step(path: str) -> dict[str, Any]:
    return {"type": "open", "parameters": {"path": path}}


def launch_step(*argv: str) -> dict[str, Any]:
    return {"type": "launch", "parameters": {"command": list(argv), "shell": False}}


def execute_step(script: str) -> dict[str, Any]:
    return {"type": "execute", "parameters": {"command": ["bash", "-c", script], "shell": False}}


def site_steps(site_fixture: str, urls: list[str]) -> list[dict[str, Any]]:
    """Serve ~/site on the sandbox's loopback and open `urls` in Chromium (the suite's way)."""
    return [copy_step(site_fixture, "~/site"),
            launch_step("python3", "-m", "http.server", "8000", "--bind", "127.0.0.1",
                        "--directory", f"{HOME}/site"),
            {"type": "sleep", "parameters": {"seconds": 0.5}},
            launch_step("google-chrome", "--remote-debugging-port=1337"),
            {"type": "chrome_open_tabs", "parameters": {"urls_to_open": urls}}]


# -- evaluator specs ----------------------------------------------------------------------------

def vm_file(path: str) -> dict[str, Any]:
    return {"type": "vm_file", "path": path, "dest": Path(path).name}


def command(cmd: str) -> dict[str, Any]:
    return {"type": "vm_command_line", "command": cmd, "shell": True}


def rule(**rules: Any) -> dict[str, Any]:
    return {"type": "rule", "rules": rules}


def fixture_spec(name: str) -> dict[str, Any]:
    return {"type": "fixture", "fixture": name}


def cell_rule(coordinate: str, **props: Any) -> dict[str, Any]:
    return {"type": "check_cell", "sheet_idx": "RI0", "coordinate": coordinate, "props": props}


# -- solution actions (computer_13) -------------------------------------------------------------

def wait(seconds: float) -> dict[str, Any]:
    return {"action_type": "WAIT", "seconds": seconds}


def hotkey(*keys: str) -> dict[str, Any]:
    return {"action_type": "HOTKEY", "keys": list(keys)}


def press(key: str) -> dict[str, Any]:
    return {"action_type": "PRESS", "key": key}


def typing(text: str) -> dict[str, Any]:
    return {"action_type": "TYPING", "text": text}


DONE = {"action_type": "DONE"}


def shell(cmd: str, settle: float = 1.0) -> list[dict[str, Any]]:
    """Type one command line into the focused xterm and let it finish."""
    return [typing(cmd + "\n"), wait(settle), DONE]


def office_save() -> list[dict[str, Any]]:
    # LibreOffice keeps the format (the desktop profile turns the question off); the wait
    # lets the save finish before the episode ends.
    return [hotkey("ctrl", "s"), wait(3.0), DONE]


def search_command(name: str) -> list[dict[str, Any]]:
    """Run a LibreOffice command by name through Help > Search Commands (shift+esc)."""
    return [hotkey("shift", "esc"), wait(1.0), typing(name), wait(1.0), press("enter"), wait(1.0)]


# -- small helpers ------------------------------------------------------------------------------

def sq(text: str) -> str:
    """Single-quote `text` for a shell command line typed into xterm."""
    return "'" + text.replace("'", "'\\''") + "'"
