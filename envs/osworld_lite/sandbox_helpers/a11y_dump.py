"""Dump the AT-SPI accessibility tree of the sandbox's desktop, linearised like OSWorld.

Runs inside the sandbox under Debian's python3 (pyatspi comes from python3-pyatspi). Prints
one header line and one tab-separated line per kept node:
tag, name, text, class, description, position (top-left x&y), size (w&h).
Only showing, visible, on-screen nodes are kept; the walk stops at a node budget and a time
budget (argv: max_nodes seconds screen_w screen_h) so huge trees (a Calc sheet) stay cheap.
"""
from __future__ import annotations

import sys
import time

import pyatspi

HEADER = "tag\tname\ttext\tclass\tdescription\tposition (top-left x&y)\tsize (w&h)"
MAX_CHILDREN = 200          # per node: Calc tables report a million cells
MAX_TEXT = 300
# Nodes kept even without a name or text (OSWorld keeps interactive roles).
KEEP_ROLES = {
    "push button", "toggle button", "check box", "radio button", "menu item", "check menu item",
    "radio menu item", "menu", "combo box", "text", "entry", "password text", "spin button",
    "slider", "link", "page tab", "table cell", "list item", "tree item", "heading", "paragraph",
    "document text", "document spreadsheet", "document frame", "document web", "terminal", "icon",
    "image", "label", "static", "section", "tool bar", "status bar",
}


def _clean(value: str) -> str:
    value = " ".join(value.split())
    return value[:MAX_TEXT] + ("…" if len(value) > MAX_TEXT else "")


def _text(node) -> str:
    try:
        iface = node.queryText()
        return iface.getText(0, min(iface.characterCount, 2000))
    except Exception:
        return ""


def _line(node, role: str, width: int, height: int) -> tuple[bool, str | None]:
    """(shown on screen, its line or None when it carries nothing worth a line)."""
    try:
        states = node.getState()
        if not (states.contains(pyatspi.STATE_SHOWING) and states.contains(pyatspi.STATE_VISIBLE)):
            return False, None
    except Exception:
        return False, None
    try:
        ext = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    except Exception:
        return True, None  # no geometry (some containers): walk its children all the same
    x, y, w, h = ext.x, ext.y, ext.width, ext.height
    if w <= 0 or h <= 0:
        return True, None  # no box of its own (a GTK notebook page): its children may have one
    if x >= width or y >= height or x + w <= 0 or y + h <= 0:
        return False, None
    name = _clean(node.name or "")
    text = _clean(_text(node))
    if not name and not text and role not in KEEP_ROLES:
        return True, None
    desc = _clean(node.description or "")
    tag = role.replace(" ", "-")
    return True, f"{tag}\t{name}\t{text}\t\t{desc}\t({x}, {y})\t({w}, {h})"


def _visible_cells(table, width: int, height: int, deadline: float, limit: int) -> list[str]:
    """Non-empty cells in the visible part of a huge table (a Calc sheet has ~10^10 cells:
    walking its children in order would never leave the first row)."""
    try:
        ext = table.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        grid = table.queryTable()
        corner = table.queryComponent().getAccessibleAtPoint(ext.x + 1, ext.y + 1, pyatspi.DESKTOP_COORDS)
        index = corner.getIndexInParent()
        row0, col0 = grid.getRowAtIndex(index), grid.getColumnAtIndex(index)
    except Exception:
        return []
    bottom, right = min(ext.y + ext.height, height), min(ext.x + ext.width, width)
    lines: list[str] = []
    row = row0
    while row < grid.nRows and len(lines) < limit and time.monotonic() < deadline:
        col, row_y = col0, None
        while col < grid.nColumns:
            try:
                cell = grid.getAccessibleAt(row, col)
                box = cell.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
            except Exception:
                break
            if box.x >= right or box.width <= 0:
                break
            row_y = box.y
            text = _clean(_text(cell))
            if text:
                lines.append(f"table-cell\t{_clean(cell.name or '')}\t{text}\t\t\t({box.x}, {box.y})\t"
                             f"({box.width}, {box.height})")
            col += 1
        if row_y is None or row_y >= bottom:
            break
        row += 1
    return lines


def dump(max_nodes: int, budget_s: float, width: int, height: int) -> list[str]:
    deadline = time.monotonic() + budget_s
    lines = [HEADER]
    stack = [pyatspi.Registry.getDesktop(0)]
    visited = 0
    while stack and visited < max_nodes and time.monotonic() < deadline:
        node = stack.pop()
        visited += 1
        try:
            role = node.getRoleName()
            count = node.childCount
        except Exception:
            continue
        if role not in ("desktop frame", "application"):
            shown, line = _line(node, role, width, height)
            if not shown:
                continue  # a hidden node hides its subtree
            if line:
                lines.append(line)
            if role == "table" and count > MAX_CHILDREN:
                cells = _visible_cells(node, width, height, deadline, max_nodes - visited)
                visited += len(cells)
                lines += cells
                continue
        children = []
        for i in range(min(count, MAX_CHILDREN)):
            try:
                child = node.getChildAtIndex(i)
            except Exception:
                continue
            if child is not None:
                children.append(child)
        stack.extend(reversed(children))
    if stack:
        lines.append("# truncated: node or time budget reached")
    return lines


def main() -> None:
    max_nodes, budget, width, height = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    sys.stdout.write("\n".join(dump(max_nodes, budget, width, height)) + "\n")


if __name__ == "__main__":
    main()
