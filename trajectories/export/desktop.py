"""Desktop (osworld-lite) episodes -> Qwen3.5 ``computer_use`` conversations.

Whatever model produced the trajectory, the executed env actions (computer_13, screen pixels)
are re-expressed as the calls Qwen itself would make (`agents.formats.env_to_qwen`, on the
chosen coordinate convention), so a GPT-5.4-mini trajectory teaches Qwen its own format.

The layout is the one the Qwen computer-use agent (agents/computer_agent.py) sends to vLLM:

    system     SYSTEM_PROMPT                        tools = [computer_use]
    user       [TASK_PROMPT(instruction), screenshot]
    assistant  reasoning_content?, content, tool_calls = the turn's computer_use calls
    tool       "The action was executed." / "Error: …"   (one per call)
    user       [screenshot after the turn, AFTER_ACTION]
    …          until the last assistant turn (terminate / answer)

A turn is one model reply: the steps from one recorded agent model call up to the next (a
GPT-5.4-mini batch of actions becomes one reply with several calls); episodes without model
calls (baselines) have one turn per step.
"""
from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from agents.formats import (
    AFTER_ACTION, EXECUTED, OMITTED_SCREENSHOT, SYSTEM_PROMPT, TASK_PROMPT, TOOL_NAME,
    ActionConversionError, CoordinateSpace, computer_use_tool, env_to_qwen, flat_params,
)
from trajectories.export.sample import EpisodeData, Sample, trim_to_last_assistant
from trajectories.records import StepRecord

# The live Qwen agent's texts (shared through agents.formats), under the names used here.
QWEN_TASK, OMITTED = TASK_PROMPT, OMITTED_SCREENSHOT


class ConversionError(ValueError):
    """An episode that cannot be expressed in the target format (skipped, with this reason)."""


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ConversionError("screenshot artifact is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def screen_size(step: StepRecord, meta_options: dict[str, Any], read: Callable[[str], bytes]) -> tuple[int, int]:
    shot = step.observation.get("screenshot")
    if isinstance(shot, dict) and isinstance(shot.get("shape"), list) and len(shot["shape"]) >= 2:
        return int(shot["shape"][1]), int(shot["shape"][0])
    if meta_options.get("screen_width") and meta_options.get("screen_height"):
        return int(meta_options["screen_width"]), int(meta_options["screen_height"])
    sha = step.observation_artifacts.get("screenshot")
    if sha:
        return _png_size(read(sha))
    raise ConversionError("cannot tell the screen size: no screenshot in the first observation")


def _kind(action: dict[str, Any]) -> str:
    return str(action.get("action_type", "")).upper()


def _calls_for(actions: list[dict[str, Any]], space: CoordinateSpace) -> list[dict[str, Any]]:
    """computer_use arguments for one step's action, or for a MOUSE_DOWN…MOUSE_UP drag."""
    first = actions[0]
    if _kind(first) == "MOUSE_DOWN":
        # A drag spelled out (OpenAI multi-point drags): Qwen's left_click_drag drags from the
        # pointer's position to the last point the pointer moved to.
        moves = [a for a in actions if _kind(a) in ("MOVE_TO", "DRAG_TO")]
        if flat_params(first).get("button", "left") != "left" or not moves:
            raise ConversionError("a mouse press without a left-button drag has no computer_use form")
        end = flat_params(moves[-1])
        return [{"action": "left_click_drag", "coordinate": list(space.from_screen(end["x"], end["y"]))}]
    try:
        return env_to_qwen(first, space)
    except (ActionConversionError, KeyError, TypeError, ValueError) as exc:
        raise ConversionError(f"step action {_kind(first) or first!r}: {exc}") from exc


def _group(steps: list[StepRecord]) -> list[list[StepRecord]]:
    """A turn's steps grouped into what becomes one computer_use call (a drag spans several)."""
    groups: list[list[StepRecord]] = []
    open_drag: list[StepRecord] | None = None
    for step in steps:
        if step.action is None:
            continue
        kind = _kind(step.action)
        if open_drag is not None:
            open_drag.append(step)
            if kind == "MOUSE_UP":
                groups.append(open_drag)
                open_drag = None
            elif kind not in ("MOVE_TO", "DRAG_TO"):
                raise ConversionError(f"{kind} during a mouse drag has no computer_use form")
            continue
        if kind == "MOUSE_DOWN":
            open_drag = [step]
        else:
            groups.append([step])
    if open_drag is not None:
        raise ConversionError("the episode ends with the mouse button held down")
    return groups


def _reasoning(step: StepRecord) -> str | None:
    value = step.agent_output.get("reasoning")
    return value if isinstance(value, str) and value.strip() else None


def _text(step: StepRecord) -> str:
    value = step.agent_output.get("text")
    return value if isinstance(value, str) else ""


def _starts_turn(step: StepRecord) -> bool:
    return any(call.role == "agent" for call in step.model_calls)


def _turns(steps: list[StepRecord]) -> list[list[StepRecord]]:
    """Action steps grouped by the model reply that produced them."""
    by_model = any(_starts_turn(s) for s in steps)
    turns: list[list[StepRecord]] = []
    holding = False   # a MOUSE_DOWN … MOUSE_UP drag is one call, whichever turns it spans
    for step in steps:
        if step.action is None:
            continue
        if not turns or (not holding and (not by_model or _starts_turn(step))):
            turns.append([step])
        else:
            turns[-1].append(step)
        kind = _kind(step.action)
        holding = kind == "MOUSE_DOWN" or (holding and kind != "MOUSE_UP")
    return turns


def _assistant(step: StepRecord, tool_calls: list[dict[str, Any]] | None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": _text(step)}
    reasoning = _reasoning(step)
    if reasoning:
        message["reasoning_content"] = reasoning
    if tool_calls:
        message["tool_calls"] = tool_calls
    return message


def _turn_calls(turn: list[StepRecord], space: CoordinateSpace) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    for group in _group(turn):
        args_list = _calls_for([s.action for s in group if s.action is not None], space)
        answer = turn[0].agent_output.get("answer")   # the reply's output sits on its first step
        if args_list and args_list[-1] == {"action": "terminate", "status": "success"} and isinstance(answer, str):
            args_list[-1] = {"action": "answer", "text": answer}   # Qwen's answer ends the task too
        calls.extend(args_list)
        if args_list and args_list[-1]["action"] in ("terminate", "answer"):
            break   # nothing after the end of the task was executed
    return calls


def _errors(turn: list[StepRecord]) -> str:
    """The env's complaints in the turn, worded as the agent reports them."""
    return "; ".join(f"{s.action.get('action_type', s.action)}: {s.info['action_error']}"
                     for s in turn if s.action is not None and s.info.get("action_error"))


def desktop_sample(episode: EpisodeData, read: Callable[[str], bytes],
                   coordinates: str = "relative") -> Sample:
    steps = sorted(episode.steps, key=lambda s: s.index)
    if not steps or steps[0].action is not None:
        raise ConversionError("the episode has no initial observation (step 0)")
    first = steps[0]
    shot0 = first.observation_artifacts.get("screenshot")
    if not shot0:
        raise ConversionError("the initial observation has no screenshot")
    width, height = screen_size(first, episode.meta.env_options, read)
    space = CoordinateSpace(width, height, coordinates)  # type: ignore[arg-type]
    instruction = str(first.observation.get("instruction") or "")
    if not instruction:
        raise ConversionError("the initial observation has no instruction")

    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": [{"type": "text", "text": QWEN_TASK.format(instruction=instruction)},
                                     {"type": "image", "image": shot0}]},
    ]
    n_calls = 0
    for turn in _turns(steps[1:]):
        calls = _turn_calls(turn, space)
        if not calls:   # e.g. a zero scroll: nothing the model would have said
            continue
        tool_calls = []
        for args in calls:
            n_calls += 1
            tool_calls.append({"id": f"call_{n_calls}", "type": "function",
                               "function": {"name": TOOL_NAME, "arguments": args}})
        messages.append(_assistant(turn[0], tool_calls))
        if calls[-1]["action"] in ("terminate", "answer"):
            break
        errors = _errors(turn)
        result = f"Error: {errors}" if errors else EXECUTED
        messages.extend({"role": "tool", "tool_call_id": c["id"], "name": TOOL_NAME, "content": result}
                        for c in tool_calls)
        shot = turn[-1].observation_artifacts.get("screenshot")
        if shot:
            messages.append({"role": "user", "content": [{"type": "image", "image": shot},
                                                         {"type": "text", "text": AFTER_ACTION}]})
    # A closing reply without actions (the agent stopped talking): keep its words.
    closing = [s for s in steps[1:] if s.action is None and s.terminated and (_text(s) or _reasoning(s))]
    if closing and messages[-1]["role"] != "assistant":
        messages.append(_assistant(closing[-1], None))
    messages = trim_to_last_assistant(messages)
    if len(messages) < 3:
        raise ConversionError("the episode has no agent turn")
    return Sample(messages=messages, tools=[computer_use_tool(space)])
