"""A small environment family for testing the runner (not shipped with the package).

Tasks ask the agent to bring a counter to a target value with "inc"/"dec" actions and then
send "done". Special tasks exercise failure paths: `crash-*` raises an infrastructure error
at step 2, `slow-*` sleeps on every step, `hang-*` blocks until closed.
Import it (or name it in AGENTS_PLUGINS) to register the family "test-counter".
"""
from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.errors import InfrastructureError
from envs.registry import register_family
from envs.types import AgentSpec, Evaluation, TaskInfo, Termination

ACTIONS = ("inc", "dec", "done")


def _tasks() -> list[TaskInfo]:
    tasks = [TaskInfo(id=f"count-to-{n}", env="test-counter", domain="counting",
                      split="train" if n % 2 else "test", instruction=f"Bring the counter to {n}.",
                      has_solution=True, metadata={"target": n}) for n in range(1, 7)]
    tasks.append(TaskInfo(id="crash-1", env="test-counter", domain="faults", instruction="crashes",
                          has_solution=True, metadata={"target": 3}))
    tasks.append(TaskInfo(id="slow-1", env="test-counter", domain="faults", instruction="slow",
                          has_solution=True, metadata={"target": 3}))
    tasks.append(TaskInfo(id="hang-1", env="test-counter", domain="faults", instruction="hangs",
                          has_solution=True, metadata={"target": 1}))
    return tasks


class CounterEnv(gym.Env):
    metadata = {"render_modes": []}

    def __init__(self, task: TaskInfo, step_delay_s: float = 0.0):
        self.task_info = task
        self.target = int(task.metadata["target"])
        self.step_delay_s = float(os.environ.get("COUNTER_STEP_DELAY", step_delay_s))
        self.observation_space = spaces.Dict({
            "screenshot": spaces.Box(0, 255, (8, 8, 3), np.uint8),
            "counter": spaces.Box(-100, 100, (), np.int64),
        })
        self.action_space = spaces.Text(max_length=64)
        self.counter = 0
        self._closed = threading.Event()
        self._steps = 0

    def _obs(self) -> dict[str, Any]:
        shot = np.full((8, 8, 3), (self.counter * 20) % 256, dtype=np.uint8)
        return {"screenshot": shot, "counter": np.int64(self.counter)}

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.counter, self._steps = 0, 0
        return self._obs(), {}

    def step(self, action: Any):
        if isinstance(action, str):
            action = json.loads(action)
        name = action.get("op")
        self._steps += 1
        if self.task_info.id.startswith("crash") and self._steps >= 2:
            raise InfrastructureError("the counter app crashed")
        if self.task_info.id.startswith("hang"):
            self._closed.wait(60)
        if self.task_info.id.startswith("slow") or self.step_delay_s:
            time.sleep(self.step_delay_s or 0.2)
        if name not in ACTIONS:
            return self._obs(), 0.0, False, False, {"action_error": f"unknown op {name!r}"}
        if name == "done":
            ev = self.evaluate(Termination.AGENT_DONE)
            return self._obs(), ev.reward, True, False, {
                "termination": Termination.AGENT_DONE.value, "evaluation": ev.model_dump()}
        self.counter += 1 if name == "inc" else -1
        return self._obs(), 0.0, False, False, {}

    def evaluate(self, termination: Termination) -> Evaluation:
        ok = self.counter == self.target and termination == Termination.AGENT_DONE
        return Evaluation(reward=float(ok), success=ok, details={"counter": self.counter})

    def agent_spec(self) -> AgentSpec:
        return AgentSpec(kind="tools", instruction=self.task_info.instruction)

    def reference_solution(self) -> list[dict[str, Any]]:
        return [{"op": "inc"}] * self.target + [{"op": "done"}]

    def sample_action(self, rng: np.random.Generator) -> dict[str, Any]:
        return {"op": str(rng.choice(ACTIONS, p=[0.45, 0.45, 0.1]))}

    def close(self) -> None:
        self._closed.set()


class CounterFamily:
    name = "test-counter"
    description = "Test-only counter tasks"

    def list_tasks(self, **options: Any) -> list[TaskInfo]:
        return _tasks()

    def make(self, task_id: str, **options: Any) -> gym.Env:
        by_id = {t.id: t for t in _tasks()}
        return CounterEnv(by_id[task_id])

    def preflight(self, **options: Any) -> list[str]:
        return []


register_family(CounterFamily())
