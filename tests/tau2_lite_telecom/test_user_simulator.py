"""The user simulator's prompt and turn-taking as τ²-bench has them, and its ending conditions."""
from __future__ import annotations

import json
from pathlib import Path

from envs.registry import get_family
from envs.tau2_lite.tasks import Task
from envs.tau2_lite.user_simulator import (
    GUIDELINES, GUIDELINES_TOOLS, STOP, ScriptedUser, UserTurn, gold_runs, reference_guidelines, system_prompt,
)
from envs.types import Termination

TASK = Task.model_validate({
    "id": "t1",
    "user_scenario": {
        "persona": "Retired teacher.\n\nNot fond of technology.",
        "instructions": {"domain": "telecom", "reason_for_call": "No service.\nSince this morning.",
                         "known_info": "You are John.", "task_instructions": "Get it fixed."}},
    "evaluation_criteria": {"actions": [
        {"action_id": "a", "name": "get_customer_by_phone", "arguments": {"phone_number": "1"}},
        {"action_id": "b", "name": "toggle_airplane_mode", "requestor": "user"},
        {"action_id": "c", "name": "reboot_device", "requestor": "user"},
        {"action_id": "d", "name": "resume_line", "arguments": {"customer_id": "C", "line_id": "L"}},
        {"action_id": "e", "name": "check_status_bar", "requestor": "user"}]},
})


def test_system_prompt_has_the_reference_structure() -> None:
    prompt = system_prompt(TASK, has_tools=True)
    assert prompt == (GUIDELINES_TOOLS + "\n\n<scenario>\nPersona:\n\tRetired teacher.\n\n\tNot fond of technology.\n"
                      "Instructions:\n\tDomain: telecom\n\tReason for call:\n\t\tNo service.\n\t\tSince this morning.\n"
                      "\tKnown info:\n\t\tYou are John.\n\tTask instructions:\n\t\tGet it fixed.\n</scenario>")
    assert system_prompt(TASK, has_tools=False).startswith(GUIDELINES + "\n\n<scenario>\n")
    for text in (GUIDELINES, GUIDELINES_TOOLS):
        assert all(token in text for token in ("'###STOP###'", "'###TRANSFER###'", "'###OUT-OF-SCOPE###'"))


def test_a_tau2_checkout_supplies_its_own_guidelines(tmp_path: Path) -> None:
    domain_dir = tmp_path / "data" / "tau2" / "domains" / "telecom"
    domain_dir.mkdir(parents=True)
    sim = tmp_path / "data" / "tau2" / "user_simulator"
    sim.mkdir()
    (sim / "simulation_guidelines_tools.md").write_text("# Reference guidelines\n<PERSONA_GUIDELINES>\nEnd.")
    found = reference_guidelines(domain_dir, use_tools=True)
    assert found is not None and reference_guidelines(domain_dir, use_tools=False) is None
    assert system_prompt(TASK, True, found).startswith("# Reference guidelines\n\nEnd.\n\n<scenario>\nPersona:")
    assert reference_guidelines(None, True) is None


def test_oracle_and_scripted_user_take_turns_along_the_gold_runs(telecom_dir: Path) -> None:
    assert [(who, [a.action_id for a in run]) for who, run in gold_runs(TASK)] == \
        [("assistant", ["a"]), ("user", ["b", "c"]), ("assistant", ["d"]), ("user", ["e"])]
    user = ScriptedUser()
    user.reset(TASK, [])
    conv = [{"role": "assistant", "content": "Hi! How can I help you today?"}]
    first = user.respond(conv)
    assert first.content == "No service.\nSince this morning. You are John." and not first.tool_calls
    conv += [{"role": "user", "content": first.content}, {"role": "assistant", "content": "Please toggle airplane mode."}]
    made = []
    while True:
        turn = user.respond(conv)
        if not turn.tool_calls:
            break
        made += [tc["name"] for tc in turn.tool_calls]
        conv.append({"role": "user", "content": None, "tool_calls": turn.tool_calls})
    assert made == ["toggle_airplane_mode", "reboot_device"] and turn.content == "Done."
    # A tool-call turn is never a stop, whatever its text says.
    assert UserTurn(STOP, [{"id": "x", "name": "check_status_bar", "arguments": {}}]).stop_signal is None


def test_the_users_failing_tool_calls_count_toward_max_errors(telecom_dir: Path) -> None:
    task_id = "[mobile_data_issue]airplane_mode_on|data_mode_off[PERSONA:None]"
    user = ScriptedUser(tool_calls=[("refuel_data", {}), ("toggle_dta", {})])
    env = get_family("tau2-lite").make(task_id, domain="telecom", data_dir=str(telecom_dir), user="scripted",
                                       scripted_user=user, max_errors=2)
    obs, info = env.reset(seed=0)
    assert json.loads(obs) == [{"role": "assistant", "content": "Hi! How can I help you today?", }]
    errors = [m["content"] for m in info["conversation"] if m["role"] == "tool"]
    assert errors == ["Error: Tool 'refuel_data' not found.", "Error: Tool 'toggle_dta' not found."]
    _, reward, terminated, truncated, info = env.step({"type": "message", "content": "Hello?"})
    assert terminated and not truncated and info["termination"] == Termination.TOO_MANY_ERRORS and reward == 0.0
