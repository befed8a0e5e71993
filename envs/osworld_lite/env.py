"""OSWorldLiteEnv: one osworld-lite task as a gymnasium environment.

reset() builds a fresh desktop (Xvfb, bubblewrap sandbox, openbox, HOME) and runs the task's
config steps; step() executes a computer_13 action (or parsed pyautogui code) with XTEST and
returns the settled screenshot. DONE and FAIL end the episode and trigger evaluation (the
evaluator's postconfig, then its metrics). Bad actions leave `info["action_error"]`.
close() kills every process.

Blame (envs/endings.py): whatever fails during reset, and damage found at the start of the
first step (before the agent's first action takes effect), raises InfrastructureError. From
then on a sandbox, supervisor or app that died, or an in-sandbox part the evaluation needs
that is gone, raises EnvironmentDestroyed (the agent's doing); interference with the
evaluation raises EvaluationTampered; host-side failures (the X server) stay
InfrastructureError. evaluate() on a destroyed desktop raises EnvironmentDestroyed.
"""
from __future__ import annotations

import functools
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.errors import InfrastructureError
from envs.osworld_lite import a11y, getters, pool
from envs.osworld_lite import actions as A
from envs.osworld_lite.config_steps import StepRunner
from envs.osworld_lite.evaluator import evaluate_task
from envs.osworld_lite.executor import execute
from envs.osworld_lite.pyautogui_parser import parse_pyautogui
from envs.osworld_lite.sandbox import SandboxBroken
from envs.osworld_lite.sampling import sample_action
from envs.osworld_lite.session import DesktopSession
from envs.osworld_lite.task import Task
from envs.types import AgentSpec, Evaluation, TaskInfo, Termination

log = logging.getLogger(__name__)
MAX_INSTRUCTION = 10_000
MAX_TREE = a11y.MAX_CHARS + 100
MAX_ACTION_JSON = 20_000
QUIET_S = 0.02           # a screen still this long after the last drawing has settled ...
FIRST_REACTION_S = 0.04  # ... or this long after the action when nothing was drawn at all ...
BUSY_CPU_SHARE = 0.25    # ... unless the apps used more than this share of a CPU meanwhile
LIBREOFFICE_HINTS = ("libreoffice", "soffice", "localc", "lowriter", "loimpress", ".xlsx", ".docx", ".ods",
                     ".odt", ".csv", ".pptx")


@functools.lru_cache(maxsize=1)
def text_charset() -> str:
    """Every BMP character but controls and surrogates, plus tab and newline."""
    chars = ["\t", "\n"] + [chr(c) for c in range(0x20, 0x7F)]
    chars += [chr(c) for c in range(0xA0, 0x10000) if not 0xD800 <= c <= 0xDFFF]
    return "".join(chars)


def clean_text(text: str) -> str:
    """Map characters outside `text_charset()` (controls, astral emoji) to U+FFFD."""
    return "".join(ch if ch in "\t\n" or 0x20 <= ord(ch) < 0x7F or 0xA0 <= ord(ch) < 0x10000
                   and not 0xD800 <= ord(ch) <= 0xDFFF else "\ufffd" for ch in text)


@functools.lru_cache(maxsize=8)
def _spaces(width: int, height: int) -> tuple[spaces.Dict, spaces.Text]:
    charset = text_charset()
    obs = spaces.Dict({
        "screenshot": spaces.Box(0, 255, (height, width, 3), np.uint8),
        "instruction": spaces.Text(MAX_INSTRUCTION, min_length=0, charset=charset),
        "accessibility_tree": spaces.Text(MAX_TREE, min_length=0, charset=charset),
    })
    return obs, spaces.Text(MAX_ACTION_JSON, min_length=0, charset=charset)


class OSWorldLiteEnv(gym.Env):
    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(self, task: Task | None = None, *, task_id: str | None = None, task_file: str | None = None,
                 screen_width: int = 1280, screen_height: int = 720, a11y: bool | str = False,
                 settle_s: float = 1.0, idle_timeout_s: float = 10.0, render_mode: str | None = None,
                 sandbox_dir: str | None = None,
                 **_ignored: Any):
        if task is None:
            if task_id is None:
                raise ValueError("give a task or a task_id")
            from envs.osworld_lite.suite import get_task

            task = get_task(task_id, task_file)
        self.task = task
        self.width, self.height = int(screen_width), int(screen_height)
        self.a11y = a11y if isinstance(a11y, bool) else str(a11y).lower() in ("1", "on", "true", "yes")
        self.settle_s = float(settle_s)
        self.idle_timeout_s = float(idle_timeout_s)
        self.render_mode = render_mode
        self.sandbox_dir = sandbox_dir
        self.observation_space, self.action_space = _spaces(self.width, self.height)
        self.session: DesktopSession | None = None
        self.setup_notes: list[str] = []
        self._last_action_type: str | None = None
        self._last_frame: np.ndarray | None = None
        self._pooled = False

    # -- contract extras (docs/architecture.md) -----------------------------------------------
    @property
    def task_info(self) -> TaskInfo:
        return self.task.to_task_info()

    def agent_spec(self) -> AgentSpec:
        return AgentSpec(kind="computer", instruction=self.task.instruction, screen_width=self.width,
                         screen_height=self.height,
                         extra={"action_space": "computer_13", "a11y_tree": self.a11y,
                                "platform": "Linux (Debian) desktop with openbox", "home": "/home/user"})

    def reference_solution(self) -> list[dict[str, Any]] | None:
        return self.task.solution_actions()

    def sample_action(self, rng: np.random.Generator) -> dict[str, Any]:
        return sample_action(rng, self.width, self.height)

    # -- gymnasium API ------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self._shutdown()
        started = time.monotonic()
        try:
            if pool.enabled():
                self.session = pool.pool().acquire(self.width, self.height, self.sandbox_dir)
                self._pooled = True
            else:
                self.session = DesktopSession(self.width, self.height, base_dir=self.sandbox_dir).start()
            if self._uses_libreoffice():
                self.session.install_libreoffice_profile()
            runner = self.step_runner(self.session)
            runner(self.task.config)
            self.setup_notes = runner.notes
            self.session.check_health()
            # The first observation shows the apps ready (documents loaded), not mid-start.
            self.session.wait_idle(timeout=self.idle_timeout_s)
            obs = self._observe(settle=True, min_wait=0.03)
        except BaseException:
            self._shutdown()
            raise
        if self._pooled:
            pool.pool().refill(self.width, self.height, self.sandbox_dir)
        self._last_action_type = None
        info = {"task_id": self.task.id, "reset_s": round(time.monotonic() - started, 3),
                "setup_notes": list(self.setup_notes)}
        return obs, info

    def step(self, action: Any):
        if self.session is None:
            raise RuntimeError("call reset() before step()")
        if not self.session.agent_acted:
            # Anything already broken now broke before the agent did anything.
            self.session.check_health()
            self.session.agent_acted = True
        try:
            return self._step(action)
        except SandboxBroken as exc:
            raise self.session.blame(exc) from exc

    def _step(self, action: Any):
        assert self.session is not None
        info: dict[str, Any] = {}
        try:
            batch = self._actions(action)
        except A.ActionError as exc:
            info["action_error"] = str(exc)
            return self._observe(settle=False), 0.0, False, False, info
        terminal: str | None = None
        if self.session.changes is not None:
            self.session.changes.forget()   # what was drawn before the action does not count
        for model in batch:
            if model.action_type in ("DONE", "FAIL"):
                terminal = model.action_type
                break
            try:
                execute(model, self.session.input)  # type: ignore[arg-type]
            except A.ActionError as exc:
                info["action_error"] = str(exc)
                break
            except InfrastructureError:
                raise
            except Exception as exc:  # the X connection broke: is the display gone?
                self.session.check_health()
                raise InfrastructureError(f"input failed: {type(exc).__name__}: {exc}") from exc
            self._last_action_type = model.action_type
        if terminal is None:
            self.session.check_health()
            return self._observe(settle=True), 0.0, False, False, info
        self._last_action_type = terminal
        obs = self._observe(settle=True)
        termination = Termination.AGENT_DONE if terminal == "DONE" else Termination.AGENT_FAIL
        evaluation = self.evaluate(termination)
        info.update(termination=termination, evaluation=evaluation.model_dump())
        return obs, float(evaluation.reward), True, False, info

    def evaluate(self, termination: Termination) -> Evaluation:
        """The task's verdict on the desktop as it is now (postconfig steps run first)."""
        if self.session is None:
            raise RuntimeError("nothing to evaluate: the env was not reset")
        session = self.session
        try:
            session.input.release_all()  # type: ignore[union-attr]
        except Exception as exc:  # the X connection broke: is the display gone?
            session.check_health()
            raise InfrastructureError(f"input failed: {type(exc).__name__}: {exc}") from exc
        last = self._last_action_type
        if termination == Termination.AGENT_FAIL:
            last = "FAIL"
        try:
            session.check_health()
            with tempfile.TemporaryDirectory(prefix="olite-eval-") as tmp:
                evaluation = evaluate_task(
                    self.task, self.resolver(session, Path(tmp)), last,
                    run_steps=self.step_runner(session, evaluation=True))
        except SandboxBroken as exc:
            raise session.blame(exc) from exc
        evaluation.details.setdefault("termination", str(termination))
        evaluation.details.setdefault("limits", dict(session.sandbox.limits))  # type: ignore[union-attr]
        return evaluation

    def render(self):
        if self.render_mode == "rgb_array":
            return self._last_frame
        return None

    def close(self) -> None:
        self._shutdown()
        super().close()

    # -- hooks for task sources that extend setup or getters (envs/osworld) ----------------------
    def step_runner(self, session: DesktopSession, evaluation: bool = False) -> StepRunner:
        return StepRunner(session, self.task, evaluation=evaluation)

    def resolver(self, session: DesktopSession, workdir: Path) -> Callable[[dict[str, Any]], Any]:
        return lambda spec: getters.resolve(session, spec, workdir)

    # -- internals ------------------------------------------------------------------------------
    def _actions(self, action: Any) -> list[Any]:
        model = A.parse_action(action, screen=(self.width, self.height))
        if isinstance(model, A.PyAutoGui):
            batch = [A.parse_action(a, screen=(self.width, self.height)) for a in parse_pyautogui(model.code)]
        else:
            batch = [model]
        return batch

    def _observe(self, settle: bool, min_wait: float = 0.0) -> dict[str, Any]:
        frame = self._settled_frame(min_wait) if settle else self.session.screen.grab()  # type: ignore[union-attr]
        self._last_frame = frame
        tree = ""
        if self.a11y:
            tree = a11y.accessibility_tree(self.session.sandbox, self.width, self.height,  # type: ignore[union-attr,arg-type]
                                           bridge=self.session.bridge)  # type: ignore[union-attr]
        return {"screenshot": frame, "instruction": clean_text(self.task.instruction)[:MAX_INSTRUCTION],
                "accessibility_tree": clean_text(tree)[:MAX_TREE]}

    def _settled_frame(self, min_wait: float) -> np.ndarray:
        """The screen once the apps have reacted to the action: nothing was drawn for
        `QUIET_S` (`FIRST_REACTION_S` while nothing at all was drawn since the action: some
        apps take a while to start reacting) and the GUI apps and X server used at most
        `BUSY_CPU_SHARE` of a CPU in that window; `settle_s` at most. Screen-change events
        (X DAMAGE) say when drawing stops; the CPU check catches an app still working before
        it draws, e.g. a dialog being built."""
        session = self.session
        assert session is not None and session.screen is not None and session.changes is not None
        probe = session.cpu_probe(with_x_server=True)
        started = time.monotonic()
        deadline = started + self.settle_s
        quiet_from, cpu, reacted = started, probe(), False
        while time.monotonic() < deadline:
            quiet = QUIET_S if reacted else FIRST_REACTION_S
            wait = max(quiet_from + quiet, started + min_wait) - time.monotonic()
            if wait > 0 and session.changes.changed_within(min(wait, deadline - time.monotonic())):
                quiet_from, cpu, reacted = time.monotonic(), probe(), True
                continue
            now, used = time.monotonic(), probe()
            if used - cpu <= BUSY_CPU_SHARE * (now - quiet_from):
                return session.screen.grab()
            quiet_from, cpu = now, used
        return session.screen.grab()

    def _uses_libreoffice(self) -> bool:
        text = " ".join([*self.task.related_apps, self.task.snapshot,
                         *(str(step.parameters.model_dump()) for step in self.task.config)]).lower()
        return any(h in text for h in LIBREOFFICE_HINTS)

    def _shutdown(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            session.close()
        if self._pooled:
            self._pooled = False
            pool.pool().release()
