"""Qwen's ``computer_use`` function: schema, prompts, and conversion to/from env actions.

The schema follows the Qwen2.5-VL / Qwen3-VL computer-use cookbook (Qwen-Agent's
``computer_use`` tool). vLLM's ``qwen3_coder`` parser turns Qwen's XML tool calls into OpenAI
``tool_calls`` whose ``arguments`` are these dicts. Env actions are OSWorld computer_13 dicts
in screen pixels (see docs/architecture.md, "Action JSON forms").
"""
from __future__ import annotations

from typing import Any

from agents.formats.computer13 import ActionConversionError, flat_params
from agents.formats.coords import CoordinateSpace
from agents.formats.keys import UnknownKeyError, env_key, split_combo

TOOL_NAME = "computer_use"

QWEN_ACTIONS = (
    "key", "type", "mouse_move", "left_click", "left_click_drag", "right_click", "middle_click",
    "double_click", "triple_click", "scroll", "hscroll", "wait", "terminate", "answer",
)

SYSTEM_PROMPT = "You are a helpful assistant."
# The texts of the live Qwen agent's conversation (agents/computer_agent.py); exporters use the
# same ones so that training data looks exactly like what the model sees at run time.
TASK_PROMPT = ("Task: {instruction}\n\nThis is the current screenshot. Use the computer_use tool to act; "
               "call it with action=terminate (status success or failure) when the task is finished "
               "or cannot be done.")
AFTER_ACTION = "The screenshot after your action."
EXECUTED = "The action was executed."
OMITTED_SCREENSHOT = "[an earlier screenshot, omitted to save context]"
CORRECTION = "Your last reply could not be executed: {error}. Reply with one computer_use tool call."

_ACTION_DOC = """The action to perform. The available actions are:
* `key`: Performs key down presses on the arguments passed in order, then performs key releases in reverse order.
* `type`: Type a string of text on the keyboard.
* `mouse_move`: Move the cursor to a specified (x, y) pixel coordinate on the screen.
* `left_click`: Click the left mouse button at a specified (x, y) pixel coordinate on the screen.
* `left_click_drag`: Click and drag the cursor to a specified (x, y) pixel coordinate on the screen.
* `right_click`: Click the right mouse button at a specified (x, y) pixel coordinate on the screen.
* `middle_click`: Click the middle mouse button at a specified (x, y) pixel coordinate on the screen.
* `double_click`: Double-click the left mouse button at a specified (x, y) pixel coordinate on the screen.
* `triple_click`: Triple-click the left mouse button at a specified (x, y) pixel coordinate on the screen.
* `scroll`: Performs a scroll of the mouse scroll wheel.
* `hscroll`: Performs a horizontal scroll of the mouse scroll wheel.
* `wait`: Wait specified seconds for the change to happen.
* `terminate`: Terminate the current task and report its completion status.
* `answer`: Answer a question."""


def computer_use_tool(space: CoordinateSpace) -> dict[str, Any]:
    """The ``computer_use`` function as an OpenAI function tool (what vLLM renders for Qwen)."""
    description = (
        "Use a mouse and keyboard to interact with a computer, and take screenshots.\n"
        "* This is an interface to a desktop GUI. You do not have access to a terminal or "
        "applications menu. You must click on desktop icons to start applications.\n"
        "* Some applications may take time to start or process actions, so you may need to wait "
        "and take successive screenshots to see the results of your actions.\n"
        f"* The screen's resolution is {space.model_width}x{space.model_height}.\n"
        "* Whenever you intend to move the cursor to click on an element like an icon, you should "
        "consult a screenshot to determine the coordinates of the element before moving the cursor.\n"
        "* Make sure to click any buttons, links, icons, etc with the cursor tip in the center of "
        "the element. Don't click boxes on their edges unless asked."
    )
    return {"type": "function", "function": {
        "name": TOOL_NAME,
        "description": description,
        "parameters": {
            "type": "object",
            "required": ["action"],
            "properties": {
                "action": {"type": "string", "enum": list(QWEN_ACTIONS), "description": _ACTION_DOC},
                "keys": {"type": "array", "description": "Required only by `action=key`."},
                "text": {"type": "string", "description": "Required only by `action=type` and `action=answer`."},
                "coordinate": {"type": "array", "description": "(x, y): The x (pixels from the left edge) and y (pixels from the top edge) coordinates to move the mouse to."},
                "pixels": {"type": "number", "description": "The amount of scrolling to perform. Positive values scroll up, negative values scroll down. Required only by `action=scroll` and `action=hscroll`."},
                "time": {"type": "number", "description": "The seconds to wait. Required only by `action=wait`."},
                "status": {"type": "string", "enum": ["success", "failure"], "description": "The status of the task. Required only by `action=terminate`."},
            },
        },
    }}


def _point(args: dict[str, Any], space: CoordinateSpace, key: str = "coordinate") -> tuple[int, int] | None:
    c = args.get(key)
    if c is None:
        return None
    if isinstance(c, str):  # a parser may leave "[500, 300]" or "500, 300" as text
        c = [p for p in c.strip("[]() ").replace(",", " ").split() if p]
    if not isinstance(c, (list, tuple)) or len(c) != 2:
        raise ActionConversionError(f"`{key}` must be [x, y], got {args.get(key)!r}")
    try:
        return space.to_screen(float(c[0]), float(c[1]))
    except (TypeError, ValueError) as exc:
        raise ActionConversionError(f"`{key}` must hold two numbers, got {args.get(key)!r}") from exc


def _number(args: dict[str, Any], key: str, default: float | None = None) -> float:
    v = args.get(key, default)
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ActionConversionError(f"`{key}` must be a number, got {v!r}") from exc


def _with_point(action: dict[str, Any], pt: tuple[int, int] | None) -> dict[str, Any]:
    if pt is not None:
        action["x"], action["y"] = pt
    return action


def qwen_to_env(args: dict[str, Any], space: CoordinateSpace) -> list[dict[str, Any]]:
    """One ``computer_use`` call -> computer_13 env actions (in order).

    ``terminate`` maps to DONE (status success) or FAIL; ``answer`` to DONE (the answer text
    is the caller's to keep). Raises ActionConversionError on anything malformed.
    """
    if not isinstance(args, dict):
        raise ActionConversionError(f"arguments must be an object, got {type(args).__name__}")
    action = args.get("action")
    if action not in QWEN_ACTIONS:
        raise ActionConversionError(
            f"unknown action {action!r}; use one of: {', '.join(QWEN_ACTIONS)}")
    pt = _point(args, space)
    if action == "key":
        keys = args.get("keys")
        if isinstance(keys, str):
            keys = split_combo(keys)
        if not isinstance(keys, list) or not keys:
            raise ActionConversionError("`key` needs `keys`, a non-empty list of key names")
        try:
            names = [env_key(str(k)) for k in keys]
        except UnknownKeyError as exc:
            raise ActionConversionError(str(exc)) from exc
        if len(names) == 1:
            return [{"action_type": "PRESS", "key": names[0]}]
        return [{"action_type": "HOTKEY", "keys": names}]
    if action == "type":
        text = args.get("text")
        if not isinstance(text, str):
            raise ActionConversionError("`type` needs `text`, a string")
        return [{"action_type": "TYPING", "text": text}]
    if action == "mouse_move":
        if pt is None:
            raise ActionConversionError("`mouse_move` needs `coordinate`")
        return [_with_point({"action_type": "MOVE_TO"}, pt)]
    if action == "left_click_drag":
        if pt is None:
            raise ActionConversionError("`left_click_drag` needs `coordinate`")
        start = _point(args, space, "start_coordinate")
        out = [_with_point({"action_type": "MOVE_TO"}, start)] if start else []
        return out + [_with_point({"action_type": "DRAG_TO"}, pt)]
    clicks = {"left_click": ("left", 1), "middle_click": ("middle", 1), "triple_click": ("left", 3)}
    if action in clicks:
        button, n = clicks[action]
        return [_with_point({"action_type": "CLICK", "button": button, "num_clicks": n}, pt)]
    if action == "right_click":
        return [_with_point({"action_type": "RIGHT_CLICK"}, pt)]
    if action == "double_click":
        return [_with_point({"action_type": "DOUBLE_CLICK"}, pt)]
    if action in ("scroll", "hscroll"):
        amount = round(_number(args, "pixels"))
        out = [_with_point({"action_type": "MOVE_TO"}, pt)] if pt else []
        dx, dy = (amount, 0) if action == "hscroll" else (0, amount)
        return out + [{"action_type": "SCROLL", "dx": dx, "dy": dy}]
    if action == "wait":
        return [{"action_type": "WAIT", "seconds": max(0.0, _number(args, "time", 1.0))}]
    if action == "terminate":
        status = args.get("status", "success")
        if status not in ("success", "failure"):
            raise ActionConversionError("`terminate` needs `status`: 'success' or 'failure'")
        return [{"action_type": "DONE" if status == "success" else "FAIL"}]
    return [{"action_type": "DONE"}]  # answer


def _coord(p: dict[str, Any], space: CoordinateSpace) -> dict[str, Any]:
    if p.get("x") is None or p.get("y") is None:
        return {}
    return {"coordinate": list(space.from_screen(p["x"], p["y"]))}


def env_to_qwen(action: dict[str, Any], space: CoordinateSpace) -> list[dict[str, Any]]:
    """One computer_13 env action -> ``computer_use`` call arguments (for training data).

    MOUSE_DOWN/UP, KEY_DOWN/UP and PYAUTOGUI have no computer_use counterpart and raise
    ActionConversionError, so an exporter can skip or flag such trajectories.
    """
    kind = str(action.get("action_type", "")).upper()
    p = flat_params(action)
    if kind == "MOVE_TO":
        return [{"action": "mouse_move", **_coord(p, space)}]
    if kind == "CLICK":
        button, n = p.get("button", "left"), int(p.get("num_clicks", 1) or 1)
        if button == "right":
            name = "right_click"
        elif button == "middle":
            name = "middle_click"
        else:
            name = {1: "left_click", 2: "double_click", 3: "triple_click"}.get(n)
            if name is None:
                raise ActionConversionError(f"CLICK with num_clicks={n} has no computer_use form")
        return [{"action": name, **_coord(p, space)}]
    if kind in ("RIGHT_CLICK", "DOUBLE_CLICK"):
        return [{"action": kind.lower(), **_coord(p, space)}]
    if kind == "DRAG_TO":
        return [{"action": "left_click_drag", **_coord(p, space)}]
    if kind == "SCROLL":
        calls = []
        if p.get("dy"):
            calls.append({"action": "scroll", "pixels": int(p["dy"]), **_coord(p, space)})
        if p.get("dx"):
            calls.append({"action": "hscroll", "pixels": int(p["dx"]), **_coord(p, space)})
        return calls
    if kind == "TYPING":
        return [{"action": "type", "text": str(p.get("text", ""))}]
    if kind == "PRESS":
        return [{"action": "key", "keys": [p["key"]]}]
    if kind == "HOTKEY":
        return [{"action": "key", "keys": list(p["keys"])}]
    if kind == "WAIT":
        return [{"action": "wait", "time": float(p.get("seconds", 1.0))}]
    if kind == "DONE":
        return [{"action": "terminate", "status": "success"}]
    if kind == "FAIL":
        return [{"action": "terminate", "status": "failure"}]
    raise ActionConversionError(f"{kind or action!r} has no computer_use counterpart")
