"""One generated task per family on the real desktop: the oracle solves it, noop does not.

The sample is task 0 of every family under seed 0 (a different draw of each family's data is
the benchmark's job: benchmarks/generated_tasks_bench.py runs ≥ 4 per family through the runner).
Each agent plays on a fresh desktop of the same env.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from envs.osworld_lite.generated import FAMILIES, task_id
from envs.registry import get_family
from tests.support.baselines import play_baseline
from tests.support.prereqs import require_desktop

pytestmark = [pytest.mark.slow, pytest.mark.desktop]


@pytest.fixture(scope="module")
def osworld() -> Any:
    require_desktop()
    return get_family("osworld-lite")


@pytest.mark.timeout(240)
@pytest.mark.parametrize("family", [f.name for f in FAMILIES])
def test_generated_family_oracle_solves_noop_fails(osworld: Any, family: str) -> None:
    tid = task_id(family, 0, 0)
    env = osworld.make(tid, generated=1, generated_seed=0)
    try:
        oracle = play_baseline(env, "oracle")
        details = json.dumps(oracle.evaluation.details, default=str)[:4000]
        assert not oracle.action_errors, oracle.action_errors
        assert oracle.evaluation.success and oracle.evaluation.reward == 1.0, details
        assert oracle.termination == "agent_done"
        noop = play_baseline(env, "noop")
        assert noop.termination == "agent_done" and noop.steps == 1
        assert noop.evaluation.reward == 0.0, json.dumps(noop.evaluation.details, default=str)[:4000]
    finally:
        env.close()
