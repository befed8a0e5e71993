"""Reproduce every τ²-bench reference vector (retail train split and all mock tasks).

Each vector holds what the reference implementation returned when a task's gold actions were
replayed on a fresh db.json: every action's error flag and output string, every changed
record, and the reference DB hashes. check-tasks and the in-process replay must match all of it.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agents.cli import app
from envs.tau2_lite.domain import get_domain
from envs.tau2_lite.evaluator import env_reward
from envs.tau2_lite.replay import replay_gold
from envs.tau2_lite.runtime import Runtime
from tau2_lite_helpers import load_vectors


def _apply_changes(raw: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    out = {table: dict(records) for table, records in raw.items()}
    for change in changes:
        table, key = change["path"]
        assert out[table].get(key) == change["before"], f"vector 'before' disagrees with db.json at {change['path']}"
        if change["after"] is None:
            out[table].pop(key, None)
        else:
            out[table][key] = change["after"]
    return out


def _gold_conversation(task, results) -> list[dict[str, Any]]:
    conv: list[dict[str, Any]] = []
    for action, result in zip(task.gold_actions, results):
        conv.append({"role": action.requestor, "content": None, "tool_calls": [
            {"id": action.action_id, "name": action.name, "arguments": action.arguments,
             "requestor": action.requestor}]})
        conv.append(result.as_message())
    return conv


def _assert_actions(vector: dict[str, Any], got: list[dict[str, Any]]) -> None:
    want = [{"name": a["name"], "requestor": a["requestor"], "error": a["error"], "output": a["output"]}
            for a in vector["actions"]]
    assert len(got) == len(want), vector["task_id"]
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"task {vector['task_id']} action {i} ({w['name']}): got {g!r}, reference {w!r}"


@pytest.mark.slow
def test_check_tasks_reproduces_every_retail_vector(retail_dir: Path, tmp_path: Path) -> None:
    vectors = load_vectors(retail_dir)
    assert len(vectors) == 74
    result = CliRunner().invoke(app, ["check-tasks", "--env", "tau2-lite", "--domain", "retail", "--data-dir",
                                      str(retail_dir), "--out", str(tmp_path), "--split", "train", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "74 task(s) replayed, 10 with failing gold actions" in " ".join(result.output.split())
    raw = json.loads((retail_dir / "db.json").read_text())
    failing = set()
    for vector in vectors:
        data = json.loads((tmp_path / f"{vector['task_id']}.json").read_text())
        assert data["task_id"] == vector["task_id"]
        _assert_actions(vector, data["actions"])
        if any(a["error"] for a in vector["actions"]):
            failing.add(vector["task_id"])
        expected_db = _apply_changes(raw, vector["final_db_changes"])
        for table in raw:
            assert list(data["final_db"][table]) == list(expected_db[table]) or \
                set(data["final_db"][table]) == set(expected_db[table]), table
            if data["final_db"][table] != expected_db[table]:
                bad = [k for k in expected_db[table] if data["final_db"][table].get(k) != expected_db[table][k]]
                pytest.fail(f"task {vector['task_id']}: final_db.{table} differs at {bad[:5]}")
    assert failing == {"2", "3", "4", "35", "37", "46", "47", "54", "67", "105"}


def test_replay_matches_retail_hashes_changes_and_gold_evaluation(retail_dir: Path) -> None:
    domain = get_domain("retail", retail_dir)
    for vector in load_vectors(retail_dir):
        task = domain.task(vector["task_id"])
        assert Runtime(domain).db.hash() == vector["initial_db_hash_reference"]
        replay = replay_gold(domain, task)
        _assert_actions(vector, replay.action_records())
        assert replay.runtime.db.changes() == vector["final_db_changes"], vector["task_id"]
        assert replay.runtime.db.hash() == vector["final_db_sha256_reference"], vector["task_id"]
        _assert_env_evaluation(domain, task, replay, vector)


def _assert_env_evaluation(domain, task, replay, vector) -> None:
    ref = vector["reference_env_evaluation_of_gold_trajectory"]
    env = env_reward(domain, task, _gold_conversation(task, replay.results))
    breakdown = {}
    if env["note"] is None:
        if "DB" in vector["reward_basis"]:
            breakdown["DB"] = env["db_reward"]
        if "ENV_ASSERTION" in vector["reward_basis"]:
            breakdown["ENV_ASSERTION"] = env["assertion_reward"]
    reward = 1.0
    for value in breakdown.values():
        reward *= value
    assert (reward, env["db_match"], breakdown, env["note"]) == \
        (ref["reward"], ref["db_match"], ref["reward_breakdown"], ref["note"]), vector["task_id"]
    assert [c["met"] for c in env["assertions"]] == ref["env_assertions_met"], vector["task_id"]


def test_replay_matches_every_mock_vector(mock_dir: Path) -> None:
    domain = get_domain("mock", mock_dir)
    vectors = load_vectors(mock_dir)
    assert len(vectors) == 10
    for vector in vectors:
        tid = vector["task_id"]
        task = domain.task(tid)
        fresh = Runtime(domain)
        assert fresh.db.hash() == vector["initial_db_hash_reference"], tid
        assert fresh.user_db.hash() == vector["initial_user_db_hash_reference"], tid
        if vector["initial_state_present"]:
            prepared = Runtime(domain)
            prepared.apply_initial_state(task.initial_state)
            assert prepared.db.dump() == vector["db_after_initial_state"], tid
            assert prepared.db.hash() == vector["db_after_initial_state_sha256_reference"], tid
        replay = replay_gold(domain, task)
        rt = replay.runtime
        _assert_actions(vector, replay.action_records())
        assert rt.db.dump() == vector["final_db"], tid
        assert rt.db.hash() == vector["final_db_sha256_reference"], tid
        assert rt.db.changes() == vector["final_db_changes"], tid
        assert (rt.user_db is rt.db) == vector["user_db_is_agent_db_after_initial_state"], tid
        assert rt.user_db.dump() == vector["final_user_db"], tid
        assert rt.user_db.hash() == vector["final_user_db_sha256_reference"], tid
        assert rt.user_db.changes_from(domain.user_source) == vector["final_user_db_changes"], tid
        for assertion, want in zip(task.evaluation_criteria.env_assertions or [], vector.get("env_assertions", [])):
            assert rt.check_assertion(assertion) == want["met"], tid
        _assert_env_evaluation(domain, task, replay, vector)


def test_check_tasks_on_mock_writes_user_db_and_matches_vectors(mock_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check-tasks", "--domain", "mock", "--data-dir", str(mock_dir),
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for vector in load_vectors(mock_dir):
        data = json.loads((tmp_path / f"{vector['task_id']}.json").read_text())
        _assert_actions(vector, data["actions"])
        # db.json form: the full dump without null-valued keys.
        want = copy.deepcopy(vector["final_db"])
        for rec in want["tasks"].values():
            if rec.get("description") is None:
                rec.pop("description", None)
        assert data["final_db"] == want
        assert "final_user_db" in data


def test_check_tasks_without_data_dir_explains_what_to_pass(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check-tasks", "--domain", "retail", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "data/tau2/domains/retail" in " ".join(result.output.split())
