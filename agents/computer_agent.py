"""Computer-use agents for osworld-lite: Qwen's ``computer_use`` function over Chat
Completions, and OpenAI's built-in ``computer`` tool over the Responses API.

Each request carries the task instruction, the last N screenshots (older ones are replaced
by a short text so the model still sees its own earlier actions) and the model's previous
actions and their results. Screenshots are PNGs encoded exactly as the runner stores them,
so the image references in the recorded requests name stored artifacts.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np

from agents.agent import AgentTurn
from agents.formats import (
    ActionConversionError, CoordinateSpace, computer_use_tool, openai_actions_to_env, parse_arguments,
    qwen_to_env,
)
from agents.formats.qwen_computer import (
    AFTER_ACTION, CORRECTION, EXECUTED, OMITTED_SCREENSHOT, SYSTEM_PROMPT, TASK_PROMPT, TOOL_NAME,
)
from agents.models.agent_base import AgentSettings, ModelDrivenAgent, replayable_calls
from agents.models.records import png_data_url
from agents.observations import encode_png
from envs.types import AgentSpec, TaskInfo

QWEN_TASK, OMITTED = TASK_PROMPT, OMITTED_SCREENSHOT
QWEN_CORRECTION = CORRECTION
OPENAI_INSTRUCTIONS = (
    "You operate a Linux desktop through the computer tool to complete the user's task. Act without "
    "asking for confirmation. When the task is complete, reply with a short message and no computer "
    "action. If the task cannot be done, reply with a message that starts with 'INFEASIBLE:' and says why."
)
CONTINUE = "Please continue on your own; do not ask for confirmation."


def screenshot_of(observation: Any) -> np.ndarray:
    shot = observation.get("screenshot") if isinstance(observation, dict) else None
    if not isinstance(shot, np.ndarray) or shot.ndim != 3:
        raise ValueError("osworld-lite observations must carry a screenshot array")
    return shot


class _ComputerAgent(ModelDrivenAgent):
    def __init__(self, entry, settings: AgentSettings, task: TaskInfo, spec: AgentSpec):
        super().__init__(entry, settings, task, spec)
        self.instruction = spec.instruction or task.instruction
        self.action_errors: list[str] = []     # env's complaints since the last model call

    def screen(self, shot: np.ndarray) -> tuple[int, int]:
        return (self.spec.screen_width or shot.shape[1], self.spec.screen_height or shot.shape[0])

    def feedback(self, action: dict[str, Any], observation: Any, info: dict[str, Any]) -> None:
        if info.get("action_error"):
            self.action_errors.append(f"{action.get('action_type', action)}: {info['action_error']}")

    def _take_action_errors(self) -> str:
        text = "; ".join(self.action_errors)
        self.action_errors = []
        return text


class QwenComputerAgent(_ComputerAgent):
    """Chat Completions with the ``computer_use`` function (Qwen3.5 on vLLM and alike)."""

    def __init__(self, entry, settings: AgentSettings, task: TaskInfo, spec: AgentSpec):
        super().__init__(entry, settings, task, spec)
        self.space: CoordinateSpace | None = None
        self.head: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT}]
        self.exchanges: list[list[dict[str, Any]]] = []   # [assistant, tool…, user(screenshot)]
        self.keep_exchanges: int | None = None            # set by context trimming
        self.pending_call_ids: list[str] = []

    def _messages(self) -> list[dict[str, Any]]:
        kept = self.exchanges if self.keep_exchanges is None else self.exchanges[-self.keep_exchanges:]
        messages = [dict(m) for m in self.head + [m for ex in kept for m in ex]]
        budget = self.settings.max_images
        for m in reversed(messages):   # keep only the last N screenshots
            if isinstance(m.get("content"), list):
                parts = []
                for part in reversed(m["content"]):
                    if part.get("type") == "image_url":
                        if budget > 0:
                            budget -= 1
                        else:
                            part = {"type": "text", "text": OMITTED}
                    parts.append(part)
                m["content"] = parts[::-1]
        return messages

    def _observe(self, shot: np.ndarray) -> None:
        image = {"type": "image_url", "image_url": {"url": png_data_url(encode_png(shot))}}
        if self.space is None:
            w, h = self.screen(shot)
            self.space = CoordinateSpace(w, h, self.settings.coordinates or self.entry.coordinates)
            self.tools = [computer_use_tool(self.space)]
            self.head.append({"role": "user", "content": [
                {"type": "text", "text": QWEN_TASK.format(instruction=self.instruction)}, image]})
            return
        errors = self._take_action_errors()
        result = f"Error: {errors}" if errors else EXECUTED
        ex = self.exchanges[-1]
        ex.extend({"role": "tool", "tool_call_id": cid, "content": result} for cid in self.pending_call_ids)
        ex.append({"role": "user", "content": [image, {"type": "text", "text": AFTER_ACTION}]})
        self.pending_call_ids = []

    def _trim(self, reason: str) -> bool:
        if len(self.exchanges) <= 1 or self.keep_exchanges == 1:
            return False
        self.keep_exchanges = max(1, len(self.exchanges) // 2) if self.keep_exchanges is None \
            else max(1, self.keep_exchanges // 2)
        self._note("context_trimmed", f"kept the last {self.keep_exchanges} exchanges: {reason}")
        return True

    async def _act(self, observation: Any) -> AgentTurn:
        self._observe(screenshot_of(observation))
        while True:
            result = await self._call(
                lambda: self.client.chat(self._messages(), self.tools, thinking=self.settings.thinking),
                trim=self._trim)
            message = result.message
            calls = message.get("tool_calls") or []
            assistant = {"role": "assistant", "content": message.get("content") or "",
                         "tool_calls": replayable_calls(calls)} \
                if calls else {"role": "assistant", "content": message.get("content") or ""}
            try:
                actions, parsed = self._convert(calls)
            except ActionConversionError as exc:
                fix = [assistant] + [{"role": "tool", "tool_call_id": c.get("id") or "", "content": f"Error: {exc}"}
                                     for c in calls] + [{"role": "user", "content": QWEN_CORRECTION.format(error=exc)}]
                # In the exchange that holds the current screenshot, so trimming never drops it.
                if self.exchanges:
                    self.exchanges[-1].extend(fix)
                else:
                    self.exchanges.append(fix)
                if not self._agent_error(str(exc)):
                    return self._give_up(message)
                continue
            self.corrections_in_a_row = 0
            self.exchanges.append([assistant])
            self.pending_call_ids = [c.get("id") or "" for c in calls]
            answers = [p["text"] for p in parsed if p.get("action") == "answer"]
            return self._turn(actions, message, computer_use=parsed, **({"answer": answers[-1]} if answers else {}))

    def _convert(self, calls: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        if not calls:
            raise ActionConversionError("the reply has no tool call")
        actions: list[dict[str, Any]] = []
        parsed: list[dict[str, Any]] = []
        for call in calls:
            fn = call.get("function") or {}
            if fn.get("name") != TOOL_NAME:
                raise ActionConversionError(f"unknown tool {fn.get('name')!r}; the only tool is {TOOL_NAME}")
            args = parse_arguments(fn.get("arguments"), TOOL_NAME)
            assert self.space is not None
            converted = qwen_to_env(args, self.space)
            parsed.append(args)
            actions.extend(converted)
            if converted and converted[-1]["action_type"] in ("DONE", "FAIL"):
                break  # nothing after the end of the task is executed
        return actions, parsed


class OpenAIComputerAgent(_ComputerAgent):
    """The Responses API with the built-in ``computer`` tool (GPT-5.4-mini)."""

    TOOLS = [{"type": "computer"}]

    def __init__(self, entry, settings: AgentSettings, task: TaskInfo, spec: AgentSpec):
        super().__init__(entry, settings, task, spec)
        self.previous_id: str | None = None
        self.history: list[dict[str, Any]] = []       # every item, for responses_state="client"
        self.pending: list[dict[str, Any]] = []       # computer_call items awaiting output
        self.safety_checks: list[dict[str, Any]] = []

    def _screenshot_output(self, url: str, extra_text: str | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for call in self.pending:
            item = {"type": "computer_call_output", "call_id": call["call_id"],
                    "output": {"type": "computer_screenshot", "image_url": url}}
            if call.get("pending_safety_checks"):
                item["acknowledged_safety_checks"] = call["pending_safety_checks"]
            items.append(item)
        self.pending = []
        if extra_text:
            items.append({"role": "user", "content": extra_text})
        return items

    def _input(self, new_items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.history.extend(new_items)
        if self.settings.responses_state == "server" and self.previous_id:
            return new_items
        return _keep_last_screenshots(self.history, self.settings.max_images)

    async def _act(self, observation: Any) -> AgentTurn:
        shot = screenshot_of(observation)
        url = png_data_url(encode_png(shot))
        w, h = self.screen(shot)
        scale = w / shot.shape[1]
        if not self.history:
            new = [{"role": "user", "content": [{"type": "input_text", "text": self.instruction},
                                                {"type": "input_image", "image_url": url}]}]
        else:
            errors = self._take_action_errors()
            new = self._screenshot_output(url, f"Some actions failed: {errors}" if errors else None)
        confirmations = 0
        while True:
            items = self._input(new)
            # truncation="auto" is the Responses API's own trimming: an overflow past it is final.
            result = await self._call(lambda: self.client.respond(
                items, self.TOOLS, instructions=OPENAI_INSTRUCTIONS,
                previous_response_id=self.previous_id if self.settings.responses_state == "server" else None,
                reasoning_effort=self.settings.reasoning_effort, truncation="auto"))
            self.previous_id = result.response_id
            self.history.extend(result.output)
            calls = [o for o in result.output if o.get("type") == "computer_call"]
            message = result.message
            if not calls:
                text = (message.get("content") or "").strip()
                if not text:  # e.g. status "incomplete": the output budget went on reasoning
                    status = (result.calls[-1].raw_response or {}).get("status")
                    if not self._agent_error(f"the reply has neither a computer action nor a message "
                                             f"(response status {status})"):
                        return self._give_up(message)
                    new = [{"role": "user", "content": CONTINUE}]
                    continue
                if text.endswith("?") and confirmations < self.settings.max_corrections:
                    confirmations += 1
                    self._note("confirmations", text)
                    new = [{"role": "user", "content": CONTINUE}]
                    continue
                infeasible = text.upper().startswith("INFEASIBLE")
                return self._turn([{"action_type": "FAIL" if infeasible else "DONE"}], message, final_message=text)
            self.pending = calls
            try:
                actions = []
                for call in calls:
                    batch = call.get("actions") or ([call["action"]] if call.get("action") else [])
                    actions.extend(openai_actions_to_env(batch, scale=scale, screen=(w, h)))
                    self.safety_checks.extend(call.get("pending_safety_checks") or [])
            except ActionConversionError as exc:
                new = self._screenshot_output(url, f"Your last actions could not be executed: {exc}")
                if not self._agent_error(str(exc)):
                    return self._give_up(message)
                continue
            self.corrections_in_a_row = 0
            if not actions:  # only "screenshot" requests: answer with the current screen
                new = self._screenshot_output(url)
                continue
            checks = [c for call in calls for c in call.get("pending_safety_checks") or []]
            return self._turn(actions, message, computer_actions=[call.get("actions") for call in calls],
                              **({"safety_checks_acknowledged": checks} if checks else {}))


_BLANK = png_data_url(encode_png(np.zeros((8, 8, 3), np.uint8)))


def _keep_last_screenshots(items: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """A copy of the input with all but the last n screenshots replaced by a blank image.

    Only for responses_state="client": a computer_call_output must always carry an image.
    """
    out = json.loads(json.dumps(items))
    seen = 0
    for item in reversed(out):
        if item.get("type") == "computer_call_output":
            seen += 1
            if seen > n:
                item["output"]["image_url"] = _BLANK
        elif item.get("role") == "user" and isinstance(item.get("content"), list):
            for part in item["content"]:
                if part.get("type") == "input_image":
                    seen += 1
                    if seen > n:
                        part["image_url"] = _BLANK
    return out
