"""Discoverable tools: tools the agent (or the user) learns about from the knowledge base.

A discoverable tool is a toolkit method marked with `@discoverable(...)`. It is not in the
agent's tool list; the knowledge base names it, the agent unlocks it
(`unlock_discoverable_agent_tool`) and calls it through `call_discoverable_agent_tool` with a
JSON text of arguments, or gives it to the user (`give_discoverable_user_tool`).

The method's docstring is the tool's definition, parsed the reference's way: the text before
`Args:` is the description; each `name (type[, optional]): text` line is a parameter; the
first line after `Returns:` is the success message. The docstrings are therefore the
reference's own texts, word for word: the agent reads them in tool outputs.

Like the reference, a discoverable method can also be called by its own name as a plain tool
call (the reference's toolkit lists it among its tools), and a call with missing arguments
fails with Python's own TypeError text, which names the reference's class
(`KnowledgeTools.<name>() missing 1 required positional argument: ...`): `owner` sets it.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from envs.tau2_lite.toolkit import ToolType

DISCOVERABLE_ATTR = "__banking_discoverable__"


def discoverable(kind: ToolType, owner: str, *, mutates_state: bool | None = None) -> Callable:
    """Mark a method as a discoverable tool of the toolkit the reference calls `owner`."""
    mutates = (kind == ToolType.WRITE) if mutates_state is None else mutates_state

    def deco(func: Callable) -> Callable:
        setattr(func, DISCOVERABLE_ATTR, (ToolType(kind), mutates))
        func.__qualname__ = f"{owner}.{func.__name__}"
        return func
    return deco


def discoverables(cls: type) -> dict[str, tuple[ToolType, bool]]:
    """Discoverable tool name -> (kind, mutates_state) over the class's MRO."""
    out: dict[str, tuple[ToolType, bool]] = {}
    for klass in reversed(cls.__mro__):
        for name, attr in vars(klass).items():
            mark = getattr(attr, DISCOVERABLE_ATTR, None)
            if mark is not None:
                out[name] = mark
    return out


_ARG_LINE = re.compile(r"^\s*(\w+)\s*(?:\(([^)]+)\))?\s*:\s*(.+?)$", re.MULTILINE)


def tool_info(func: Callable) -> dict[str, Any]:
    """{name, description, parameters, success_message} from the docstring."""
    doc = inspect.getdoc(func) or ""
    head, *rest = re.split(r"\n\s*Args:\s*\n", doc, maxsplit=1)
    params: dict[str, dict[str, Any]] = {}
    success = "Action completed successfully."
    if rest:
        args_text, *returns = re.split(r"\n\s*Returns:\s*\n", rest[0], maxsplit=1)
        if returns:
            success = returns[0].strip().split("\n")[0].strip()
        for m in _ARG_LINE.finditer(args_text):
            type_info = m.group(2) or "string"
            ptype = re.sub(r",?\s*optional", "", type_info, flags=re.IGNORECASE).strip() or "string"
            params[m.group(1)] = {"type": ptype, "description": m.group(3).strip(),
                                  "required": "optional" not in type_info.lower()}
    return {"name": func.__name__, "description": head.strip(), "parameters": params,
            "success_message": success}


def format_for_agent(info: dict[str, Any]) -> str:
    lines = [f"  - {name}: {p.get('type', 'string')} ({'required' if p.get('required', True) else 'optional'})"
             f" - {p.get('description', '')}" for name, p in info.get("parameters", {}).items()]
    params = "\n".join(lines) if lines else "  (no parameters)"
    return f"Tool: {info['name']}\nDescription: {info['description']}\nParameters:\n{params}"
