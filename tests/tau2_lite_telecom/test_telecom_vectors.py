"""τ²-bench's telecom domain against the reference's own gold replays (vectors/) and probes:
error flags, exact output strings, final agent and user DBs, reference hashes, env assertions,
db_match and reward."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from agents.cli import app
from envs.tau2_lite.domain import get_domain
from envs.tau2_lite.runtime import Runtime, ToolCall
from envs.tau2_lite.tasks import EnvFunctionCall, InitialState


def _file(task_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", task_id) + ".json"


def test_check_tasks_matches_every_train_vector(telecom_dir: Path, vectors: list[dict[str, Any]],
                                                 tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check-tasks", "--env", "tau2-lite", "--domain", "telecom", "--data-dir",
                                      str(telecom_dir), "--split", "train", "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    for vector in vectors:
        tid = vector["task_id"]
        data = json.loads((tmp_path / _file(tid)).read_text(encoding="utf-8"))
        want = [{k: a[k] for k in ("name", "requestor", "error", "output")} for a in vector["actions"]]
        for i, (got, exp) in enumerate(zip(data["actions"], want, strict=True)):
            assert got == exp, f"{tid} action {i}: got {got!r}, reference {exp!r}"
        assert data["final_db"] == vector["final_db"], tid
        assert data["final_user_db"] == vector["final_user_db"], tid
        assert data["env_assertions"] == vector["env_assertions"], tid
        reference = vector["reference_env_evaluation_of_gold_trajectory"]
        assert data["db_match"] == reference["db_match"], tid   # false for 52 train tasks, as in the reference
        action = vector["reference_action_evaluation_of_gold_trajectory"]
        assert data["reward"] == reference["reward"] * action["reward"] == 1.0, tid
        expected_breakdown = {**reference["reward_breakdown"], **action["reward_breakdown"]} \
            if "ACTION" in vector["reward_basis"] else reference["reward_breakdown"]
        assert data["reward_breakdown"] == expected_breakdown, tid
    assert sum(not v["reference_env_evaluation_of_gold_trajectory"]["db_match"] for v in vectors) == 52


def test_reference_hashes_at_every_stage(telecom_dir: Path, vectors: list[dict[str, Any]]) -> None:
    domain = get_domain("telecom", str(telecom_dir))
    for vector in vectors:
        tid = vector["task_id"]
        runtime = Runtime(domain, task=domain.task(tid))
        assert runtime.db.hash() == vector["initial_db_hash_reference"], tid
        assert runtime.user_db.hash() == vector["initial_user_db_hash_reference"], tid
        runtime.apply_initial_state(InitialState.model_validate(vector["initial_state"]))
        assert domain.dump_db(runtime.db) == vector["db_after_initial_state"], tid
        assert domain.dump_db(runtime.user_db) == vector["user_db_after_initial_state"], tid
        assert runtime.db.hash() == vector["db_after_initial_state_sha256_reference"], tid
        assert runtime.user_db.hash() == vector["user_db_after_initial_state_sha256_reference"], tid
        for action in vector["actions"]:
            runtime.respond(ToolCall(action["action_id"], action["name"], action["arguments"], action["requestor"]))
        assert runtime.db.hash() == vector["final_db_sha256_reference"], tid
        assert runtime.user_db.hash() == vector["final_user_db_sha256_reference"], tid


def test_probes_outside_the_gold_paths(telecom_dir: Path, probes: dict[str, Any]) -> None:
    domain = get_domain("telecom", str(telecom_dir))
    assert sum(len(s["calls"]) for s in probes["sequences"]) == 96
    for seq in probes["sequences"]:
        runtime = Runtime(domain)
        for action in probes["initialization_actions"]:
            runtime.run_function(EnvFunctionCall.model_validate(action))
        for i, call in enumerate(seq["calls"]):
            got = runtime.respond(ToolCall(f"probe_{i}", call["name"], call["arguments"], call["requestor"]))
            assert (got.error, got.content) == (call["error"], call["output"]), (seq["name"], i, call["name"])
        assert runtime.db.hash() == seq["final_db_sha256_reference"], seq["name"]
        assert runtime.user_db.hash() == seq["final_user_db_sha256_reference"], seq["name"]


def test_tools_and_policy_as_the_reference_names_them(telecom_dir: Path) -> None:
    domain = get_domain("telecom", str(telecom_dir))
    agent = list(domain.toolkit_class.specs())
    user = list(domain.user_toolkit_class.specs())
    assert len(agent) == 13 and len(user) == 30 and not set(agent) & set(user)
    assert {"get_customer_by_phone", "refuel_data", "transfer_to_human_agents", "send_payment_request"} <= set(agent)
    assert {"check_status_bar", "toggle_airplane_mode", "make_payment", "set_apn_settings", "run_speed_test"} <= set(user)
    # Scenario helpers are not tools of either side.
    assert "set_data_usage" not in agent and "break_vpn" not in user and "set_user_info" not in user
    for name, chars, digest in (
            ("telecom", 23318, "065b48503bf780153fc671455cdfddb85b4c6ffb11e2ea93bd940233d804c3e9"),
            ("telecom-workflow", 22164, "4713ad7b8c70d1767f29352410dc0a1eeec46b62ef218987e06afec276b75fdb")):
        policy = get_domain(name, str(telecom_dir)).policy()
        assert len(policy) == chars and hashlib.sha256(policy.encode()).hexdigest() == digest, name
    splits = domain.splits()
    assert len(domain.tasks) == 114 and len(splits["train"]) == 74 and len(splits["test"]) == 40


def test_a_broken_vpn_stays_in_its_own_episode(telecom_dir: Path) -> None:
    """The reference shares the default VPN object across every environment of a process; here
    `break_vpn` degrades later connections of its own runtime only."""
    domain = get_domain("telecom", str(telecom_dir))
    broken = Runtime(domain)
    broken.run_function(EnvFunctionCall(env_type="user", func_name="set_user_info",
                                        arguments={"name": "John Smith", "phone_number": "555-123-2002"}))
    broken.run_function(EnvFunctionCall(env_type="user", func_name="break_vpn"))
    broken.respond(ToolCall("a", "disconnect_vpn", {}, "user"))
    broken.respond(ToolCall("b", "connect_vpn", {}, "user"))
    assert "PerformanceLevel.POOR" in broken.respond(ToolCall("c", "check_vpn_status", {}, "user")).content
    fresh = Runtime(domain)
    fresh.respond(ToolCall("d", "connect_vpn", {}, "user"))
    assert "PerformanceLevel.EXCELLENT" in fresh.respond(ToolCall("e", "check_vpn_status", {}, "user")).content
