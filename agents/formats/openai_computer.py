"""OpenAI's built-in ``computer`` tool (Responses API) <-> computer_13 env actions.

A ``computer_call`` carries a batch of ``actions`` (click, double_click, drag, keypress, move,
screenshot, scroll, type, wait) in pixels of the screenshot the model was sent. They become
env actions in order; keys held during a pointer action become KEY_DOWN … KEY_UP around it.
"""
from __future__ import annotations

from typing import Any

from agents.formats.keys import UnknownKeyError, env_key
from agents.formats.computer13 import ActionConversionError, flat_params

OPENAI_ACTIONS = ("click", "double_click", "drag", "keypress", "move", "screenshot", "scroll", "type", "wait")
# OpenAI's scroll distances are pixels; a wheel notch scrolls about this many.
SCROLL_PX_PER_CLICK = 100
WAIT_SECONDS = 1.0
_BUTTONS = {"left": "left", "right": "right", "wheel": "middle", "middle": "middle"}


def _xy(a: dict[str, Any], scale: float, screen: tuple[int, int] | None) -> tuple[int, int]:
    try:
        x, y = round(float(a["x"]) * scale), round(float(a["y"]) * scale)
    except (KeyError, TypeError, ValueError) as exc:
        raise ActionConversionError(f"{a.get('type')} needs numeric x and y, got {a!r}") from exc
    if screen is not None:
        x, y = max(0, min(screen[0] - 1, x)), max(0, min(screen[1] - 1, y))
    return x, y


def _keys(names: Any) -> list[str]:
    if names is None:
        return []
    if not isinstance(names, list):
        raise ActionConversionError(f"keys must be a list, got {names!r}")
    # The computer tool spells every key in capitals ("CTRL", "A"): a letter in a combination
    # is the plain key, not a shifted one.
    if len(names) > 1:
        names = [k.lower() if isinstance(k, str) and len(k) == 1 else k for k in names]
    try:
        return [env_key(str(k)) for k in names]
    except UnknownKeyError as exc:
        raise ActionConversionError(str(exc)) from exc


def _holding(keys: list[str], inner: list[dict[str, Any]]) -> list[dict[str, Any]]:
    down = [{"action_type": "KEY_DOWN", "key": k} for k in keys]
    up = [{"action_type": "KEY_UP", "key": k} for k in reversed(keys)]
    return down + inner + up


def openai_action_to_env(a: dict[str, Any], scale: float = 1.0,
                         screen: tuple[int, int] | None = None) -> list[dict[str, Any]]:
    """One computer action -> env actions. `scale` = screen px per screenshot px."""
    kind = a.get("type")
    if kind == "click":
        button = _BUTTONS.get(a.get("button", "left"))
        if button is None:
            raise ActionConversionError(f"mouse button {a.get('button')!r} is not supported; "
                                        "use left, right or wheel")
        x, y = _xy(a, scale, screen)
        inner = [{"action_type": "RIGHT_CLICK", "x": x, "y": y} if button == "right" else
                 {"action_type": "CLICK", "x": x, "y": y, "button": button, "num_clicks": 1}]
        return _holding(_keys(a.get("keys")), inner)
    if kind == "double_click":
        x, y = _xy(a, scale, screen)
        return _holding(_keys(a.get("keys")), [{"action_type": "DOUBLE_CLICK", "x": x, "y": y}])
    if kind == "move":
        x, y = _xy(a, scale, screen)
        return _holding(_keys(a.get("keys")), [{"action_type": "MOVE_TO", "x": x, "y": y}])
    if kind == "drag":
        path = a.get("path")
        if not isinstance(path, list) or len(path) < 2:
            raise ActionConversionError("drag needs a path of at least two points")
        pts = [_xy({"type": "drag", **p}, scale, screen) if isinstance(p, dict) else
               _xy({"type": "drag", "x": p[0], "y": p[1]}, scale, screen) for p in path]
        if len(pts) == 2:
            inner = [{"action_type": "MOVE_TO", "x": pts[0][0], "y": pts[0][1]},
                     {"action_type": "DRAG_TO", "x": pts[1][0], "y": pts[1][1]}]
        else:
            inner = ([{"action_type": "MOVE_TO", "x": pts[0][0], "y": pts[0][1]},
                      {"action_type": "MOUSE_DOWN", "button": "left"}]
                     + [{"action_type": "MOVE_TO", "x": x, "y": y} for x, y in pts[1:]]
                     + [{"action_type": "MOUSE_UP", "button": "left"}])
        return _holding(_keys(a.get("keys")), inner)
    if kind == "keypress":
        keys = _keys(a.get("keys"))
        if not keys:
            raise ActionConversionError("keypress needs a non-empty keys list")
        return [{"action_type": "PRESS", "key": keys[0]}] if len(keys) == 1 else \
            [{"action_type": "HOTKEY", "keys": keys}]
    if kind == "scroll":
        x, y = _xy(a, scale, screen)
        sx, sy = float(a.get("scroll_x") or 0), float(a.get("scroll_y") or 0)

        def clicks(px: float) -> int:
            n = round(abs(px) / SCROLL_PX_PER_CLICK) or (1 if px else 0)
            return n if px > 0 else -n
        # OpenAI: positive scroll_y scrolls down; computer_13 (pyautogui): positive dy scrolls up.
        scroll = {"action_type": "SCROLL", "dx": clicks(sx), "dy": -clicks(sy)}
        return _holding(_keys(a.get("keys")), [{"action_type": "MOVE_TO", "x": x, "y": y}, scroll])
    if kind == "type":
        if not isinstance(a.get("text"), str):
            raise ActionConversionError("type needs text, a string")
        return [{"action_type": "TYPING", "text": a["text"]}]
    if kind == "wait":
        return [{"action_type": "WAIT", "seconds": WAIT_SECONDS}]
    if kind == "screenshot":
        return []  # the next observation is the screenshot
    raise ActionConversionError(f"unknown computer action {kind!r}; known: {', '.join(OPENAI_ACTIONS)}")


def openai_actions_to_env(actions: list[dict[str, Any]], scale: float = 1.0,
                          screen: tuple[int, int] | None = None) -> list[dict[str, Any]]:
    """A computer_call's batched actions -> env actions, in order."""
    out: list[dict[str, Any]] = []
    for a in actions:
        out.extend(openai_action_to_env(a, scale, screen))
    return out


def env_to_openai(action: dict[str, Any], scale: float = 1.0) -> list[dict[str, Any]] | None:
    """A computer_13 env action -> OpenAI computer actions; None for DONE/FAIL (end of turn).

    `scale` = screen px per screenshot px (the inverse of `openai_actions_to_env`'s).
    """
    kind = str(action.get("action_type", "")).upper()
    p = flat_params(action)

    def xy() -> dict[str, int]:
        if p.get("x") is None or p.get("y") is None:
            raise ActionConversionError(f"{kind} without x/y has no computer-tool counterpart")
        return {"x": round(p["x"] / scale), "y": round(p["y"] / scale)}
    if kind in ("DONE", "FAIL"):
        return None
    if kind == "MOVE_TO":
        return [{"type": "move", **xy()}]
    if kind == "CLICK":
        button = {"middle": "wheel"}.get(p.get("button", "left"), p.get("button", "left"))
        n = int(p.get("num_clicks", 1) or 1)
        if n == 2:
            return [{"type": "double_click", **xy()}]
        return [{"type": "click", "button": button, **xy()} for _ in range(n)]
    if kind == "RIGHT_CLICK":
        return [{"type": "click", "button": "right", **xy()}]
    if kind == "DOUBLE_CLICK":
        return [{"type": "double_click", **xy()}]
    if kind == "TYPING":
        return [{"type": "type", "text": p["text"]}]
    if kind == "PRESS":
        return [{"type": "keypress", "keys": [p["key"].upper()]}]
    if kind == "HOTKEY":
        return [{"type": "keypress", "keys": [k.upper() for k in p["keys"]]}]
    if kind == "WAIT":
        return [{"type": "wait"}]
    if kind == "SCROLL":
        return [{"type": "scroll", "x": round(p.get("x", 0) / scale), "y": round(p.get("y", 0) / scale),
                 "scroll_x": int(p.get("dx", 0)) * SCROLL_PX_PER_CLICK,
                 "scroll_y": -int(p.get("dy", 0)) * SCROLL_PX_PER_CLICK}]
    raise ActionConversionError(f"{kind or action!r} has no computer-tool counterpart")
