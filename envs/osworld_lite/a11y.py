"""The accessibility tree observation, linearised the way OSWorld does.

Desktop apps: AT-SPI, dumped by `sandbox_helpers/a11y_dump.py` in the sandbox's namespaces
(Debian's python3 with pyatspi, started by the host outside the agent's PID namespace through
`Sandbox.run`; the host venv never talks to the sandbox's accessibility bus). Chromium's
web content: the DevTools accessibility tree of the active tab (`cdp.page_ax_lines`).
Both are bounded in nodes and time; a failure yields a one-line note, never an exception.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from envs.errors import InfrastructureError
from envs.osworld_lite.sandbox import SANDBOX_TOOLS

if TYPE_CHECKING:
    from envs.osworld_lite.cdp import CdpBridge
    from envs.osworld_lite.sandbox import Sandbox

HEADER = "tag\tname\ttext\tclass\tdescription\tposition (top-left x&y)\tsize (w&h)"
MAX_CHARS = 60_000   # about OSWorld's a11y_tree_max_tokens worth of text


def atspi_lines(sandbox: Sandbox, width: int, height: int, max_nodes: int = 3000,
                budget_s: float = 3.0) -> list[str]:
    result = sandbox.run(["/usr/bin/python3", "-I", f"{SANDBOX_TOOLS}/a11y_dump.py", str(max_nodes),
                          str(budget_s), str(width), str(height)], timeout=budget_s + 5)
    if result["timed_out"] or result.get("overflow") or result["returncode"] != 0:
        why = "timed out" if result["timed_out"] else "too large" if result.get("overflow") else \
            (result["stderr"].strip().splitlines() or ["failed"])[-1]
        return [f"# accessibility tree unavailable: {why}"]
    lines = result["stdout"].splitlines()
    return lines[1:] if lines and lines[0] == HEADER else lines


def accessibility_tree(sandbox: Sandbox, width: int, height: int, bridge: CdpBridge | None = None,
                       max_chars: int = MAX_CHARS) -> str:
    """The linearised tree of the whole screen: header line, then one line per node."""
    lines = [HEADER]
    try:
        lines += atspi_lines(sandbox, width, height)
    except InfrastructureError:
        raise
    except Exception as exc:  # pragma: no cover - defensive: the tree is an optional extra
        lines.append(f"# accessibility tree unavailable: {exc}")
    if bridge is not None:
        from envs.osworld_lite.cdp import page_ax_lines

        try:
            lines += page_ax_lines(bridge, width, height)
        except Exception as exc:
            lines.append(f"# web page accessibility tree unavailable: {type(exc).__name__}")
    text = "\n".join(lines)
    if len(text) > max_chars:
        text = text[:text.rfind("\n", 0, max_chars)] + "\n# truncated"
    return text
