"""Several threads recording episodes at once into one store (as the asyncio runner does)."""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from trajectories.records import EpisodeResult, EpisodeStatus, ModelCall, RunConfig, StepRecord, TerminationReason
from trajectories.store import TrajectoryStore

WORKERS, EPISODES_PER_WORKER, STEPS = 6, 3, 8


def _episode(store: TrajectoryStore, run_id: str, worker: int, n: int) -> str:
    task = f"task-{worker}-{n}"
    ep = store.start_episode(run_id, "osworld-lite", "calc", task, "test", 0, worker)
    for i in range(STEPS):
        shot = os.urandom(2048) if i % 2 else b"same-frame"  # half shared: concurrent dedupe
        store.record_step(
            ep, StepRecord(index=i, observation={"task": task}, action={"action_type": "WAIT"},
                           model_calls=[ModelCall(model="m", tokens_in=i, tokens_out=1)]),
            {"screenshot": (shot, "image/png")},
        )
    store.finish_episode(ep, EpisodeResult(status=EpisodeStatus.SUCCEEDED, termination=TerminationReason.AGENT_DONE,
                                           reward=1.0, success=True, steps=STEPS))
    return ep


def test_concurrent_writers(store: TrajectoryStore) -> None:
    run_id = store.start_run(RunConfig(env="osworld-lite", agent="random"))
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(_episode, store, run_id, w, n) for w in range(WORKERS) for n in range(EPISODES_PER_WORKER)]
        episodes = [f.result() for f in futures]  # re-raises any worker's error
    assert len(set(episodes)) == WORKERS * EPISODES_PER_WORKER
    assert store.get_run(run_id).episode_counts == {"succeeded": WORKERS * EPISODES_PER_WORKER}
    for ep in episodes:
        steps = store.get_steps(ep)
        assert [s.index for s in steps] == list(range(STEPS))
        assert [s.model_calls[0].tokens_in for s in steps] == list(range(STEPS))
        assert all(store.artifacts.verify(s.observation_artifacts["screenshot"]) for s in steps)


def test_concurrent_starts_of_one_episode_agree(store: TrajectoryStore) -> None:
    run_id = store.start_run(RunConfig(env="tau2-lite", agent="noop"))
    barrier = threading.Barrier(6)

    def start() -> str:
        barrier.wait()
        return store.start_episode(run_id, "tau2-lite", "retail", "r1", "test", 0, 0)

    with ThreadPoolExecutor(6) as pool:
        ids = {f.result() for f in [pool.submit(start) for _ in range(6)]}
    assert len(ids) == 1
    assert len(list(store.iter_episodes(run_ids=run_id))) == 1
