"""Every published banking_knowledge vector, reproduced: each gold action's error flag and exact
output, the changed records, the reference DB hashes (fresh, after the initial state, final),
the read-log allowlist, and the reference's grading of the gold trajectory."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from agents.cli import app
from envs.tau2_lite.domains.banking_knowledge import read_log_allowlist
from envs.tau2_lite.evaluator import action_reward, env_reward
from envs.tau2_lite.replay import replay_gold
from envs.tau2_lite.runtime import Runtime


def _gold_conversation(task, results) -> list[dict[str, Any]]:
    conv: list[dict[str, Any]] = []
    for action, result in zip(task.gold_actions, results):
        conv.append({"role": action.requestor, "content": None, "tool_calls": [
            {"id": action.action_id, "name": action.name, "arguments": action.arguments,
             "requestor": action.requestor}]})
        conv.append(result.as_message())
    return conv


def _apply(raw: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    out = {name: {"data": dict(t["data"]), "notes": t["notes"]} for name, t in raw.items()}
    for change in changes:
        table, key = change["path"]
        out.setdefault(table, {"data": {}, "notes": ""})
        assert out[table]["data"].get(key) == change["before"], change["path"]
        if change["after"] is None:
            out[table]["data"].pop(key, None)
        else:
            out[table]["data"][key] = change["after"]
    return out


def test_split_and_count(banking, vectors) -> None:
    assert len(banking.tasks) == 97 and len(vectors) == 59
    assert {v["task_id"] for v in vectors} == set(banking.splits()["train"])
    assert len(banking.splits()["test"]) == 38


def test_every_vector_replays_exactly(banking, vectors) -> None:
    failing = set()
    for v in vectors:
        tid = v["task_id"]
        task = banking.task(tid)
        assert Runtime(banking, task=task).db.hash() == v["initial_db_hash_reference"], tid
        assert sorted(read_log_allowlist(task)) == v["read_log_allowlist"], tid
        if v["initial_state_present"]:
            prepared = Runtime(banking, task=task)
            prepared.apply_initial_state(task.initial_state)
            assert prepared.db.changes() == v["db_after_initial_state_changes"], tid
            assert prepared.db.hash() == v["db_after_initial_state_sha256_reference"], tid
        replay = replay_gold(banking, task)
        got = replay.action_records()
        assert len(got) == len(v["actions"]), tid
        for i, (g, want) in enumerate(zip(got, v["actions"])):
            assert (g["name"], g["error"], g["output"]) == (want["name"], want["error"], want["output"]), \
                f"{tid} action {i} ({want['name']})"
            if want["output"].startswith("Error:"):
                failing.add(tid)
        assert replay.runtime.db.changes() == v["final_db_changes"], tid
        assert replay.runtime.db.hash() == v["final_db_sha256_reference"], tid
        assert replay.runtime.user_db is replay.runtime.db, tid   # one DB object, as in the reference
        # The reference's grading of the gold trajectory.
        conv = _gold_conversation(task, replay.results)
        ref = v["reference_env_evaluation_of_gold_trajectory"]
        env = env_reward(banking, task, conv)
        breakdown = {"DB": env["db_reward"]} if env["note"] is None and "DB" in v["reward_basis"] else {}
        assert (env["db_match"], breakdown, env["note"]) == (ref["db_match"], ref["reward_breakdown"], ref["note"]), tid
        act = v["reference_action_evaluation_of_gold_trajectory"]
        mine = action_reward(task, conv)
        assert (mine["reward"], [c["met"] for c in mine["checks"]]) == (act["reward"], act["action_match"]), tid
    # The README's failing gold actions (answered with error: false).
    assert {"task_051", "task_083"} <= failing


def test_check_tasks_writes_the_reference_final_db(banking_dir: Path, vectors, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check-tasks", "--env", "tau2-lite", "--domain", "banking_knowledge",
                                      "--data-dir", str(banking_dir), "--out", str(tmp_path), "--split", "train",
                                      "--quiet"])
    assert result.exit_code == 0, result.output
    raw = json.loads((banking_dir / "db.json").read_text())
    for v in vectors:
        data = json.loads((tmp_path / f"{v['task_id']}.json").read_text())
        assert [(a["error"], a["output"]) for a in data["actions"]] == \
            [(a["error"], a["output"]) for a in v["actions"]], v["task_id"]
        expected = _apply(raw, v["final_db_changes"])
        got = {name: table for name, table in data["final_db"].items() if table["data"] or name in raw}
        assert got == expected, v["task_id"]
