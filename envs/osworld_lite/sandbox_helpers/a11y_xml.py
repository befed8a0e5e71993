"""Dump the AT-SPI accessibility tree of the sandbox's desktop as OSWorld's XML.

Runs inside the sandbox under Debian's python3 (pyatspi from python3-pyatspi), for the
`accessibility_tree` getter, whose metrics (check_accessibility_tree, check_left_panel) select
nodes by CSS or XPath. The format is OSWorld's: a `desktop-frame` root, one element per node
named by its role (spaces as hyphens), attributes `name`, `st:<state>="true"` for each state,
`attr:<key>` for each object attribute (Gecko's `id`, `class`, …), `cp:screencoord` and
`cp:size` for showing nodes, and the node's text as element text. Bounded by a node budget
and a time budget (argv: max_nodes seconds) so a huge tree stays cheap.
"""
from __future__ import annotations

import sys
import time
import xml.etree.ElementTree as ET

import pyatspi

NS = {
    "st": "https://accessibility.ubuntu.example.org/ns/state",
    "attr": "https://accessibility.ubuntu.example.org/ns/attributes",
    "cp": "https://accessibility.ubuntu.example.org/ns/component",
}
MAX_CHILDREN = 200          # per node: Calc tables report a million cells
MAX_TEXT = 2000


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def _element(node) -> ET.Element:
    attrs = {"name": node.name or ""}
    showing = visible = False
    try:
        for state in node.getState().getStates():
            label = pyatspi.stateToString(state).replace(" ", "-")  # e.g. "showing", "focusable"
            attrs[_q("st", label)] = "true"
            showing = showing or label == "showing"
            visible = visible or label == "visible"
    except Exception:
        pass
    try:
        for item in node.getAttributes():
            key, _, value = item.partition(":")
            if key:
                attrs[_q("attr", key)] = value
    except Exception:
        pass
    if showing and visible:
        try:
            ext = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
            attrs[_q("cp", "screencoord")] = f"({ext.x}, {ext.y})"
            attrs[_q("cp", "size")] = f"({ext.width}, {ext.height})"
        except Exception:
            pass
    role = (node.getRoleName() or "").strip() or "unknown"
    el = ET.Element(role.replace(" ", "-"), attrs)
    try:
        iface = node.queryText()
        text = iface.getText(0, min(iface.characterCount, MAX_TEXT)).replace("\ufffc", "").replace("\ufffd", "")
        if text:
            el.text = text
    except Exception:
        pass
    return el


def dump(max_nodes: int, budget_s: float) -> ET.Element:
    deadline = time.monotonic() + budget_s
    root = ET.Element("desktop-frame", {"name": "main"})
    stack = []
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is not None:
            stack.append((app, root))
    stack.reverse()
    visited = 0
    while stack and visited < max_nodes and time.monotonic() < deadline:
        node, parent = stack.pop()
        visited += 1
        try:
            el = _element(node)
            count = node.childCount
        except Exception:
            continue
        parent.append(el)
        children = []
        for i in range(min(count, MAX_CHILDREN)):
            try:
                child = node.getChildAtIndex(i)
            except Exception:
                continue
            if child is not None:
                children.append((child, el))
        stack.extend(reversed(children))
    return root


def main() -> None:
    for prefix, uri in NS.items():
        ET.register_namespace(prefix, uri)
    tree = dump(int(sys.argv[1]), float(sys.argv[2]))
    sys.stdout.write(ET.tostring(tree, encoding="unicode") + "\n")


if __name__ == "__main__":
    main()
