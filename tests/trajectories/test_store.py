"""Store round trip on SQLite and PostgreSQL: runs, tasks, episodes, steps, model calls, artifacts."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest

from envs.errors import UnknownIdError
from trajectories.models import TASK_ID_MAX
from trajectories.artifacts import ArtifactNotFoundError, sha256_hex
from trajectories.db import SchemaMissingError, StoreError
from trajectories.records import (
    EpisodeResult,
    EpisodeStatus,
    ModelCall,
    RunConfig,
    RunStatus,
    StepRecord,
    TerminationReason,
)
from trajectories.store import EpisodeFinishedError, TrajectoryStore


def _call(i: int, role: str = "agent") -> ModelCall:
    return ModelCall(
        model="qwen3.5-9b", role=role, provider="vllm", api="chat",
        request={"model": "Qwen/Qwen3.5-9B", "messages": [{"role": "user", "content": f"turn {i} ünïcode"}],
                 "tools": [{"type": "function", "function": {"name": "computer_use"}}]},
        response={"role": "assistant", "content": None, "reasoning": "think",
                  "tool_calls": [{"id": f"c{i}", "type": "function",
                                  "function": {"name": "computer_use", "arguments": {"action": "left_click"}}}]},
        raw_response={"id": f"resp-{i}"}, tokens_in=1000 + i, tokens_cached=10, tokens_out=50, tokens_reasoning=20,
        latency_s=0.5, cost_usd=0.001, started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    )


def _step(i: int, calls: list[ModelCall] | None = None, **kw: object) -> StepRecord:
    return StepRecord(
        index=i, observation={"instruction": "Sum column A", "accessibility_tree": "<tree/>"},
        action={"action_type": "CLICK", "x": 10 * i, "y": 20, "button": "left", "num_clicks": 1},
        agent_output={"reasoning": "click the cell", "text": None}, model_calls=calls or [],
        reward=0.0, info={"action_error": None}, agent_time_s=1.25, env_time_s=0.5, **kw,
    )


def test_round_trip(store: TrajectoryStore, run_config: RunConfig) -> None:
    run_id = store.start_run(run_config)
    assert run_id.startswith("run-") and len(run_id) <= 24
    run = store.get_run(run_id)
    assert run.config.env_options == {"screen_width": 1280} and run.config.task_ids == ["t1", "t2"]
    assert (run.env, run.agent, run.model, run.seed, run.status) == ("osworld-lite", "model", "qwen3.5-9b", 7, RunStatus.RUNNING)
    assert run.git_revision and run.package_versions.get("sqlalchemy")  # provenance filled in
    assert run.created_at.tzinfo is not None

    assert store.upsert_tasks([
        {"env": "osworld-lite", "id": "t1", "domain": "calc", "split": "test", "instruction": "Sum A",
         "infeasible": False, "has_solution": True, "metadata": {"apps": ["calc"]}, "writes": None},
        {"env": "osworld-lite", "id": "t2", "domain": "writer", "instruction": "Bold", "infeasible": True},
    ]) == 2
    store.upsert_tasks([{"env": "osworld-lite", "id": "t1", "domain": "calc", "instruction": "Sum column A",
                         "metadata": {"apps": ["calc"]}}])
    tasks = {t["id"]: t for t in store.get_tasks("osworld-lite")}
    assert tasks["t1"]["instruction"] == "Sum column A" and tasks["t1"]["metadata"] == {"apps": ["calc"]}
    assert tasks["t2"]["infeasible"] is True and store.get_tasks("other") == []

    ep = store.start_episode(run_id, "osworld-lite", "calc", "t1", "test", 0, 123)
    store.record_model_calls(ep, [_call(-1, role="user_simulator")])
    png = os.urandom(50_000)
    sid0 = store.record_step(ep, _step(0, [_call(0), _call(1)]), {"screenshot": (png, "image/png")})
    shared = store.put_artifact(b'{"big": "json"}', "application/json")
    sid1 = store.record_step(ep, _step(1, [_call(2)], observation_artifacts={"payload": shared}, terminated=True),
                             {"screenshot": (png, "image/png")})  # same bytes: stored once
    assert sid1 > sid0

    steps = store.get_steps(ep)
    assert [s.index for s in steps] == [0, 1]
    assert steps[0].observation_artifacts == {"screenshot": sha256_hex(png)}
    assert steps[1].observation_artifacts == {"screenshot": sha256_hex(png), "payload": shared}
    assert store.get_artifact(steps[0].observation_artifacts["screenshot"]) == png
    assert store.get_artifact_info(sha256_hex(png)).model_dump() == {"sha256": sha256_hex(png), "mime": "image/png", "size": 50_000}
    assert steps[0].model_calls == [_call(0), _call(1)]  # every field survives, dict arguments included
    assert steps[1].model_calls == [_call(2)] and steps[1].terminated
    expected = _step(0, [_call(0), _call(1)])
    assert steps[0].model_dump(exclude={"created_at", "observation_artifacts"}) == expected.model_dump(
        exclude={"created_at", "observation_artifacts"})
    assert [c.role for c in store.get_model_calls(ep)] == ["user_simulator", "agent", "agent", "agent"]
    assert [c.role for c in store.get_model_calls(ep, outside_steps=True)] == ["user_simulator"]

    store.finish_episode(ep, EpisodeResult(
        status=EpisodeStatus.SUCCEEDED, termination=TerminationReason.AGENT_DONE, reward=1.0, success=True,
        evaluation={"func": "compare_table", "details": {"cells": 3}}, steps=2, tokens_in=3003, tokens_out=150,
        cost_usd=0.003, wall_time_s=4.5))
    row = store.get_episode(ep)
    assert (row.status, row.termination, row.reward, row.success, row.steps) == (
        EpisodeStatus.SUCCEEDED, TerminationReason.AGENT_DONE, 1.0, True, 2)
    assert (row.tokens_in, row.tokens_out, row.cost_usd, row.wall_time_s) == (3003, 150, 0.003, 4.5)
    assert row.evaluation == {"func": "compare_table", "details": {"cells": 3}}
    assert (row.agent, row.model, row.seed, row.split, row.trial) == ("model", "qwen3.5-9b", 123, "test", 0)
    assert row.finished_at is not None and row.finished_at >= row.started_at

    store.finish_run(run_id, RunStatus.FINISHED)
    run = store.get_run(run_id)
    assert run.status == RunStatus.FINISHED and run.finished_at and run.episode_counts == {"succeeded": 1}


def _finish(store: TrajectoryStore, ep: str, ok: bool, reward: float) -> None:
    store.finish_episode(ep, EpisodeResult(
        status=EpisodeStatus.SUCCEEDED if ok else EpisodeStatus.FAILED,
        termination=TerminationReason.AGENT_DONE, reward=reward, success=ok))


def test_iter_episodes_filters(store: TrajectoryStore) -> None:
    qwen = store.start_run(RunConfig(env="osworld-lite", agent="model", model="qwen3.5-9b"))
    gpt = store.start_run(RunConfig(env="tau2-lite", agent="model", model="gpt-5.4-mini"))
    oracle = store.start_run(RunConfig(env="tau2-lite", agent="oracle"))
    for trial in range(3):
        _finish(store, store.start_episode(qwen, "osworld-lite", "calc", "a", "test", trial, trial), trial == 0, float(trial == 0))
    _finish(store, store.start_episode(gpt, "tau2-lite", "retail", "r1", "train", 0, 0), True, 1.0)
    store.start_episode(gpt, "tau2-lite", "airline", "r2", "test", 0, 0)  # left running
    _finish(store, store.start_episode(oracle, "tau2-lite", "retail", "r1", "train", 0, 0), True, 1.0)

    def keys(**kw: object) -> list[tuple[str, str, int]]:
        return [(e.run_id, e.task_id, e.trial) for e in store.iter_episodes(**kw, batch_size=2)]

    assert len(keys()) == 6
    assert keys(run_ids=qwen) == [(qwen, "a", 0), (qwen, "a", 1), (qwen, "a", 2)]  # (run, task, trial) order
    assert keys(models=["gpt-5.4-mini"]) == [(gpt, "r1", 0), (gpt, "r2", 0)]
    assert keys(agents="oracle") == [(oracle, "r1", 0)]
    assert {k[0] for k in keys(env="tau2-lite", domain="retail", split="train")} == {gpt, oracle}
    assert keys(statuses=["running"]) == [(gpt, "r2", 0)]
    assert len(keys(min_reward=1.0)) == 3
    assert sorted(keys(run_ids=[qwen, gpt], statuses="succeeded", min_reward=0.5)) == sorted([(qwen, "a", 0), (gpt, "r1", 0)])
    rows = list(store.iter_episodes(models="gpt-5.4-mini"))
    assert {r.agent for r in rows} == {"model"} and {r.model for r in rows} == {"gpt-5.4-mini"}
    assert [r.id for r in store.list_runs()] == [oracle, gpt, qwen]  # newest first
    assert store.get_run(gpt).episode_counts == {"succeeded": 1, "running": 1}


def test_resume_semantics(store: TrajectoryStore, run_config: RunConfig) -> None:
    run_id = store.start_run(run_config)
    done = store.start_episode(run_id, "osworld-lite", "calc", "t1", "test", 0, 1)
    _finish(store, done, False, 0.0)
    crashed = store.start_episode(run_id, "osworld-lite", "calc", "t1", "test", 1, 2)
    store.record_model_calls(crashed, [_call(0, role="user_simulator")])
    store.record_step(crashed, _step(0, [_call(1)]), {"screenshot": (b"png-bytes", "image/png")})
    infra = store.start_episode(run_id, "osworld-lite", "calc", "t2", "test", 0, 3)
    store.finish_episode(infra, EpisodeResult(status=EpisodeStatus.ERROR, termination=TerminationReason.INFRA_ERROR,
                                              error="Xvfb died"))

    assert store.finished_episode_keys(run_id) == {("t1", 0)}
    with pytest.raises(EpisodeFinishedError, match="already finished"):
        store.start_episode(run_id, "osworld-lite", "calc", "t1", "test", 0, 1)
    with pytest.raises(EpisodeFinishedError):
        store.record_step(done, _step(5))
    with pytest.raises(EpisodeFinishedError):
        _finish(store, done, True, 1.0)
    assert store.get_episode(done).status == EpisodeStatus.FAILED

    # A killed process left `crashed` running: resume marks it retriable, then reuses it clean.
    assert store.reset_unfinished_episodes(run_id) == 1
    row = store.get_episode(crashed)
    assert (row.status, row.termination) == (EpisodeStatus.ERROR, TerminationReason.INFRA_ERROR)
    assert "interrupted" in row.error
    assert store.get_run(run_id).episode_counts == {"failed": 1, "error": 2}
    again = store.start_episode(run_id, "osworld-lite", "calc", "t1", "test", 1, 2)
    assert again == crashed
    row = store.get_episode(again)
    assert (row.status, row.error, row.termination, row.steps, row.attempts) == (EpisodeStatus.RUNNING, None, None, 0, 2)
    assert store.get_steps(again) == [] and store.get_model_calls(again) == []
    assert store.start_episode(run_id, "osworld-lite", "calc", "t2", "test", 0, 3) == infra  # infra errors retried
    assert store.reset_unfinished_episodes(run_id) == 2


def test_step_errors_keep_the_database_consistent(store: TrajectoryStore, run_config: RunConfig) -> None:
    run_id = store.start_run(run_config)
    ep = store.start_episode(run_id, "osworld-lite", "calc", "t1", "test", 0, 1)
    store.record_step(ep, _step(0, [_call(0)]))
    with pytest.raises(StoreError, match="step 0 of episode .* already recorded"):
        store.record_step(ep, _step(0, [_call(9)]), {"screenshot": (b"other", "image/png")})
    with pytest.raises(StoreError, match="never stored"):
        store.record_step(ep, _step(1, observation_artifacts={"screenshot": "0" * 64}))
    steps = store.get_steps(ep)
    assert len(steps) == 1 and steps[0].model_calls == [_call(0)]  # the failed writes left nothing behind
    with pytest.raises(ValueError, match="final status"):
        store.finish_episode(ep, EpisodeResult(status=EpisodeStatus.RUNNING, termination=TerminationReason.TIMEOUT))
    with pytest.raises(StoreError, match="already exists"):
        store.start_run(run_config, run_id=run_id)
    with pytest.raises(ValueError, match="needs 'env' and 'id'"):
        store.upsert_tasks([{"id": "x"}])


def test_unknown_ids_name_close_matches(store: TrajectoryStore, run_config: RunConfig) -> None:
    run_id = store.start_run(run_config, run_id="run-20261129-abc123")
    ep = store.start_episode(run_id, "osworld-lite", "calc", "t1", "test", 0, 1)
    with pytest.raises(UnknownIdError, match=r"unknown run 'run-20261129-abc124'\. Did you mean: run-20261129-abc123"):
        store.get_run("run-20261129-abc124")
    typo = ep[:-1] + ("0" if ep[-1] != "0" else "1")
    for call in (lambda: store.get_episode(typo), lambda: store.get_steps(typo),
                 lambda: store.record_step(typo, _step(0)), lambda: store.record_model_calls(typo, [_call(0)]),
                 lambda: store.finish_episode(typo, EpisodeResult(status="failed", termination="agent_fail"))):
        with pytest.raises(UnknownIdError, match=f"Did you mean: {ep}"):
            call()
    for call in (lambda: store.finish_run("nope", "finished"),
                 lambda: store.start_episode("nope", "e", "d", "t", "test", 0, 0),
                 lambda: store.reset_unfinished_episodes("nope")):
        with pytest.raises(UnknownIdError, match="unknown run 'nope'"):
            call()
    with pytest.raises(ArtifactNotFoundError):
        store.get_artifact("a" * 64)
    with pytest.raises(UnknownIdError):
        store.get_artifact_info("a" * 64)
    with pytest.raises(ValueError, match="not a sha256"):
        store.get_artifact("../../etc/passwd")


def test_schema_missing_is_explained(db_url: str, tmp_path: object) -> None:
    with TrajectoryStore(db_url, f"{tmp_path}/a") as store:
        with pytest.raises(SchemaMissingError, match="agents db upgrade"):
            store.list_runs()


def test_non_json_values(store: TrajectoryStore, run_config: RunConfig) -> None:
    import numpy as np

    run_id = store.start_run(run_config)
    ep = store.start_episode(run_id, "osworld-lite", "calc", "t1", "test", 0, 1)
    store.record_step(ep, StepRecord(index=0, reward=0.0, info={
        "n": np.int64(3), "x": np.float32(0.5), "ok": np.bool_(True), "nan": float("nan"), "big": 2**70, "nul": "a\u0001b"}))
    assert store.get_steps(ep)[0].info == {"n": 3, "x": 0.5, "ok": True, "nan": None, "big": 2**70, "nul": "a\u0001b"}
    with pytest.raises(ValueError, match="ndarray cannot be stored in a JSON column: pass it as an artifact"):
        store.record_step(ep, StepRecord(index=1, observation={"screenshot": np.zeros((4, 4, 3), np.uint8)}),
                          {"extra": (b"never written", "text/plain")})
    assert len(store.get_steps(ep)) == 1
    assert not store.artifacts.exists(sha256_hex(b"never written"))  # rejected before anything was written


def test_bad_ids_are_refused(store: TrajectoryStore, run_config: RunConfig) -> None:
    with pytest.raises(ValueError, match="invalid run id"):
        store.start_run(run_config, run_id="run with spaces")
    with pytest.raises(ValueError, match="invalid run id"):
        store.start_run(run_config, run_id="r" * 65)
    run_id = store.start_run(run_config, run_id="nightly-2026.11.29")
    with pytest.raises(ValueError, match="invalid task id"):
        store.start_episode(run_id, "osworld-lite", "calc", "t" * (TASK_ID_MAX + 1), "test", 0, 0)
    long_id = "t" * TASK_ID_MAX   # τ²-bench's telecom ids run past 200 characters
    assert store.get_episode(store.start_episode(run_id, "tau2-lite", "telecom", long_id, "test", 0, 0)).task_id == long_id
    with pytest.raises(ValueError, match="invalid env"):
        store.start_episode(run_id, "", "calc", "t1", "test", 0, 0)
    assert store.get_run(run_id).episode_counts == {"running": 1}
