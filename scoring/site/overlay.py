"""What to draw on a screenshot for one computer action: click markers, drag paths, typed text.

Actions are OSWorld computer_13 dicts (parameters flat or under "parameters"); PYAUTOGUI code is
read with `ast` (never executed) to find literal coordinates and text. Coordinates are screen
pixels, the same space as the screenshot. A click without coordinates happens where the pointer
is, so the pointer position is carried from one action to the next.
"""
from __future__ import annotations

import ast
import math
from typing import Any, Literal

from pydantic import BaseModel

ShapeKind = Literal["click", "move", "drag", "scroll", "text", "key", "note"]


class Shape(BaseModel):
    kind: ShapeKind
    x: float | None = None
    y: float | None = None
    x2: float | None = None      # drag end
    y2: float | None = None
    dx: float = 0.0              # scroll direction on screen: +1 right / −1 left
    dy: float = 0.0              # +1 down / −1 up (pyautogui: positive clicks scroll up)
    label: str = ""              # e.g. "×2", "right", the text typed, the keys pressed


Pointer = tuple[float, float] | None

_CLICKS = {"CLICK": "", "RIGHT_CLICK": "right", "DOUBLE_CLICK": "×2", "MOUSE_DOWN": "down", "MOUSE_UP": "up"}


def _num(value: Any) -> float | None:
    """A finite number from an int, float or numeric string; None otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _params(action: dict[str, Any]) -> dict[str, Any]:
    params = action.get("parameters")
    merged = dict(params) if isinstance(params, dict) else {}
    merged.update({k: v for k, v in action.items() if k != "parameters"})
    return merged


def shapes_for(action: dict[str, Any] | None, pointer: Pointer) -> tuple[list[Shape], Pointer]:
    """Shapes for one action and the pointer position after it."""
    if not isinstance(action, dict):
        return [], pointer
    p = _params(action)
    kind = str(p.get("action_type", "")).upper()
    x, y = _num(p.get("x")), _num(p.get("y"))
    at: Pointer = (x, y) if x is not None and y is not None else pointer
    if kind in _CLICKS:
        label = _CLICKS[kind]
        if kind == "CLICK":
            clicks = int(_num(p.get("num_clicks")) or 1)
            button = str(p.get("button") or "left")
            label = " ".join(part for part in (button if button != "left" else "",
                                               f"×{clicks}" if clicks > 1 else "") if part)
        return ([Shape(kind="click", x=at[0], y=at[1], label=label)] if at else []), at
    if kind == "MOVE_TO":
        return ([Shape(kind="move", x=at[0], y=at[1])] if at else []), at
    if kind == "DRAG_TO":
        if at is None:
            return [], pointer
        if pointer is None:
            return [Shape(kind="click", x=at[0], y=at[1], label="drag end")], at
        return [Shape(kind="drag", x=pointer[0], y=pointer[1], x2=at[0], y2=at[1])], at
    if kind == "SCROLL":
        dx, dy = _num(p.get("dx")) or 0.0, _num(p.get("dy")) or 0.0
        if at is None:
            return [Shape(kind="note", label=f"scroll dx={dx:g} dy={dy:g}")], pointer
        return [Shape(kind="scroll", x=at[0], y=at[1], dx=_sign(dx), dy=-_sign(dy),
                      label=f"dx={dx:g} dy={dy:g}")], at
    if kind == "TYPING":
        # Make keys that type invisibly visible (the exact text stays in the action JSON).
        text = str(p.get("text", "")).replace("\n", "⏎").replace("\t", "⇥")
        return [Shape(kind="text", label=text)], pointer
    if kind in ("PRESS", "KEY_DOWN", "KEY_UP"):
        return [Shape(kind="key", label=f"{kind.lower()} {p.get('key', '')}")], pointer
    if kind == "HOTKEY":
        keys = p.get("keys")
        text = "+".join(str(k) for k in keys) if isinstance(keys, list) else str(keys)
        return [Shape(kind="key", label=text)], pointer
    if kind == "PYAUTOGUI":
        return _pyautogui_shapes(str(p.get("code", "")), pointer)
    if kind:
        return [Shape(kind="note", label=kind)], pointer
    return [], pointer


_PYAUTOGUI = {
    "click": "CLICK", "leftclick": "CLICK", "doubleclick": "DOUBLE_CLICK", "tripleclick": "CLICK",
    "rightclick": "RIGHT_CLICK", "moveto": "MOVE_TO", "dragto": "DRAG_TO", "mousedown": "MOUSE_DOWN",
    "mouseup": "MOUSE_UP", "write": "TYPING", "typewrite": "TYPING", "press": "PRESS",
    "hotkey": "HOTKEY", "scroll": "SCROLL", "hscroll": "SCROLL", "keydown": "KEY_DOWN", "keyup": "KEY_UP",
}


def _literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def _pyautogui_shapes(code: str, pointer: Pointer) -> tuple[list[Shape], Pointer]:
    """Map literal pyautogui calls onto computer_13 actions for drawing (the code is never run)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return [Shape(kind="note", label="pyautogui (unparsable)")], pointer
    shapes: list[Shape] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        kind = _PYAUTOGUI.get(node.func.attr.lower())
        if kind is None:
            continue
        args = [_literal(a) for a in node.args]
        kw = {k.arg: _literal(k.value) for k in node.keywords if k.arg}
        action: dict[str, Any] = {"action_type": kind}
        if kind == "TYPING":
            action["text"] = args[0] if args else kw.get("message", "")
        elif kind in ("PRESS", "KEY_DOWN", "KEY_UP"):
            action["key"] = args[0] if args else kw.get("keys", "")
        elif kind == "HOTKEY":
            action["keys"] = [a for a in args if isinstance(a, str)]
        elif kind == "SCROLL":
            amount = args[0] if args else kw.get("clicks", 0)
            action["dy" if node.func.attr.lower() == "scroll" else "dx"] = amount
            action["x"] = args[1] if len(args) > 1 else kw.get("x")
            action["y"] = args[2] if len(args) > 2 else kw.get("y")
        else:
            action["x"] = args[0] if args else kw.get("x")
            action["y"] = args[1] if len(args) > 1 else kw.get("y")
            if node.func.attr.lower() == "tripleclick":
                action["num_clicks"] = 3
        new, pointer = shapes_for(action, pointer)
        shapes.extend(new)
    return shapes, pointer


def describe(action: dict[str, Any] | None) -> str:
    """A one-line summary of an action for headings (plain text; escaped by the template)."""
    if not isinstance(action, dict):
        return "no action"
    if action.get("type") == "tool_call":
        return f"tool call {action.get('name', '?')}"
    if action.get("type") == "message":
        return "message to the user"
    p = _params(action)
    kind = str(p.get("action_type", "?"))
    if "x" in p and "y" in p:
        return f"{kind} ({p.get('x')}, {p.get('y')})"
    for key in ("text", "key", "keys", "code", "seconds"):
        if key in p:
            value = str(p[key])
            return f"{kind} {value[:60]}{'…' if len(value) > 60 else ''}"
    return kind
