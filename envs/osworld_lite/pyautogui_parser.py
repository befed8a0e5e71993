"""OSWorld's pyautogui action space, read safely: an AST whitelist mapped to computer_13 actions.

The code string is parsed with `ast` and never executed. Accepted: a sequence of expression
statements, each a call `pyautogui.<whitelisted>(...)` or `time.sleep(n)`, with literal
arguments only (numbers, strings, booleans, None, and lists/tuples of them). OSWorld's bare
`WAIT`, `DONE` and `FAIL` answers are accepted too. Everything else — imports, assignments,
names, loops, other attributes, nested calls, `exec` — is rejected with a reason.
"""
from __future__ import annotations

import ast
from typing import Any

from envs.osworld_lite.actions import ActionError

SPECIAL = {"WAIT": {"action_type": "WAIT"}, "DONE": {"action_type": "DONE"}, "FAIL": {"action_type": "FAIL"}}
MAX_STATEMENTS = 100


class PyAutoGuiError(ActionError):
    """Code outside the whitelist."""


def _literal(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool, type(None))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
            and isinstance(node.operand, ast.Constant) and isinstance(node.operand.value, (int, float)) \
            and not isinstance(node.operand.value, bool):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(e) for e in node.elts]
    raise PyAutoGuiError(f"only literal arguments are allowed, not {type(node).__name__} "
                         f"(line {getattr(node, 'lineno', '?')})")


def _bind(name: str, params: list[str], args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    if len(args) > len(params):
        raise PyAutoGuiError(f"pyautogui.{name}() takes at most {len(params)} positional arguments")
    bound = dict(zip(params, args, strict=False))  # fewer args than params: the rest stay unset
    for key, value in kwargs.items():
        if key not in params:
            raise PyAutoGuiError(f"pyautogui.{name}() has no argument {key!r}")
        if key in bound:
            raise PyAutoGuiError(f"pyautogui.{name}() got {key!r} twice")
        bound[key] = value
    return bound


def _point(b: dict[str, Any]) -> dict[str, Any]:
    x, y = b.get("x"), b.get("y")
    if isinstance(x, list):  # pyautogui.click((x, y))
        if len(x) != 2:
            raise PyAutoGuiError("a point must be (x, y)")
        x, y = x
    return {} if x is None and y is None else {"x": x, "y": y}


def _clicks(name: str, b: dict[str, Any], button: str | None = None, clicks: int | None = None) -> list[dict]:
    n = clicks if clicks is not None else b.get("clicks", 1)
    if not isinstance(n, int) or not 1 <= n <= 3:
        raise PyAutoGuiError(f"pyautogui.{name}(): clicks must be 1, 2 or 3")
    return [{"action_type": "CLICK", **_point(b), "button": button or b.get("button") or "left", "num_clicks": n}]


def _keys(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def _map(name: str, args: list[Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    pt = ["x", "y"]
    if name == "click":
        return _clicks(name, _bind(name, [*pt, "clicks", "interval", "button", "duration", "tween"], args, kwargs))
    if name in ("doubleClick", "tripleClick", "rightClick", "middleClick", "leftClick"):
        b = _bind(name, [*pt, "interval", "button", "duration", "tween"], args, kwargs)
        button = {"rightClick": "right", "middleClick": "middle"}.get(name, b.get("button"))
        return _clicks(name, b, button, {"doubleClick": 2, "tripleClick": 3}.get(name, 1))
    if name in ("moveTo", "dragTo"):
        b = _bind(name, [*pt, "duration", "tween", "button", "mouseDownUp", "logScreenshot"], args, kwargs)
        p = _point(b)
        if not p:
            raise PyAutoGuiError(f"pyautogui.{name}() needs x and y")
        if name == "moveTo":
            return [{"action_type": "MOVE_TO", **p}]
        return [{"action_type": "DRAG_TO", **p, "button": b.get("button") or "left"}]
    if name in ("mouseDown", "mouseUp"):
        b = _bind(name, [*pt, "button", "duration", "tween"], args, kwargs)
        out = [{"action_type": "MOVE_TO", **_point(b)}] if _point(b) else []
        return out + [{"action_type": "MOUSE_DOWN" if name == "mouseDown" else "MOUSE_UP",
                       "button": b.get("button") or "left"}]
    if name in ("scroll", "vscroll", "hscroll"):
        b = _bind(name, ["clicks", *pt], args, kwargs)
        clicks = b.get("clicks")
        if not isinstance(clicks, int):
            raise PyAutoGuiError(f"pyautogui.{name}() needs an integer number of clicks")
        out = [{"action_type": "MOVE_TO", **_point(b)}] if _point(b) else []
        delta = {"dx": clicks, "dy": 0} if name == "hscroll" else {"dx": 0, "dy": clicks}
        return out + [{"action_type": "SCROLL", **delta}]
    if name in ("typewrite", "write"):
        b = _bind(name, ["message", "interval", "logScreenshot", "_pause"], args, kwargs)
        msg = b.get("message")
        if isinstance(msg, list):  # typewrite(['a', 'enter']) presses keys by name
            return [{"action_type": "PRESS", "key": k} for k in msg]
        if not isinstance(msg, str):
            raise PyAutoGuiError(f"pyautogui.{name}() needs a string")
        return [{"action_type": "TYPING", "text": msg}]
    if name == "press":
        b = _bind(name, ["keys", "presses", "interval", "logScreenshot", "_pause"], args, kwargs)
        presses = b.get("presses", 1)
        if not isinstance(presses, int) or not 1 <= presses <= 100:
            raise PyAutoGuiError("pyautogui.press(): presses must be an integer from 1 to 100")
        return [{"action_type": "PRESS", "key": k} for k in _keys(b.get("keys"))] * presses
    if name in ("keyDown", "keyUp"):
        b = _bind(name, ["key", "logScreenshot", "_pause"], args, kwargs)
        return [{"action_type": "KEY_DOWN" if name == "keyDown" else "KEY_UP", "key": b.get("key")}]
    if name == "hotkey":
        keys = [k for a in args for k in _keys(a)]
        extra = set(kwargs) - {"interval", "logScreenshot", "_pause"}
        if extra:
            raise PyAutoGuiError(f"pyautogui.hotkey() has no argument(s) {sorted(extra)}")
        return [{"action_type": "HOTKEY", "keys": keys}]
    if name == "sleep":
        b = _bind(name, ["seconds"], args, kwargs)
        return [{"action_type": "WAIT", "seconds": b.get("seconds", 1)}]
    raise PyAutoGuiError(f"pyautogui.{name} is not allowed")


ALLOWED = frozenset({
    "click", "doubleClick", "tripleClick", "rightClick", "middleClick", "leftClick", "moveTo", "dragTo",
    "mouseDown", "mouseUp", "scroll", "vscroll", "hscroll", "typewrite", "write", "press", "keyDown",
    "keyUp", "hotkey", "sleep",
})


def _call(stmt: ast.stmt) -> tuple[str, list[Any], dict[str, Any]]:
    where = f"line {stmt.lineno}"
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        raise PyAutoGuiError(f"{where}: only pyautogui calls are allowed, not {type(stmt).__name__}")
    call = stmt.value
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        raise PyAutoGuiError(f"{where}: only calls of the form pyautogui.<function>(...) are allowed")
    module, name = func.value.id, func.attr
    if module == "time" and name == "sleep":
        name = "sleep"
    elif module != "pyautogui" or name not in ALLOWED or name == "sleep":
        raise PyAutoGuiError(f"{where}: {module}.{name} is not allowed; allowed: pyautogui."
                             + ", pyautogui.".join(sorted(ALLOWED - {'sleep'})) + ", time.sleep")
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise PyAutoGuiError(f"{where}: * and ** arguments are not allowed")
    args = [_literal(a) for a in call.args]
    kwargs = {k.arg: _literal(k.value) for k in call.keywords if k.arg}
    return name, args, kwargs


def parse_pyautogui(code: str) -> list[dict[str, Any]]:
    """computer_13 action dicts for a pyautogui code string; raises PyAutoGuiError otherwise."""
    if not isinstance(code, str):
        raise PyAutoGuiError("pyautogui code must be a string")
    text = code.strip()
    if text in SPECIAL:
        return [dict(SPECIAL[text])]
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError as exc:
        raise PyAutoGuiError(f"not valid Python: {exc.msg} (line {exc.lineno})") from None
    body = tree.body
    # `import pyautogui` / `import time` lines are tolerated (OSWorld's prompts show them) but
    # nothing is imported: the code is never run.
    body = [s for s in body if not (isinstance(s, ast.Import)
                                   and all(a.name in ("pyautogui", "time") and a.asname is None for a in s.names))]
    if not body:
        raise PyAutoGuiError("no pyautogui call found")
    if len(body) > MAX_STATEMENTS:
        raise PyAutoGuiError(f"at most {MAX_STATEMENTS} statements per action")
    actions: list[dict[str, Any]] = []
    for stmt in body:
        name, args, kwargs = _call(stmt)
        actions.extend(_map(name, args, kwargs))
    return actions
