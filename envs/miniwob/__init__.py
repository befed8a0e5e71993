"""miniwob: MiniWoB++'s web tasks in Debian's Chromium through Playwright.

Importing the package registers the family "miniwob" (envs.registry) and every task with
gymnasium as `miniwob-playwright/<task_id>` (the `miniwob` package itself registers its own
Selenium environments as `miniwob/<task_id>-v1`; the two namespaces must not clash). Family options: `split` (train or test: which instances —
seeds — an episode draws; tasks are the same in both), `viewport_width` / `viewport_height`
(CSS pixels, default 332×240 — MiniWoB's 160×210 task area and room for its pop-ups, as
BrowserGym's 332×214), `scale` (device pixels per CSS pixel, default 1.5: screenshots are 498×360), `episode_max_time_s` (override MiniWoB's episode timer; default: the task's own)
`settle_ms` (an extra wait after each step), `solvable_only` (list only the tasks the oracle
has solvers for; `run --agent oracle` sets it) and `generated` / `generated_seed` (list N pinned
train instances, `click-button/i004217`, instead of the tasks: envs/miniwob/instances.py).

Layout: pages.py (the package's task pages) · browser.py (a Chromium per worker thread) ·
env.py (the gymnasium env) · input.py (computer_13 → mouse and keyboard) · bg_actions.py +
bg_exec.py (BrowserGym's action strings: parse, carry out) · dom.py (page text with bids) ·
solvers.py + probe.py (the oracle) · instances.py (pinned instances).
"""
from __future__ import annotations

import logging
from typing import Any

import gymnasium as gym

from envs.registry import register_family
from envs.types import TaskInfo

log = logging.getLogger(__name__)
FAMILY = "miniwob"
GYM_NAMESPACE = "miniwob-playwright"
ENTRY_POINT = "envs.miniwob.env:MiniWoBEnv"
ENV_KEYS = ("viewport_width", "viewport_height", "scale", "episode_max_time_s", "settle_ms")


def _split(options: dict[str, Any]) -> str:
    split = options.get("split") or "test"
    if split == "all":
        split = "test"
    if split not in ("train", "test"):
        raise ValueError(f"miniwob split must be train or test, got {split!r}")
    return split


class MiniWoBFamily:
    name = FAMILY
    description = "MiniWoB++ web tasks (the miniwob package's pages) in headless Chromium; seeds make instances"

    def list_tasks(self, **options: Any) -> list[TaskInfo]:
        from envs.miniwob import pages
        from envs.miniwob.solvers import SOLVERS

        split = _split(options)
        ids = [t for t in pages.task_ids() if t in SOLVERS or not options.get("solvable_only")]
        if options.get("generated"):
            return _pinned(ids, int(options["generated"]), int(options.get("generated_seed") or 0))
        return [TaskInfo(id=t, env=FAMILY, domain=FAMILY, split=split, instruction=pages.title(t),  # type: ignore[arg-type]
                         has_solution=t in SOLVERS) for t in ids]

    def make(self, task_id: str, **options: Any) -> gym.Env:
        from envs.miniwob.env import MiniWoBEnv
        from envs.miniwob.instances import parse

        kwargs = {k: options[k] for k in ENV_KEYS if options.get(k) is not None}
        # A pinned instance (`click-button/i004217`) is a train instance whatever split is asked.
        return MiniWoBEnv(task_id, split="train" if parse(task_id) else _split(options), **kwargs)

    def preflight(self, **options: Any) -> list[str]:
        from envs.miniwob.browser import INSTALL_HINT, chromium_path
        from envs.miniwob.pages import PagesMissing, html_root

        problems = []
        try:
            html_root()
        except PagesMissing as exc:
            problems.append(str(exc))
        if chromium_path() is None:
            problems.append(f"Chromium is missing; install it with: {INSTALL_HINT}")
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problems.append("Playwright is missing; install it with: pip install playwright")
        try:
            _split(options)
        except ValueError as exc:
            problems.append(str(exc))
        return problems


def _pinned(tasks: list[str], count: int, generated_seed: int) -> list[TaskInfo]:
    """`generated` pinned train instances (envs/miniwob/instances.py) of these tasks."""
    from envs.miniwob import pages
    from envs.miniwob.env import instance_seed
    from envs.miniwob.instances import generate
    from envs.miniwob.solvers import SOLVERS

    return [TaskInfo(id=i.id, env=FAMILY, domain=FAMILY, split="train", instruction=pages.title(i.task),  # type: ignore[arg-type]
                     has_solution=i.task in SOLVERS,
                     metadata={"miniwob_task": i.task, "train_seed": i.seed,
                               "page_seed": instance_seed(i.seed, "train"), "generated_seed": generated_seed})
            for i in generate(tasks, count, generated_seed)]


def _register_gym_ids() -> None:
    try:
        from envs.miniwob.pages import task_ids

        ids = task_ids()
    except Exception as exc:  # a missing package must not break `import envs`
        log.warning("miniwob tasks not registered with gymnasium: %s", exc)
        return
    for task_id in ids:
        env_id = f"{GYM_NAMESPACE}/{task_id}"
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point=ENTRY_POINT, kwargs={"task_id": task_id})


register_family(MiniWoBFamily())
_register_gym_ids()
