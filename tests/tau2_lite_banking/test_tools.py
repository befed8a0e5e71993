"""banking_knowledge tool behaviours the vectors do not reach: the discoverable-tool protocol,
the read-log allowlist, the user's given tools, how failures are flagged, and the DB's
reference hash and initial-state merge."""
from __future__ import annotations

import json

from envs.tau2_lite.domains.banking_knowledge import BankingKnowledgeDomain
from envs.tau2_lite.runtime import Runtime, ToolCall
from envs.tau2_lite.tasks import InitialState


def _call(rt: Runtime, name: str, requestor: str = "assistant", **arguments):
    return rt.respond(ToolCall("c", name, arguments, requestor))


def test_discoverable_tools_must_be_unlocked_and_read_calls_log_only_when_allowlisted(banking) -> None:
    rt = Runtime(banking)
    args = json.dumps({"user_id": "dk83f5c2a1"})
    locked = _call(rt, "call_discoverable_agent_tool", agent_tool_name="get_debit_dispute_status_7483", arguments=args)
    assert not locked.error and "has not been unlocked" in locked.content
    assert "Tool unlocked: get_debit_dispute_status_7483" in _call(
        rt, "unlock_discoverable_agent_tool", agent_tool_name="get_debit_dispute_status_7483").content
    before = rt.db.hash()
    out = _call(rt, "call_discoverable_agent_tool", agent_tool_name="get_debit_dispute_status_7483", arguments=args)
    assert out.content.startswith("Debit card dispute history retrieved successfully.")
    assert rt.db.hash() == before                       # an extra read changes nothing ...
    task = banking.task("task_039")                      # ... unless the task's gold calls it
    graded = Runtime(banking, task=task)
    _call(graded, "unlock_discoverable_agent_tool", agent_tool_name="get_user_dispute_history_7291")
    _call(graded, "call_discoverable_agent_tool", agent_tool_name="get_user_dispute_history_7291", arguments=args)
    assert [c["after"] for c in graded.db.changes()] == [{"tool_name": "get_user_dispute_history_7291",
                                                          "status": "CALLED"}]
    unknown = _call(rt, "unlock_discoverable_agent_tool", agent_tool_name="make_me_rich_0001")
    assert unknown.content == "Error: Unknown agent tool 'make_me_rich_0001'. This tool is not available."


def test_numbers_in_discoverable_arguments_are_floats_and_bad_arguments_are_not_error_flagged(banking) -> None:
    rt = Runtime(banking)
    _call(rt, "unlock_discoverable_agent_tool", agent_tool_name="submit_credit_limit_increase_request_7392")
    out = _call(rt, "call_discoverable_agent_tool", agent_tool_name="submit_credit_limit_increase_request_7392",
                arguments='{"credit_card_account_id": "cc_missing", "user_id": "u", "requested_increase_amount": 10.5}')
    assert (out.error, out.content) == (False, "Error: Invalid requested_increase_amount. Must be a whole number of dollars.")
    bad = _call(rt, "call_discoverable_agent_tool", agent_tool_name="submit_credit_limit_increase_request_7392",
                arguments='{"user_id": "u"}')
    assert bad.error is False and bad.content.startswith(
        "Error: Invalid arguments: KnowledgeTools.submit_credit_limit_increase_request_7392() missing 2 required")
    broken = _call(rt, "call_discoverable_agent_tool", agent_tool_name="submit_credit_limit_increase_request_7392",
                   arguments="{not json")
    assert broken.content.startswith("Error: Invalid JSON in arguments:") and not broken.error
    # A top-level call with missing arguments raises: error true, Python's own text.
    missing = _call(rt, "apply_for_credit_card", "user", card_type="Gold Rewards Card")
    assert missing.error and missing.content == ("Error: KnowledgeUserTools.apply_for_credit_card() missing 2 required "
                                                 "positional arguments: 'customer_name' and 'annual_income'")
    assert _call(rt, "no_such_tool").content == "Error: Tool 'no_such_tool' not found."


def test_user_tools_need_the_agent_to_give_them(banking) -> None:
    rt = Runtime(banking)
    args = json.dumps({"credit_card_account_id": "cc_890389b165_silver"})
    refused = _call(rt, "call_discoverable_user_tool", "user", discoverable_tool_name="get_card_last_4_digits",
                    arguments=args)
    assert "has not been given to you by the agent" in refused.content
    given = _call(rt, "give_discoverable_user_tool", discoverable_tool_name="get_card_last_4_digits", arguments=args)
    assert given.content.startswith("Tool given to user: get_card_last_4_digits\nDescription: Look up the last 4")
    out = _call(rt, "call_discoverable_user_tool", "user", discoverable_tool_name="get_card_last_4_digits",
                arguments=args)
    assert out.content.startswith("Card information retrieved successfully.") and "Last 4 digits of card: " in out.content
    assert _call(rt, "give_discoverable_user_tool", discoverable_tool_name="open_bank_account_4821").content == \
        "Error: Unknown discoverable tool 'open_bank_account_4821'."
    # The agent's tools and the user's act on one DB.
    assert rt.user_db is rt.db and {c["path"][0] for c in rt.db.changes()} == {
        "user_discoverable_tools", "user_discoverable_tool_calls"}


def test_hash_merge_and_stored_number_types(banking) -> None:
    rt = Runtime(banking)
    assert rt.db.hash() == "af324a7d72aced5889daf6cc044e573ad94ffa3bfe7cf65114fd3cfed5daaa48"
    rt.apply_initial_state(InitialState.model_validate({"initialization_data": {"agent_data": {
        "accounts": {"data": {"chk_new": {"status": "OPEN"}}}, "users": {"notes": "patched"}}}}))
    paths = [c["path"] for c in rt.db.changes()]
    assert paths == [["users"], ["accounts", "chk_new"]]
    a, b = Runtime(banking), Runtime(banking)
    _call(a, "apply_for_credit_card", "user", card_type="Gold Rewards Card", customer_name="X", annual_income=1000)
    _call(b, "apply_for_credit_card", "user", card_type="Gold Rewards Card", customer_name="X", annual_income=1000.0)
    assert a.db.same_state(b.db) and a.db.hash() == b.db.hash()
    assert isinstance(BankingKnowledgeDomain.toolkit_class.discoverable_names(), list)


def test_gymnasium_env_checker_and_registration(banking_dir) -> None:
    import gymnasium as gym
    from gymnasium.utils.env_checker import check_env

    env = gym.make("tau2-lite/banking_knowledge", task_id="task_017", data_dir=str(banking_dir), user="scripted")
    check_env(env.unwrapped, skip_render_check=True)
