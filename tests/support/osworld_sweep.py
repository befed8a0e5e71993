"""One OSWorld task on stand-in assets: reset (its setup steps), the noop agent's DONE, the
evaluator (postconfig, getters, metrics); what came of it. Shared by the sweep benchmark
(benchmarks/osworld_bench.py) and its CI sample (tests/osworld/test_sweep.py)."""
from __future__ import annotations

import time
import traceback
from typing import Any

from envs.errors import AgentCausedError, InfrastructureError
from envs.osworld.assets import AssetCache
from envs.osworld.blockers import needed_programs
from envs.osworld.env import OSWorldEnv
from envs.osworld.task import OSWorldTask
from envs.osworld_lite.task import SleepParams


def app_of(task: OSWorldTask) -> str:
    """The task's main app: the first program it needs (LibreOffice modules by name)."""
    programs = needed_programs(task)
    return (programs[0].rstrip(":") if programs else "desktop").replace("libreoffice:", "libreoffice ")


def setup_sleep_s(task: OSWorldTask) -> float:
    """Seconds the task's own `sleep` setup steps wait (part of every reset, here as in OSWorld)."""
    return sum(float(s.parameters.seconds) for s in task.config if isinstance(s.parameters, SleepParams))


def run_noop(task: OSWorldTask, cache: AssetCache) -> dict[str, Any]:
    """{"id", "domain", "app", "outcome": scored | infra_error | harness_error, "reset_s", …}."""
    row: dict[str, Any] = {"id": task.id, "domain": task.domain, "app": app_of(task),
                           "setup_sleep_s": setup_sleep_s(task)}
    env = OSWorldEnv(task, assets=cache.root)
    try:
        _, info = env.reset()
        row["reset_s"] = info["reset_s"]
        started = time.monotonic()
        _, reward, terminated, _, info = env.step({"action_type": "DONE"})
        row.update(eval_s=round(time.monotonic() - started, 3), reward=reward, outcome="scored")
        if not terminated or "evaluation" not in info:
            row.update(outcome="harness_error", error="DONE did not end the episode with an evaluation")
    except InfrastructureError as exc:
        row.update(outcome="infra_error", error=f"{type(exc).__name__}: {exc}"[:500])
    except AgentCausedError as exc:  # noop does nothing: an agent-caused ending is a bug
        row.update(outcome="harness_error", error=f"{type(exc).__name__}: {exc}"[:500])
    except Exception as exc:
        row.update(outcome="harness_error", error=f"{type(exc).__name__}: {exc}"[:500],
                   trace=traceback.format_exc()[-1500:])
    finally:
        env.close()
    return row
