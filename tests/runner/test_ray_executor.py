"""Episodes as Ray tasks on a private local cluster, writing to the same store."""
from __future__ import annotations

import asyncio
import signal
import threading
import time
import os

import pytest

import ray  # in the test extra: required, never skipped

from agents.runner import RunRequest, execute_run
from scoring.site.render import render_episode
from scoring.source import StoreSource
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


@pytest.mark.slow
def test_a_dead_worker_loses_only_its_running_episode(store, monkeypatch):
    """Killing the worker process in the middle of an episode: that episode is an infrastructure
    error (re-run on resume), a new worker takes the slot, every other episode still runs."""
    monkeypatch.setenv("AGENTS_PLUGINS", "tests.support.counter_env")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(os.getcwd()), os.environ.get("PYTHONPATH")])))
    killed: list[str] = []

    def kill_the_hanging_worker() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            for run in store.list_runs():
                for episode in store.iter_episodes(run_ids=[run.id]):
                    if episode.task_id == "hang-1" and episode.status == EpisodeStatus.RUNNING and episode.worker:
                        os.kill(int(episode.worker.split("/")[1].split("@")[0]), signal.SIGKILL)
                        killed.append(episode.worker)
                        return
            time.sleep(0.2)

    killer = threading.Thread(target=kill_the_hanging_worker, daemon=True)
    killer.start()
    request = RunRequest(env="test-counter", agent="oracle", task_ids=["hang-1", "count-to-1", "count-to-2", "count-to-3"],
                         concurrency=2, executor="ray", slots_per_worker=1, max_error_rate=1.0)
    summary = asyncio.run(execute_run(request, store, show_progress=False))
    killer.join(timeout=5)
    assert killed, "the hanging episode never showed up as running"
    episodes = {e.task_id: e for e in store.iter_episodes(run_ids=[summary.run_id])}
    hang = episodes.pop("hang-1")
    assert hang.status == EpisodeStatus.ERROR and hang.termination == "infra_error"
    assert "Ray worker running this episode died" in (hang.error or "")
    assert {e.status for e in episodes.values()} == {EpisodeStatus.SUCCEEDED}
    assert all("@" in (e.worker or "") for e in episodes.values())  # host/pid@ray-node-id
    ok = episodes["count-to-2"]
    page = render_episode(StoreSource(store).episode_view(ok, image_url=lambda sha: sha), [])
    assert "Ran on" in page and ok.worker in page
    assert (summary.episodes, summary.succeeded, summary.errors) == (4, 3, 1)
    assert not ray.is_initialized()
