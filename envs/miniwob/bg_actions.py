"""BrowserGym's high-level action strings — `click('12')`, `fill('12', 'text')`, … — parsed with
`ast`, never executed.

A string holds one call per line (BrowserGym's multi-action mode). Every argument must be a
literal (string, number, bool, None, or a list of strings); anything else — attribute access,
nested calls, names, comprehensions, f-strings, assignments — is rejected with a message, so
nothing a model writes ever runs as code. The functions and their parameters are BrowserGym's
own (browsergym/core/action/functions.py); `bid` is the element id shown in the observation's
`dom_text`, and mouse coordinates are CSS pixels of the page, as in BrowserGym.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from envs.osworld_lite.actions import ActionError

MAX_CODE = 10_000
MAX_CALLS = 20

# name → (positional parameter names, {optional parameter: default})
FUNCTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "noop": ((), {"wait_ms": 1000}),
    "send_msg_to_user": (("text",), {}),
    "report_infeasible": (("reason",), {}),
    "scroll": (("delta_x", "delta_y"), {}),
    "fill": (("bid", "value"), {}),
    "select_option": (("bid", "options"), {}),
    "click": (("bid",), {"button": "left", "modifiers": []}),
    "dblclick": (("bid",), {"button": "left", "modifiers": []}),
    "hover": (("bid",), {}),
    "press": (("bid", "key_comb"), {}),
    "focus": (("bid",), {}),
    "clear": (("bid",), {}),
    "drag_and_drop": (("from_bid", "to_bid"), {}),
    "upload_file": (("bid", "file"), {}),
    "mouse_move": (("x", "y"), {}),
    "mouse_up": (("x", "y"), {"button": "left"}),
    "mouse_down": (("x", "y"), {"button": "left"}),
    "mouse_click": (("x", "y"), {"button": "left"}),
    "mouse_dblclick": (("x", "y"), {"button": "left"}),
    "mouse_drag_and_drop": (("from_x", "from_y", "to_x", "to_y"), {}),
    "mouse_upload_file": (("x", "y", "file"), {}),
    "keyboard_down": (("key",), {}),
    "keyboard_up": (("key",), {}),
    "keyboard_press": (("key",), {}),
    "keyboard_type": (("text",), {}),
    "keyboard_insert_text": (("text",), {}),
    "tab_focus": (("index",), {}),
    "new_tab": ((), {}),
    "tab_close": ((), {}),
    "go_back": ((), {}),
    "go_forward": ((), {}),
    "goto": (("url",), {}),
}
# Parsed, and refused when carried out on a MiniWoB page (no files, tabs or navigation there).
UNSUPPORTED = {"upload_file", "mouse_upload_file", "tab_focus", "new_tab", "tab_close", "go_back",
               "go_forward", "goto"}
BUTTONS = ("left", "middle", "right")
MODIFIERS = ("Alt", "Control", "ControlOrMeta", "Meta", "Shift")


@dataclass(frozen=True)
class Call:
    name: str
    args: dict[str, Any] = field(default_factory=dict)


def parse(code: str) -> list[Call]:
    """The calls in a BrowserGym action string; ActionError when it is anything else."""
    if not isinstance(code, str):
        raise ActionError(f"a BrowserGym action must be a string, got {type(code).__name__}")
    if len(code) > MAX_CODE:
        raise ActionError(f"action string longer than {MAX_CODE} characters")
    if "\x00" in code:
        raise ActionError("action string contains a NUL character")
    try:
        tree = ast.parse(code.strip(), mode="exec")
    except SyntaxError as exc:
        raise ActionError(f"not a BrowserGym action: {exc.msg} (line {exc.lineno})") from None
    calls = []
    for stmt in tree.body:
        if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
            raise ActionError(f"only function calls are allowed, got {type(stmt).__name__} "
                              f"`{ast.unparse(stmt)[:80]}`")
        calls.append(_call(stmt.value))
    if not calls:
        raise ActionError("empty action string; use noop() to wait")
    if len(calls) > MAX_CALLS:
        raise ActionError(f"at most {MAX_CALLS} actions in one string")
    return calls


def _call(node: ast.Call) -> Call:
    if not isinstance(node.func, ast.Name):
        raise ActionError(f"call a BrowserGym function by its bare name, not `{ast.unparse(node.func)[:80]}`")
    name = node.func.id
    if name not in FUNCTIONS:
        raise ActionError(f"unknown action {name!r}; known: {', '.join(FUNCTIONS)}")
    positional, optional = FUNCTIONS[name]
    params = positional + tuple(optional)
    if len(node.args) > len(params):
        raise ActionError(f"{name}() takes at most {len(params)} arguments, got {len(node.args)}")
    args: dict[str, Any] = {}
    for param, arg in zip(params, node.args):
        args[param] = _literal(name, arg)
    for kw in node.keywords:
        if kw.arg is None:
            raise ActionError(f"{name}(): **kwargs are not allowed")
        if kw.arg not in params:
            raise ActionError(f"{name}() has no parameter {kw.arg!r}; parameters: {', '.join(params) or 'none'}")
        if kw.arg in args:
            raise ActionError(f"{name}(): {kw.arg!r} given twice")
        args[kw.arg] = _literal(name, kw.value)
    missing = [p for p in positional if p not in args]
    if missing:
        raise ActionError(f"{name}() is missing {', '.join(missing)}")
    for param, default in optional.items():
        args.setdefault(param, default)
    _check(name, args)
    return Call(name, args)


def _literal(name: str, node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (str, int, float, bool))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    if isinstance(node, (ast.List, ast.Tuple)) and all(isinstance(e, ast.Constant) and isinstance(e.value, str)
                                                      for e in node.elts):
        return [e.value for e in node.elts]  # type: ignore[attr-defined]
    raise ActionError(f"{name}(): arguments must be literals (strings, numbers, lists of strings), "
                      f"not `{ast.unparse(node)[:80]}`")


def _check(name: str, args: dict[str, Any]) -> None:
    for key in ("bid", "from_bid", "to_bid"):
        if key in args and not (isinstance(args[key], str) and args[key].strip().isdigit()):
            raise ActionError(f"{name}(): {key} must be an element id string like '12', got {args[key]!r}")
    for key in ("x", "y", "from_x", "from_y", "to_x", "to_y", "delta_x", "delta_y", "wait_ms"):
        if key in args and (isinstance(args[key], bool) or not isinstance(args[key], (int, float))):
            raise ActionError(f"{name}(): {key} must be a number, got {args[key]!r}")
    if "wait_ms" in args and not 0 <= args["wait_ms"] <= 60_000:
        raise ActionError(f"{name}(): wait_ms must be between 0 and 60000")
    for key in ("delta_x", "delta_y"):
        if key in args and abs(args[key]) > 10_000:
            raise ActionError(f"{name}(): {key} must be within ±10000 pixels")
    for key in ("text", "value", "reason", "key", "key_comb"):
        if key in args and not isinstance(args[key], str):
            raise ActionError(f"{name}(): {key} must be a string, got {args[key]!r}")
    if "options" in args and not isinstance(args["options"], (str, list)):
        raise ActionError(f"{name}(): options must be a string or a list of strings")
    if "button" in args and args["button"] not in BUTTONS:
        raise ActionError(f"{name}(): button must be one of {', '.join(BUTTONS)}")
    if "modifiers" in args:
        mods = args["modifiers"]
        if not isinstance(mods, list) or any(m not in MODIFIERS for m in mods):
            raise ActionError(f"{name}(): modifiers must be a list drawn from {', '.join(MODIFIERS)}")
    for key in ("key", "key_comb"):
        if key in args and (not args[key] or len(args[key]) > 100 or any(ord(c) < 0x20 for c in args[key])):
            raise ActionError(f"{name}(): {key} must be a short key name such as 'Enter' or 'Control+a'")
