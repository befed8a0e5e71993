"""What the oracle may do with the page: read it (DOM, utterance, layout), nothing else.

A solver is a JavaScript function body that reads the page and returns a plan: a list of steps
`["click", x, y]`, `["dblclick", x, y]`, `["tripleclick", x, y]`, `["drag", x1, y1, x2, y2]`, `["type", text]`,
`["press", key]`, `["hotkey", [keys…]]`, `["wait", seconds]` with CSS-pixel coordinates. The
plan becomes computer_13 actions in screenshot pixels, which the env carries out as real mouse
and keyboard events — the same way an agent's actions go. The JavaScript never calls MiniWoB's
`core.endEpisode` or touches its reward globals, and never changes the page: it only reads.
"""
from __future__ import annotations

from typing import Any

# Helpers every solver body can use.
PRELUDE = r"""
const q = (s, root) => (root || document).querySelector(s);
const qa = (s, root) => Array.from((root || document).querySelectorAll(s));
const txt = el => (el.textContent || '').replace(/\s+/g, ' ').trim();
const C = el => { const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; };
// A point of el that is not covered by another element (buttons may overlap).
const P = el => { const r = el.getBoundingClientRect();
  for (const fy of [0.5, 0.3, 0.7, 0.15, 0.85]) for (const fx of [0.5, 0.3, 0.7, 0.15, 0.85]) {
    const x = r.left + r.width * fx, y = r.top + r.height * fy, hit = document.elementFromPoint(x, y);
    if (hit && (hit === el || el.contains(hit) || hit.contains(el) && hit.tagName === 'LABEL')) return [x, y]; }
  return C(el); };
const click = el => ['click', ...P(el)];
const U = (() => { const r = core.getUtterance(); return typeof r === 'string' ? r : r.utterance; })();
const quoted = () => Array.from(U.matchAll(/"([^"]*)"/g)).map(m => m[1]);
const bold = () => qa('#query .bold, #query span, #query strong, #query b').map(txt);
const byText = (sel, t) => qa(sel).find(e => txt(e) === t);
const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
"""


class Probe:
    """The page as a solver sees it (call from the page's browser thread)."""

    def __init__(self, page: Any, scale: float):
        self.page = page
        self.scale = scale

    def plan(self, body: str) -> list[list[Any]]:
        plan = self.page.evaluate(f"() => {{ {PRELUDE}\n{body}\n}}")
        if not isinstance(plan, list):
            raise ValueError(f"a solver returned {type(plan).__name__}, not a plan")
        return plan

    def actions(self, plan: list[list[Any]]) -> list[dict[str, Any]]:
        return [a for step in plan for a in self._action(step)]

    def _px(self, v: float) -> int:
        return int(round(float(v) * self.scale))

    def _action(self, step: list[Any]) -> list[dict[str, Any]]:
        kind, *args = step
        if kind == "click":
            return [{"action_type": "CLICK", "x": self._px(args[0]), "y": self._px(args[1])}]
        if kind == "dblclick":
            return [{"action_type": "DOUBLE_CLICK", "x": self._px(args[0]), "y": self._px(args[1])}]
        if kind == "tripleclick":
            return [{"action_type": "CLICK", "x": self._px(args[0]), "y": self._px(args[1]), "num_clicks": 3}]
        if kind == "move":
            return [{"action_type": "MOVE_TO", "x": self._px(args[0]), "y": self._px(args[1])}]
        if kind == "drag":
            return [{"action_type": "MOVE_TO", "x": self._px(args[0]), "y": self._px(args[1])},
                    {"action_type": "DRAG_TO", "x": self._px(args[2]), "y": self._px(args[3])}]
        if kind == "type":
            return [{"action_type": "TYPING", "text": str(args[0])}]
        if kind == "press":
            return [{"action_type": "PRESS", "key": str(args[0])}]
        if kind == "hotkey":
            return [{"action_type": "HOTKEY", "keys": [str(k) for k in args[0]]}]
        if kind == "wait":
            return [{"action_type": "WAIT", "seconds": float(args[0])}]
        raise ValueError(f"unknown plan step {kind!r}")
