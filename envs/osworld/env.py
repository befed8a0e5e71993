"""OSWorldEnv: one of OSWorld's own tasks on osworld-lite's desktop.

The desktop, actions, observations, blame rules, evaluator and getters are osworld-lite's
(envs/osworld_lite/env.py); this adds what OSWorld's tasks need of the runtime: setup and
postconfig steps with downloads from the asset cache, and an output folder per episode where
`execute` steps save their stdout/stderr. The session carries both for the getters that read
them (`cloud_file` reads `session.options["osworld_assets"]`, `cache_file` `session.cache_dir`).
Reset refuses a task that has blockers (envs/osworld/blockers.py); the runner never starts
such tasks (see docs/osworld.md), so this only meets a cache or install that changed since
the run was planned, a fault of the host, not of the agent.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from envs.errors import InfrastructureError
from envs.osworld.assets import AssetCache
from envs.osworld.blockers import blockers
from envs.osworld.task import OSWorldTask
from envs.osworld_lite.config_steps import CLIENT_PASSWORD, StepRunner
from envs.osworld_lite.env import OSWorldLiteEnv
from envs.osworld_lite.session import DesktopSession
from envs.types import AgentSpec


SCREEN = (1920, 1080)   # OSWorld's VM screen; its tasks' coordinates and placeholders assume it


class TaskNotRunnable(InfrastructureError):
    """The task has blockers here (an app, assets, the live web, …): it cannot be set up."""


class OSWorldEnv(OSWorldLiteEnv):
    def __init__(self, task: OSWorldTask, *, assets: str | Path | None = None, screen_width: int = SCREEN[0],
                 screen_height: int = SCREEN[1], **kwargs: Any):
        super().__init__(task, screen_width=screen_width, screen_height=screen_height,  # type: ignore[arg-type]
                         **kwargs)  # (an OSWorldTask serves as a Task)
        self.cache = AssetCache.at(assets)
        self._outputs: Path | None = None

    @property
    def task_info(self):  # type: ignore[override]
        return self.task.to_task_info(blockers(self.task, self.cache))  # type: ignore[arg-type]

    def agent_spec(self) -> AgentSpec:
        spec = super().agent_spec()
        spec.extra["client_password"] = CLIENT_PASSWORD  # OSWorld's agents are told the VM's sudo password
        return spec

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        found = blockers(self.task, self.cache)  # type: ignore[arg-type]
        if found:
            raise TaskNotRunnable(f"task {self.task.id!r} cannot run here: {'; '.join(found)}")
        self._drop_outputs()
        self._outputs = Path(tempfile.mkdtemp(prefix="osworld-out-"))
        return super().reset(seed=seed, options=options)

    def step_runner(self, session: DesktopSession, evaluation: bool = False) -> StepRunner:
        # The getters find the asset cache and the output folder on the session.
        session.options = {**getattr(session, "options", {}), "osworld_assets": str(self.cache.root)}  # type: ignore[attr-defined]
        session.cache_dir = self._outputs  # type: ignore[attr-defined]
        return StepRunner(session, self.task, evaluation=evaluation, fetch=self.cache.read,  # type: ignore[arg-type]
                          output_dir=self._outputs)

    def close(self) -> None:
        super().close()
        self._drop_outputs()

    def _drop_outputs(self) -> None:
        if self._outputs is not None:
            shutil.rmtree(self._outputs, ignore_errors=True)
            self._outputs = None
