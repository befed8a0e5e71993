"""MiniWoBEnv: one MiniWoB++ task as a gymnasium environment.

reset(seed) opens the task page in a fresh browser context of a long-lived Chromium
(envs/miniwob/browser.py), seeds the page's generator (`Math.seedrandom`), starts MiniWoB's
episode (`core.startEpisodeReal()`, which starts its timer) and returns the screenshot, the
instance's instruction (MiniWoB's utterance) and the page as text with element ids. A pinned
instance id (`choose-list/i226256`, envs/miniwob/instances.py) opens that one train instance on
every reset, whatever the seed.
step(action) takes a computer_13 action (dict/JSON/model, as on the desktop), a pyautogui
code string under {"action_type": "PYAUTOGUI"}, or a BrowserGym action string such as
`click('12')`, and carries it out with real mouse and keyboard events.

The reward is the page's own: when the task's JavaScript ends its episode (`core.endEpisode`)
the step terminates, and the verdict is BrowserGym's reading of MiniWoB's raw reward
(success iff raw reward > 0). MiniWoB's timer ending the episode is the agent's ending too
(Termination.TIMEOUT, reward 0); the agent saying DONE or FAIL before the page ended the
episode scores 0, as in MiniWoB, where only the page gives rewards.
Blame: a page that cannot load or start raises InfrastructureError; a browser that dies
after the agent acted cannot be the agent's doing on a web page (it has no way to kill
Chromium), so it is InfrastructureError too.
"""
from __future__ import annotations

import base64
import functools
import io
import time
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from PIL import Image

from envs.errors import InfrastructureError
from envs.miniwob import bg_actions, dom, instances, pages
from envs.miniwob import input as page_input
from envs.miniwob.bg_exec import run_call
from envs.miniwob.browser import BrowserWorker, pool
from envs.osworld_lite import actions as A
from envs.osworld_lite.pyautogui_parser import parse_pyautogui
from envs.osworld_lite.sampling import sample_action
from envs.types import AgentSpec, Evaluation, TaskInfo, Termination

FAMILY = "miniwob"
MAX_INSTRUCTION = 2_000
MAX_ACTION = 20_000
CALL_TIMEOUT_S = 90.0          # one reset or step in the browser; past it the browser is stuck
LOAD_TIMEOUT_MS = 15_000
# MiniWoB draws a click visualiser and a reward/timer panel beside the task; BrowserGym removes
# them from agents' view, and so do we (they stay in the page, so MiniWoB's code runs as written).
HIDE_OVERLAYS = "#reward-display, #click-canvas { display: none !important; }"
UTTERANCE_JS = "() => { const r = core.getUtterance(); return typeof r === 'string' ? r : r.utterance; }"
# One round trip: clear the origin's storage, hide the overlays, seed, start MiniWoB's episode.
START_JS = f"""
({{seed, maxTimeMs, css}}) => {{
  try {{ localStorage.clear(); sessionStorage.clear(); }} catch (e) {{}}
  const style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);
  Math.seedrandom(seed);
  if (maxTimeMs !== null) core.EPISODE_MAX_TIME = maxTimeMs;
  core.startEpisodeReal();
  const ready = WOB_TASK_READY === true;
  return {{maxTime: core.EPISODE_MAX_TIME, ready: ready, utterance: ready ? ({UTTERANCE_JS})() : null}};
}}
"""
STATE_JS = ("() => ({done: WOB_DONE_GLOBAL, raw: WOB_RAW_REWARD_GLOBAL, reward: WOB_REWARD_GLOBAL, "
            "reason: WOB_REWARD_REASON === null || WOB_REWARD_REASON === undefined ? null : "
            "String(WOB_REWARD_REASON)})")
# The page text and the episode's state in one round trip (after the screenshot).
OBSERVE_JS = f"(maxChars) => ({{text: ({dom.DOM_TEXT_JS})(maxChars), state: ({STATE_JS})()}})"


@functools.lru_cache(maxsize=1)
def text_charset() -> str:
    """Every BMP character but controls and surrogates, plus tab and newline (spaces.Text)."""
    return "\t\n" + "".join(chr(c) for c in range(0x20, 0x10000)
                              if not (0x7F <= c < 0xA0 or 0xD800 <= c <= 0xDFFF))


def clean_text(text: str) -> str:
    """Characters outside `text_charset()` (controls, astral emoji) become U+FFFD."""
    return "".join(ch if ch in "\t\n" or 0x20 <= ord(ch) < 0x7F or 0xA0 <= ord(ch) < 0x10000
                   and not 0xD800 <= ord(ch) <= 0xDFFF else "\ufffd" for ch in text)


def instance_seed(seed: int, split: str) -> int:
    """The seed the page's generator gets: train and test instances come from disjoint seeds
    by construction (even for train, odd for test), whatever seeds the runner hands out."""
    return 2 * int(seed) + (1 if split == "test" else 0)


class MiniWoBEnv(gym.Env):
    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(self, task_id: str, *, split: str = "test", viewport_width: int = 332,
                 viewport_height: int = 240, scale: float = 1.5, episode_max_time_s: float | None = None,
                 settle_ms: int = 0, render_mode: str | None = None, **_ignored: Any):
        pinned = instances.parse(task_id)
        self.page_task = pinned.task if pinned else task_id     # the MiniWoB task of the page
        # A pinned instance opens the same page on every reset (train seed space only).
        self.pinned_seed = pinned.seed if pinned else None
        pages.page_path(self.page_task)  # unknown ids fail here with close matches
        if split not in ("train", "test"):
            raise ValueError(f"split must be train or test, got {split!r}")
        if pinned and split != "train":
            raise ValueError(f"{task_id} is a pinned train instance; it has no {split} split")
        if episode_max_time_s is not None and not 0 < float(episode_max_time_s) <= 86_400:
            raise ValueError("episode_max_time_s must be between 0 and 86400 seconds")
        self.task_id, self.split = task_id, split
        self.css_width, self.css_height = int(viewport_width), int(viewport_height)
        self.scale = float(scale)
        self.width, self.height = round(self.css_width * self.scale), round(self.css_height * self.scale)
        self.episode_max_time_s = None if episode_max_time_s is None else float(episode_max_time_s)
        self.settle_ms = int(settle_ms)
        self.render_mode = render_mode
        charset = text_charset()
        self.observation_space = spaces.Dict({
            "screenshot": spaces.Box(0, 255, (self.height, self.width, 3), np.uint8),
            "instruction": spaces.Text(MAX_INSTRUCTION, min_length=0, charset=charset),
            "dom_text": spaces.Text(dom.MAX_CHARS + 100, min_length=0, charset=charset),
        })
        self.action_space = spaces.Text(MAX_ACTION, min_length=0, charset=charset)
        self.worker: BrowserWorker | None = None
        self._page: Any = None
        self._input: page_input.PageInput | None = None
        self.utterance = ""
        self.page_seed: int | None = None
        self.time_limit_ms: int | None = None
        self.messages: list[str] = []       # send_msg_to_user(...) texts, as BrowserGym's chat
        self._last_frame: np.ndarray | None = None
        self._ended: dict[str, Any] | None = None

    # -- contract extras (docs/architecture.md) -------------------------------------------------
    @property
    def task_info(self) -> TaskInfo:
        from envs.miniwob.solvers import SOLVERS

        return TaskInfo(id=self.task_id, env=FAMILY, domain=FAMILY, split=self.split,  # type: ignore[arg-type]
                        instruction=self.utterance or pages.title(self.page_task),
                        has_solution=self.page_task in SOLVERS,
                        metadata={"page_seed": self.page_seed, "time_limit_ms": self.time_limit_ms})

    def agent_spec(self) -> AgentSpec:
        return AgentSpec(kind="computer", instruction=self.utterance or pages.title(self.page_task),
                         screen_width=self.width, screen_height=self.height,
                         extra={"action_space": "computer_13", "browsergym_actions": True,
                                "platform": "a MiniWoB++ web page in Chromium", "dom_text": True})

    def reference_solution(self) -> list[dict[str, Any]] | None:
        """The oracle's actions for this instance, read from the page's DOM (never its reward)."""
        from envs.miniwob.solvers import SOLVERS, Probe

        solver = SOLVERS.get(self.page_task)
        if solver is None or self._page is None:
            return None
        return self._call(lambda _b: solver(Probe(self._page, self.scale)))

    def sample_action(self, rng: np.random.Generator) -> dict[str, Any]:
        return sample_action(rng, self.width, self.height)

    # -- gymnasium API --------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        started = time.monotonic()
        if seed is None:
            seed = int(self.np_random.integers(0, 2**31 - 1))
        self.page_seed = instance_seed(seed if self.pinned_seed is None else self.pinned_seed, self.split)
        self.messages, self._ended = [], None
        try:
            if self.worker is None:
                self.worker = pool().acquire()
            obs = self._call(self._open)
        except InfrastructureError:
            self._drop_worker()
            raise
        except Exception as exc:
            self._drop_worker()
            raise InfrastructureError(f"MiniWoB page {self.task_id} did not start: {type(exc).__name__}: {exc}") from exc
        info = {"task_id": self.task_id, "utterance": self.utterance, "page_seed": self.page_seed,
                "time_limit_ms": self.time_limit_ms,
                "reset_s": round(time.monotonic() - started, 3)}
        return obs, info

    def step(self, action: Any):
        if self._page is None:
            raise RuntimeError("call reset() before step()")
        info: dict[str, Any] = {}
        try:
            batch = self._parse(action)
        except A.ActionError as exc:
            info["action_error"] = str(exc)
            return self._call(lambda _b: self._observe(settle=False)[0]), 0.0, False, False, info
        try:
            obs, terminal, state, error = self._call(lambda _b: self._run(batch))
        except InfrastructureError:
            raise
        except Exception as exc:
            raise InfrastructureError(f"the browser failed during a step: {type(exc).__name__}: {exc}") from exc
        if error:
            info["action_error"] = error
        if self.messages:
            info["chat_messages"] = list(self.messages)
        if state["done"]:
            termination = Termination.TIMEOUT if _timed_out(state) else Termination.AGENT_DONE
        elif terminal is not None:
            termination = Termination.AGENT_DONE if terminal == "DONE" else Termination.AGENT_FAIL
        else:
            return obs, 0.0, False, False, info
        evaluation = self._verdict(state, termination)
        info.update(termination=termination, evaluation=evaluation.model_dump())
        return obs, float(evaluation.reward), True, False, info

    def evaluate(self, termination: Termination) -> Evaluation:
        """The page's verdict as it stands now (0 unless the task's own code ended the episode)."""
        if self._page is None:
            raise RuntimeError("nothing to evaluate: the env was not reset")
        return self._verdict(self._call(self._release_and_read), termination)

    def render(self):
        return self._last_frame if self.render_mode == "rgb_array" else None

    def close(self) -> None:
        if self.worker is not None:
            try:
                self._call(self._close_page)
            except Exception:
                self._drop_worker()
            else:
                pool().release(self.worker)
                self.worker = None
        super().close()

    # -- in the browser thread -------------------------------------------------------------------
    def _open(self, browser: Any) -> dict[str, Any]:
        assert self.worker is not None
        self._page = self.worker.fresh_page(
            browser, (self.css_width, self.css_height, self.scale),
            viewport={"width": self.css_width, "height": self.css_height}, device_scale_factor=self.scale,
            service_workers="block", accept_downloads=False)
        self._page.set_default_timeout(5_000)
        self._page.goto(pages.page_url(self.page_task), wait_until="load", timeout=LOAD_TIMEOUT_MS)
        max_ms = None if self.episode_max_time_s is None else int(self.episode_max_time_s * 1000)
        started = self._page.evaluate(START_JS, {"seed": self.page_seed, "maxTimeMs": max_ms, "css": HIDE_OVERLAYS})
        self.time_limit_ms = int(started["maxTime"])
        utterance = started["utterance"]
        if not started["ready"]:   # a task that builds its instance asynchronously
            self._page.wait_for_function("() => WOB_TASK_READY === true", timeout=LOAD_TIMEOUT_MS)
            utterance = self._page.evaluate(UTTERANCE_JS)
        self._input = page_input.PageInput(self._page, self.scale)
        self.utterance = clean_text(str(utterance or ""))[:MAX_INSTRUCTION]
        return self._observe(settle=True)[0]

    def _close_page(self, _browser: Any = None) -> None:
        """Park the worker's page on a blank document, so the episode's scripts stop running."""
        page, self._page, self._input = self._page, None, None
        if page is not None and not page.is_closed():
            page.goto("about:blank")

    def _state(self) -> dict[str, Any]:
        return self._page.evaluate(STATE_JS)

    def _run(self, batch: list[Any]) -> tuple[dict[str, Any], str | None, dict[str, Any], str | None]:
        """Carry out the actions until one ends the episode (or the page did); then observe."""
        terminal, error = None, None
        state = self._state()
        for item in batch:
            if state["done"]:
                break   # the page ended the episode (its timer, or an earlier action): act no more
            if isinstance(item, bg_actions.Call):
                if item.name == "report_infeasible":
                    self.messages.append(str(item.args["reason"]))
                    terminal = "FAIL"
                    break
                if item.name == "send_msg_to_user":
                    self.messages.append(str(item.args["text"]))
                    continue
                try:
                    run_call(self._page, item)
                except A.ActionError as exc:
                    error = str(exc)
                    break
            elif item.action_type in ("DONE", "FAIL"):
                terminal = item.action_type
                break
            else:
                self._input.execute(item)  # type: ignore[union-attr]
            if len(batch) > 1:
                state = self._state()
        obs, state = self._observe(settle=True)
        return obs, terminal, state, error

    def _release_and_read(self, _browser: Any) -> dict[str, Any]:
        if self._input is not None:
            self._input.release_all()
        return self._state()

    def _observe(self, settle: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """(observation, the page's episode state)."""
        page = self._page
        if settle and self.settle_ms:
            page.wait_for_timeout(self.settle_ms)
        # DevTools' own capture: a fresh frame that includes what the action's handlers changed,
        # without Playwright's extra waits (~25 ms instead of ~45 ms).
        shot = self.worker.cdp.send("Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True})  # type: ignore[union-attr]
        png = base64.b64decode(shot["data"])
        frame = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        if frame.shape != (self.height, self.width, 3):  # a fractional scale can round a pixel off
            frame = np.asarray(Image.fromarray(frame).resize((self.width, self.height)))
        self._last_frame = frame
        seen = page.evaluate(OBSERVE_JS, dom.MAX_CHARS)
        obs = {"screenshot": frame, "instruction": self.utterance, "dom_text": clean_text(str(seen["text"]))}
        return obs, seen["state"]

    # -- helpers ----------------------------------------------------------------------------------
    def _call(self, fn: Any) -> Any:
        if self.worker is None:
            raise InfrastructureError("no browser: the env was closed")
        try:
            return self.worker.call(fn, timeout_s=CALL_TIMEOUT_S)
        except TimeoutError as exc:
            raise InfrastructureError(f"the browser did not answer within {CALL_TIMEOUT_S:g} s") from exc

    def _drop_worker(self) -> None:
        worker, self.worker = self.worker, None
        self._page = self._input = None
        if worker is not None:
            pool().discard(worker)

    def _parse(self, action: Any) -> list[Any]:
        if isinstance(action, str) and not action.lstrip().startswith("{"):
            return list(bg_actions.parse(action))
        if isinstance(action, dict) and str(action.get("action_type", "")).upper() == "BROWSERGYM":
            return list(bg_actions.parse(action.get("code")))  # type: ignore[arg-type]
        model = A.parse_action(action, screen=(self.width, self.height))
        batch = [A.parse_action(a, screen=(self.width, self.height)) for a in parse_pyautogui(model.code)] \
            if isinstance(model, A.PyAutoGui) else [model]
        for item in batch:
            page_input.validate(item)
        return batch

    def _verdict(self, state: dict[str, Any], termination: Termination) -> Evaluation:
        raw = float(state.get("raw") or 0.0)
        done = bool(state.get("done"))
        success = done and raw > 0        # BrowserGym: reward = float(RAW_REWARD_GLOBAL > 0)
        details = {"task_id": self.task_id, "page_seed": self.page_seed, "page_done": done,
                   "raw_reward": raw if done else None, "time_scaled_reward": state.get("reward") if done else None,
                   "reason": state.get("reason"), "time_limit_ms": self.time_limit_ms,
                   "termination": str(termination)}
        if not done:
            details["note"] = "the task's page did not end its episode: MiniWoB gives no reward"
        return Evaluation(reward=1.0 if success else 0.0, success=success, details=details)


def _timed_out(state: dict[str, Any]) -> bool:
    return state.get("reason") == "timed out"
