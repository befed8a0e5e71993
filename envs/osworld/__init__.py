"""osworld: OSWorld's own task files on osworld-lite's desktop substrate.

Importing the package registers the family "osworld" (envs.registry). Family options:
`osworld_dir` (OSWorld's evaluation_examples folder; default the OSWORLD_DIR variable),
`task_file` (a task file or folder instead), `assets` (the asset cache; default OSWORLD_ASSETS,
else ~/.cache/agentic-bench/osworld-assets), `domain`, `runnable_only` (list only tasks with
no blockers: what a run starts), and osworld-lite's desktop options (screen size, a11y, …).

Every listed task carries `metadata.runnable` and `metadata.blockers` (envs/osworld/blockers.py).

Layout: task.py (the records, read leniently) · loader.py (evaluation_examples, task files) ·
assets.py (the asset cache) · fetch.py (filling it) · blockers.py · evaluation.py (asset-backed
getters) · env.py (the gymnasium env).
"""
from __future__ import annotations

from typing import Any

import gymnasium as gym

from envs.registry import register_family
from envs.types import TaskInfo

FAMILY = "osworld"
ENV_KEYS = ("screen_width", "screen_height", "a11y", "settle_s", "idle_timeout_s", "sandbox_dir")


def _tasks(options: dict[str, Any]) -> list[Any]:
    from envs.osworld.loader import load_tasks

    return load_tasks(options.get("osworld_dir"), options.get("task_file"), options.get("domain"))


def task_infos(options: dict[str, Any]) -> list[TaskInfo]:
    """Every task with its runnable flag and blockers."""
    from envs.osworld.assets import AssetCache
    from envs.osworld.blockers import blockers

    cache = AssetCache.at(options.get("assets"))
    return [t.to_task_info(blockers(t, cache)) for t in _tasks(options)]


def not_runnable_tasks(options: dict[str, Any], task_ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """`{task_id: {"domain", "blockers"}}` for each task a run would cover (the named ones, or
    all under the options) that cannot run here: the runner leaves them out, the run records
    them and the leaderboard counts them (scored N of M)."""
    wanted = set(task_ids or [])
    return {t.id: {"domain": t.domain, "blockers": list(t.metadata["blockers"])} for t in task_infos(options)
            if not t.metadata["runnable"] and (not wanted or t.id in wanted)}


class OSWorldFamily:
    name = FAMILY
    description = "OSWorld's own task files (evaluation_examples) on the osworld-lite desktop"

    def list_tasks(self, **options: Any) -> list[TaskInfo]:
        infos = task_infos(options)
        if options.get("runnable_only"):
            infos = [t for t in infos if t.metadata.get("runnable")]
        return infos

    def make(self, task_id: str, **options: Any) -> gym.Env:
        from envs.osworld.env import OSWorldEnv
        from envs.osworld.loader import get_task

        task = get_task(task_id, options.get("osworld_dir"), options.get("task_file"))
        kwargs = {k: options[k] for k in ENV_KEYS if options.get(k) is not None}
        return OSWorldEnv(task, assets=options.get("assets"), **kwargs)

    def preflight(self, **options: Any) -> list[str]:
        from envs.osworld_lite import OSWorldLiteFamily

        problems = [p for p in OSWorldLiteFamily().preflight() if not p.startswith("tasks cannot be loaded")]
        try:
            _tasks(options)
        except Exception as exc:
            problems.append(f"OSWorld tasks cannot be loaded: {exc}")
        return problems


register_family(OSWorldFamily())
