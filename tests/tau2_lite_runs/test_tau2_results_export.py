"""`export --format tau2-results`: runs written as τ²-bench's results file, read back with
τ²-bench's documented schema (tau2_results_schema.py), and the τ²-bench figures computed from
the file agree with the leaderboard's."""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path

import pytest

from envs.endings import RULES, Termination
from envs.tau2_lite.evaluator import GRADED_TERMINATIONS
from scoring.tau2_view import tau2_summaries
from tau2_results_schema import Results, TerminationReason
from tau2_runs_helpers import Cli
from trajectories.export.tau2_results import TAU2_TERMINATION, build_messages
from trajectories.records import StepRecord

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exported(tmp_path_factory, request) -> dict:
    """A retail+mock group (2 tasks × 2 trials each), a retail run cut off by --max-steps, and
    their exports."""
    from tests.support.paths import shared_path

    tmp = tmp_path_factory.mktemp("tau2_results")
    domains = tmp / "domains"
    domains.mkdir()
    (domains / "retail").symlink_to(shared_path("tau2", "retail"))
    (domains / "mock").symlink_to(shared_path("tau2", "mock"))
    cli = Cli(tmp)
    common = ("--env", "tau2-lite", "--agent", "oracle", "--user", "scripted", "--no-progress", "--json-summary")
    group = cli.json_lines(cli("run", *common, "--domain", "all", "--data-dir", str(domains),
                               "--limit", "2", "--trials", "2"))[-1]
    short = cli.json_lines(cli("run", *common, "--domain", "retail", "--data-dir", str(domains / "retail"),
                               "--limit", "1", "--max-steps", "1"))[-1]
    cli("export", "--format", "tau2-results", "--run", group["group"], "--out", str(tmp / "group"))
    cli("export", "--format", "tau2-results", "--run", short["run_id"], "--out", str(tmp / "short.json"))
    return {"cli": cli, "group": group, "short": short, "dir": tmp}


def _load(path: Path) -> Results:
    return Results.model_validate_json(path.read_text(encoding="utf-8"))


def test_every_ending_maps_to_tau2_vocabulary():
    expected = {
        Termination.AGENT_DONE: "agent_stop", Termination.USER_STOP: "user_stop",
        Termination.TRANSFER: "user_stop", Termination.OUT_OF_SCOPE: "user_stop",
        Termination.MAX_STEPS: "max_steps", Termination.TOO_MANY_ERRORS: "too_many_errors",
        Termination.TIMEOUT: "timeout", Termination.AGENT_ERROR: "agent_error",
        Termination.CONTEXT_EXHAUSTED: "context_window_exceeded",
        Termination.INFRA_ERROR: "infrastructure_error", Termination.HARNESS_ERROR: "infrastructure_error",
    }
    for termination, value in expected.items():
        assert TAU2_TERMINATION[termination] == value, termination
    finished = [t for t in Termination if t is not Termination.CANCELLED]
    assert set(TAU2_TERMINATION) == set(finished)
    graded_there = {TerminationReason.AGENT_STOP.value, TerminationReason.USER_STOP.value}
    for termination in finished:
        value = TerminationReason(TAU2_TERMINATION[termination]).value   # a τ²-bench value
        # τ²-bench grades exactly the endings tau2-lite grades, and leaves out exactly the
        # endings the project's rule excludes (it drops only infrastructure_error from figures).
        assert (value in graded_there) == (termination in GRADED_TERMINATIONS), termination
        assert (value == "infrastructure_error") == (not RULES[termination].counts), termination


def test_group_export_reads_back_with_tau2_schema(exported):
    group = exported["group"]
    store = exported["cli"].store()
    try:
        for domain, run_id in group["runs"].items():
            results = _load(exported["dir"] / "group" / f"{domain}.json")
            run = store.get_run(run_id)
            assert results.info.environment_info.domain_name == domain
            assert results.info.num_trials == 2 and results.info.agent_info.implementation == "oracle"
            assert results.info.user_info.implementation == "scripted_user"
            assert [t.id for t in results.tasks] == run.config.task_ids
            assert len(results.simulations) == 4
            episodes = {e.id: e for e in store.iter_episodes(run_ids=[run_id])}
            for sim in results.simulations:
                episode = episodes[sim.id]
                assert (sim.task_id, sim.trial, sim.seed) == (episode.task_id, episode.trial, episode.seed)
                assert sim.termination_reason == TerminationReason(TAU2_TERMINATION[episode.termination])
                assert sim.reward_info.reward == episode.reward == 1.0
                assert sim.reward_info.db_check.db_match is True
                _check_conversation(sim)
    finally:
        store.close()


def _check_conversation(sim) -> None:
    messages = sim.messages
    assert [m.turn_idx for m in messages] == list(range(len(messages)))
    assert messages[0].role == "assistant" and messages[1].role == "user"
    start, end = (datetime.fromisoformat(t) for t in (sim.start_time, sim.end_time))
    stamps = [datetime.fromisoformat(m.timestamp) for m in messages]
    assert stamps == sorted(stamps) and start <= stamps[0] and stamps[-1] <= end
    pending: dict[str, str] = {}
    for m in messages:
        for call in (getattr(m, "tool_calls", None) or []):
            assert call.requestor == m.role
            pending[call.id] = call.requestor
        if m.role == "tool":   # every tool message answers a call made before it, by the same side
            assert pending.pop(m.id) == m.requestor
    assert not pending


def test_figures_from_the_file_match_the_leaderboard(exported):
    """pass^k computed from the exported files as τ²-bench computes it (success = reward 1,
    infrastructure errors left out, mean over tasks of C(c,k)/C(n,k)), and the average over its
    leaderboard domains, equal the leaderboard's τ²-bench view."""
    store = exported["cli"].store()
    try:
        view = tau2_summaries(list(store.iter_episodes(run_ids=list(exported["group"]["runs"].values()))))
    finally:
        store.close()
    assert len(view) == 1
    per_domain = {}
    for domain in exported["group"]["runs"]:
        results = _load(exported["dir"] / "group" / f"{domain}.json")
        by_task: dict[str, list[bool]] = {}
        for sim in results.simulations:
            if sim.termination_reason != TerminationReason.INFRASTRUCTURE_ERROR:
                by_task.setdefault(sim.task_id, []).append(abs(sim.reward_info.reward - 1) <= 1e-6)
        ks = range(1, min(len(v) for v in by_task.values()) + 1)
        per_domain[domain] = {k: sum(math.comb(sum(v), k) / math.comb(len(v), k) for v in by_task.values())
                              / len(by_task) for k in ks}
        assert per_domain[domain] == view[0].domains[domain].pass_hat_k
    # τ²-bench averages over its leaderboard domains: retail here (mock is its test domain).
    assert view[0].averaged == ["retail"] and view[0].average == per_domain["retail"]


def test_a_premature_ending_is_written_as_tau2_writes_it(exported):
    results = _load(exported["dir"] / "short.json")
    (sim,) = results.simulations
    assert sim.termination_reason == TerminationReason.MAX_STEPS
    assert sim.reward_info.reward == 0.0 and sim.reward_info.reward_basis is None
    assert sim.reward_info.info["note"] == "Simulation terminated prematurely. Termination reason: max_steps"
    assert results.info.max_steps == 1
    assert sim.messages[-1].role == "tool"   # the one tool call the agent got to make, answered


def test_user_tool_calls_keep_their_requestor_and_old_steps_are_rebuilt():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    recorded = StepRecord(index=1, action={"type": "message", "content": "please restart"}, created_at=now,
                          env_time_s=0.5, info={"conversation": [
        {"role": "assistant", "content": "please restart"},
        {"role": "user", "content": None, "tool_calls": [
            {"id": "u1", "name": "reboot_device", "arguments": {}, "requestor": "user"}]},
        {"role": "tool", "id": "u1", "name": "reboot_device", "content": "ok", "error": False, "requestor": "user"},
        {"role": "user", "content": "done"}]})
    legacy = StepRecord(index=2, action={"type": "tool_call", "id": "c1", "name": "get_user", "arguments": {"id": 1}},
                        created_at=now, observation={"messages": [
        {"role": "tool", "tool_call_id": "c1", "name": "get_user", "content": "{}", "error": True}]})
    messages, _, _ = build_messages([recorded, legacy])
    assert [m["role"] for m in messages] == ["assistant", "user", "tool", "user", "assistant", "tool"]
    assert messages[1]["tool_calls"][0]["requestor"] == "user" and messages[2]["requestor"] == "user"
    assert messages[0]["timestamp"] < messages[1]["timestamp"]   # the agent acted before the replies
    assert messages[4]["tool_calls"] == [{"id": "c1", "name": "get_user", "arguments": {"id": 1},
                                          "requestor": "assistant"}]
    assert messages[5] == {"id": "c1", "role": "tool", "content": "{}", "requestor": "assistant", "error": True,
                           "timestamp": now.isoformat(), "turn_idx": 5}
    json.dumps(messages)


def test_export_refusals(exported, tmp_path):
    cli = exported["cli"]
    out = cli("export", "--format", "tau2-results", "--run", "run-19990101-000000", "--out",
              str(tmp_path / "x.json"), ok=False)
    assert out.returncode == 2 and "run-19990101-000000" in out.stderr
    out = cli("export", "--format", "tau2-results", "--out", str(tmp_path / "x.json"), ok=False)
    assert out.returncode == 2 and "--run" in out.stderr


def test_a_model_run_over_http_exports_its_model_and_usage(monkeypatch, tmp_path):
    """Qwen on a scripted OpenAI-compatible server (the model is the only stand-in) runs
    `--domain all` over mock; the results file names the model and carries each reply's usage."""
    from tests.agents_models.scripted_server import _usage_chat, chat_reply, serving_registry_models
    from tests.support.paths import shared_path

    domains = tmp_path / "domains"
    domains.mkdir()
    (domains / "mock").symlink_to(shared_path("tau2", "mock"))
    with serving_registry_models(monkeypatch, tmp_path) as server:
        replies = [chat_reply(None, [("create_task", {"user_id": "user_1", "title": "Important Meeting"})]),
                   chat_reply("I created the task 'Important Meeting' for you.")]
        for i, reply in enumerate(replies):
            reply["usage"] = _usage_chat(1000 + i, 50 + i)
        server.script("chat", *replies)
        cli = Cli(tmp_path)
        group = cli.json_lines(cli("run", "--env", "tau2-lite", "--domain", "all", "--data-dir", str(domains),
                                   "--model", "qwen3.5-9b", "--user", "scripted", "--limit", "1",
                                   "--no-progress", "--json-summary"))[-1]
        assert group["pass_hat_k"] == {"mock": {"1": 1.0}}
        cli("export", "--format", "tau2-results", "--run", group["runs"]["mock"], "--out", str(tmp_path / "m.json"))
    results = _load(tmp_path / "m.json")
    assert results.info.agent_info.implementation == "llm_agent"
    assert results.info.agent_info.llm == "qwen3.5-9b"
    (sim,) = results.simulations
    said = [m for m in sim.messages if m.role == "assistant" and m.usage]
    assert [m.usage for m in said] == [{"prompt_tokens": 1000, "completion_tokens": 50},
                                       {"prompt_tokens": 1001, "completion_tokens": 51}]
    assert said[0].tool_calls[0].name == "create_task" and said[1].content.startswith("I created")
    assert sim.termination_reason == TerminationReason.USER_STOP and sim.reward_info.reward == 1.0


def test_the_reference_folder_runs_every_registered_domain(tmp_path):
    """τ²-bench's own layout: the shared folder's subfolders are domains. Every domain the
    registry holds runs (no list of them here), and telecom's user acts on its own phone: its
    tool calls are written with requestor "user"."""
    from tests.support.paths import shared_path

    cli = Cli(tmp_path)
    group = cli.json_lines(cli("run", "--env", "tau2-lite", "--domain", "all", "--data-dir", str(shared_path("tau2")),
                               "--agent", "oracle", "--user", "scripted", "--limit", "1", "--split", "train",
                               "--no-progress", "--json-summary"))[-1]
    assert {"retail", "telecom", "banking_knowledge"} <= set(group["runs"])
    assert group["skipped_domains"] == {"mock": "no 'train'-split task"}   # mock has no train split
    assert all(ks.get("1") is not None for ks in group["pass_hat_k"].values())   # every domain was scored
    cli("export", "--format", "tau2-results", "--run", group["group"], "--out", str(tmp_path / "out"))
    for domain in group["runs"]:
        results = _load(tmp_path / "out" / f"{domain}.json")
        assert results.info.environment_info.domain_name == domain and len(results.simulations) == 1
    (telecom,) = _load(tmp_path / "out" / "telecom.json").simulations
    by_user = [m for m in telecom.messages if m.role == "user" and m.tool_calls]
    assert by_user and all(c.requestor == "user" for m in by_user for c in m.tool_calls)
    assert any(m.role == "tool" and m.requestor == "user" for m in telecom.messages)
    _check_conversation(telecom)
