"""Episodes as Ray tasks on a private local cluster, writing to the same store."""
from __future__ import annotations

import asyncio
import os

import pytest

import ray  # in the test extra: required, never skipped

from agents.runner import RunRequest, execute_run
from trajectories.records import EpisodeStatus


@pytest.mark.slow
def test_ray_executor_runs_episodes_and_stores_them(store, monkeypatch):
    monkeypatch.setenv("AGENTS_PLUGINS", "tests.support.counter_env")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(os.getcwd()), os.environ.get("PYTHONPATH")])))
    request = RunRequest(env="test-counter", agent="oracle", task_ids=["count-to-1", "count-to-2", "crash-1"],
                         trials=2, concurrency=2, executor="ray", max_error_rate=1.0)
    summary = asyncio.run(execute_run(request, store, show_progress=False))
    assert (summary.episodes, summary.succeeded, summary.errors) == (6, 4, 2)
    episodes = list(store.iter_episodes(run_ids=[summary.run_id]))
    assert sorted((e.task_id, e.trial) for e in episodes if e.status == EpisodeStatus.SUCCEEDED) == [
        ("count-to-1", 0), ("count-to-1", 1), ("count-to-2", 0), ("count-to-2", 1)]
    ok = next(e for e in episodes if e.task_id == "count-to-2")
    assert len(store.get_steps(ok.id)) == 4  # initial observation + inc, inc, done
    assert not ray.is_initialized()
