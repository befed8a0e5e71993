"""Model-format converters: pure functions shared by the agents and the exporters.

No I/O and no model clients here, so `trajectories.export` can import this module cheaply.

* `coords`: coordinate conventions (Qwen's 0–1000 grid, absolute pixels of the resized image,
  `smart_resize`) — `CoordinateSpace.to_screen` / `from_screen`.
* `keys`: key names of every vocabulary -> computer_13 names (`env_key`) and X keysyms
  (`xdotool_key`).
* `qwen_computer`: Qwen's ``computer_use`` function schema (`computer_use_tool`), the texts of
  the live agent's conversation (`SYSTEM_PROMPT`, `TASK_PROMPT`, `EXECUTED`, `AFTER_ACTION`,
  `OMITTED_SCREENSHOT`), `qwen_to_env` and `env_to_qwen`.
* `openai_computer`: OpenAI computer-tool batched actions -> env actions
  (`openai_actions_to_env`) and back (`env_to_openai`).
* `tools`: tau2-lite tool calls and messages <-> Chat Completions / Responses function calls.

Env actions are the osworld-lite computer_13 dicts and tau2-lite tool_call/message dicts of
docs/architecture.md ("Action JSON forms").
"""
from agents.formats.computer13 import ActionConversionError, flat_params
from agents.formats.coords import CoordinateSpace, smart_resize
from agents.formats.keys import UnknownKeyError, env_key, xdotool_key
from agents.formats.openai_computer import env_to_openai, openai_action_to_env, openai_actions_to_env
from agents.formats.qwen_computer import (
    AFTER_ACTION, EXECUTED, OMITTED_SCREENSHOT, QWEN_ACTIONS, SYSTEM_PROMPT, TASK_PROMPT, TOOL_NAME,
    computer_use_tool, env_to_qwen, qwen_to_env,
)
from agents.formats.tools import (
    chat_tool_call_to_env, chat_tools_to_responses, env_to_chat_message, observation_to_chat,
    parse_arguments, response_function_call_to_env,
)

__all__ = [
    "AFTER_ACTION", "EXECUTED", "OMITTED_SCREENSHOT", "TASK_PROMPT",
    "ActionConversionError", "CoordinateSpace", "QWEN_ACTIONS", "SYSTEM_PROMPT", "TOOL_NAME",
    "UnknownKeyError", "chat_tool_call_to_env", "chat_tools_to_responses", "computer_use_tool",
    "env_key", "env_to_chat_message", "env_to_openai", "env_to_qwen",
    "flat_params", "observation_to_chat", "openai_action_to_env", "openai_actions_to_env",
    "parse_arguments", "qwen_to_env", "response_function_call_to_env", "smart_resize",
    "xdotool_key",
]
