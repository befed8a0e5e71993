"""Turn a task's reference solution into each model's wire format (the scripted "model")."""
from __future__ import annotations

from typing import Any

from agents.formats import CoordinateSpace, env_to_openai, env_to_qwen
from tests.agents_models.scripted_server import (
    chat_reply, computer_call, function_call, message, qwen_computer_call, responses_reply,
)


def qwen_computer_script(solution: list[dict[str, Any]], width: int, height: int,
                         prelude: list[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """One computer_use call per reply, coordinates on the 0–1000 grid."""
    space = CoordinateSpace(width, height)
    replies = [qwen_computer_call(args) for args in prelude]
    for action in solution:
        for args in env_to_qwen(action, space):
            replies.append(qwen_computer_call(args, reasoning=f"Next: {args['action']}."))
    return replies


def gpt_computer_script(solution: list[dict[str, Any]], batch: int = 3,
                        prelude: list[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """Batched computer_call items; DONE becomes the closing message, FAIL an INFEASIBLE one."""
    replies: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = list(prelude)
    for action in solution:
        converted = env_to_openai(action)
        if converted is None:
            break
        pending.extend(converted)
    for i in range(0, len(pending), batch):
        replies.append(responses_reply([computer_call(pending[i:i + batch])]))
    end = solution[-1]["action_type"] if solution else "DONE"
    replies.append(responses_reply([message("INFEASIBLE: cannot be done." if end == "FAIL" else "The task is complete.")]))
    return replies


def qwen_tool_script(solution: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [chat_reply(None, [(a["name"], a["arguments"])], reasoning="Following the policy.")
            if a["type"] == "tool_call" else chat_reply(a["content"], reasoning="Tell the user.")
            for a in solution]


def gpt_tool_script(solution: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [responses_reply([function_call(a["name"], a["arguments"])]) if a["type"] == "tool_call"
            else responses_reply([message(a["content"])]) for a in solution]
