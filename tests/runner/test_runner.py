"""The runner against a small test environment and a real SQLite store."""
from __future__ import annotations

import asyncio

import pytest

from agents.runner import RunRequest, execute_run, select_tasks
from envs.errors import UnknownIdError
from envs.registry import get_family
from trajectories.records import EpisodeStatus, TerminationReason

COUNTING = [f"count-to-{n}" for n in range(1, 7)]


def _run(store, **kw):
    request = RunRequest(env="test-counter", **kw)
    return asyncio.run(execute_run(request, store, show_progress=False))


def test_oracle_solves_every_task_and_records_every_step(store):
    summary = _run(store, agent="oracle", task_ids=COUNTING, concurrency=3)
    assert summary.as_json()["success_rate"] == 1.0
    assert (summary.episodes, summary.succeeded, summary.failed, summary.errors) == (6, 6, 0, 0)
    episodes = list(store.iter_episodes(run_ids=[summary.run_id]))
    assert len(episodes) == 6
    for ep in episodes:
        target = int(ep.task_id.rsplit("-", 1)[1])
        assert ep.status == EpisodeStatus.SUCCEEDED
        assert ep.termination == TerminationReason.AGENT_DONE
        assert ep.steps == target + 1
        steps = store.get_steps(ep.id)
        # step 0 is the initial observation, then one step per action
        assert [s.index for s in steps] == list(range(target + 2))
        assert steps[0].action is None and steps[-1].action == {"op": "done"}
        sha = steps[1].observation_artifacts["screenshot"]
        assert store.get_artifact(sha).startswith(b"\x89PNG")


def test_noop_scores_zero_and_random_is_seeded(store):
    noop = _run(store, agent="noop", task_ids=COUNTING)
    assert (noop.succeeded, noop.failed, noop.errors) == (0, 6, 0)
    a = _run(store, agent="random", task_ids=COUNTING, seed=7, max_steps=20)
    b = _run(store, agent="random", task_ids=COUNTING, seed=7, max_steps=20)
    steps_a = sorted((e.task_id, e.steps, e.reward) for e in store.iter_episodes(run_ids=[a.run_id]))
    steps_b = sorted((e.task_id, e.steps, e.reward) for e in store.iter_episodes(run_ids=[b.run_id]))
    assert steps_a == steps_b
    assert a.succeeded <= 2


def test_max_steps_truncates_and_is_evaluated(store):
    summary = _run(store, agent="oracle", task_ids=["count-to-5"], max_steps=3)
    (ep,) = store.iter_episodes(run_ids=[summary.run_id])
    assert ep.termination == TerminationReason.MAX_STEPS
    assert ep.status == EpisodeStatus.FAILED and ep.steps == 3


def test_infrastructure_errors_are_not_agent_failures(store):
    summary = _run(store, agent="oracle", task_ids=["crash-1", "count-to-1"], max_error_rate=1.0)
    assert (summary.succeeded, summary.failed, summary.errors) == (1, 0, 1)
    assert summary.success_rate == 1.0
    crashed = next(e for e in store.iter_episodes(run_ids=[summary.run_id]) if e.task_id == "crash-1")
    assert crashed.status == EpisodeStatus.ERROR
    assert crashed.termination == TerminationReason.INFRA_ERROR
    assert "crashed" in crashed.error


def test_episode_timeout_ends_the_episode_and_closes_the_env(store):
    summary = _run(store, agent="oracle", task_ids=["hang-1"], episode_timeout_s=0.5)
    (ep,) = store.iter_episodes(run_ids=[summary.run_id])
    assert ep.termination == TerminationReason.TIMEOUT and ep.status == EpisodeStatus.FAILED


def test_resume_reruns_only_what_did_not_finish(store):
    first = _run(store, agent="oracle", task_ids=["crash-1", "count-to-2", "count-to-3"], trials=2,
                 max_error_rate=1.0)
    assert (first.succeeded, first.errors) == (4, 2)
    resumed = _run(store, agent="oracle", resume_run_id=first.run_id, max_error_rate=1.0)
    # crash-1 crashes again, the four finished episodes are not re-run
    assert resumed.skipped == 4
    assert (resumed.episodes, resumed.succeeded, resumed.errors) == (6, 4, 2)
    keys = [(e.task_id, e.trial) for e in store.iter_episodes(run_ids=[first.run_id])]
    assert len(keys) == len(set(keys)) == 6


def test_task_selection_errors_name_close_matches():
    tasks = get_family("test-counter").list_tasks()
    with pytest.raises(UnknownIdError, match="count-to-3"):
        select_tasks(tasks, ["count-to-33"], "all", None)
    with pytest.raises(UnknownIdError, match="train"):
        select_tasks(tasks, [], "trian", None)
    assert {t.split for t in select_tasks(tasks, COUNTING, "train", None)} == {"train"}
    assert len(select_tasks(tasks, [], "all", 2)) == 2


def test_the_time_limit_counts_working_time_not_queueing(store):
    # Each slow episode works ~0.8 s (4 steps of 0.2 s); run one at a time, the last waits ~1.6 s
    # for its slot. Queueing is not the agent's time: all succeed within a 1.5 s limit…
    summary = _run(store, agent="oracle", task_ids=["slow-1"], trials=3, concurrency=1, episode_timeout_s=1.5)
    assert (summary.succeeded, summary.failed) == (3, 0)
    # …while steps are: 0.5 s of working time is not enough.
    short = _run(store, agent="oracle", task_ids=["slow-1"], episode_timeout_s=0.5)
    (ep,) = store.iter_episodes(run_ids=[short.run_id])
    assert ep.termination == TerminationReason.TIMEOUT and ep.status == EpisodeStatus.FAILED and ep.reward == 0.0


def test_the_error_budget_stops_the_run_and_no_episode_starts_after(store):
    from agents.runner import ErrorBudgetExceeded

    with pytest.raises(ErrorBudgetExceeded, match="10 of 10 finished episodes were excluded") as info:
        _run(store, agent="oracle", task_ids=["crash-1"], trials=14, concurrency=1)
    run_id = info.value.summary.run_id
    assert len(list(store.iter_episodes(run_ids=[run_id]))) == 10
    assert store.get_run(run_id).status == "interrupted" and info.value.summary.stopped


def test_a_bug_in_the_harness_is_a_loud_harness_error_and_reruns_on_resume(store):
    from agents.agent import Agent, AgentTurn

    class Broken(Agent):
        def reset(self, task, spec, env=None, seed=None) -> None:
            pass

        async def act(self, observation) -> AgentTurn:
            raise KeyError("a bug")

    request = RunRequest(env="test-counter", agent="oracle", task_ids=["count-to-1"], max_error_rate=1.0)
    summary = asyncio.run(execute_run(request, store, show_progress=False, agent_factory=Broken))
    assert (summary.failed, summary.errors, summary.harness_errors) == (0, 0, 1)
    assert summary.as_json()["harness_error_episodes"] and summary.success_rate is None
    (ep,) = store.iter_episodes(run_ids=[summary.run_id])
    assert ep.status == EpisodeStatus.HARNESS_ERROR and ep.termination == TerminationReason.HARNESS_ERROR
    assert "KeyError: 'a bug'" in ep.error and "Traceback" in ep.error
    resumed = _run(store, agent="oracle", resume_run_id=summary.run_id)
    assert (resumed.succeeded, resumed.harness_errors) == (1, 0)
