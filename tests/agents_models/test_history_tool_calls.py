"""Task history with earlier agent tool calls reaches both APIs intact."""
from __future__ import annotations

import json

from agents.formats import observation_to_chat
from agents.tool_agent import ResponsesToolAgent

HISTORY = [
    {"role": "user", "content": "Please create a task called groceries."},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_7", "type": "function", "function": {"name": "create_task", "arguments": '{"title": "groceries"}'}}]},
    {"role": "tool", "tool_call_id": "call_7", "name": "create_task", "content": '{"task_id": "task_2"}'},
]


def test_chat_history_keeps_assistant_tool_calls():
    chat = observation_to_chat(HISTORY)
    assert chat[1]["role"] == "assistant" and chat[1]["content"] is None
    assert chat[1]["tool_calls"][0]["id"] == "call_7"
    assert chat[2] == {"role": "tool", "tool_call_id": "call_7", "name": "create_task", "content": '{"task_id": "task_2"}'}


def test_responses_history_turns_tool_calls_into_function_call_items():
    items = ResponsesToolAgent._to_items(HISTORY)
    assert items[0] == {"role": "user", "content": "Please create a task called groceries."}
    assert items[1] == {"type": "function_call", "call_id": "call_7", "name": "create_task",
                        "arguments": '{"title": "groceries"}'}
    assert items[2]["type"] == "function_call_output" and items[2]["call_id"] == "call_7"
    dict_args = [dict(HISTORY[1], tool_calls=[{"id": "c", "function": {"name": "f", "arguments": {"a": 1}}}])]
    assert json.loads(ResponsesToolAgent._to_items(dict_args)[0]["arguments"]) == {"a": 1}
