"""Random valid computer_13 actions (for the random baseline and smoke tests).

Never DONE or FAIL: a random agent should not end episodes (or claim infeasibility) by luck.
"""
from __future__ import annotations

import string
from typing import Any

import numpy as np

KEYS = ("enter", "tab", "esc", "backspace", "delete", "up", "down", "left", "right", "home", "end",
        "pageup", "pagedown", "space", "a", "z", "1")
HOTKEYS = (("ctrl", "a"), ("ctrl", "c"), ("ctrl", "v"), ("ctrl", "z"), ("alt", "tab"), ("shift", "tab"),
           ("ctrl", "s"))
KINDS = ("MOVE_TO", "CLICK", "RIGHT_CLICK", "DOUBLE_CLICK", "DRAG_TO", "SCROLL", "TYPING", "PRESS",
         "HOTKEY", "WAIT")


def sample_action(rng: np.random.Generator, width: int, height: int) -> dict[str, Any]:
    kind = str(rng.choice(KINDS))
    x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
    if kind in ("MOVE_TO", "RIGHT_CLICK", "DOUBLE_CLICK", "DRAG_TO"):
        return {"action_type": kind, "x": x, "y": y}
    if kind == "CLICK":
        return {"action_type": kind, "x": x, "y": y, "button": "left", "num_clicks": int(rng.integers(1, 3))}
    if kind == "SCROLL":
        return {"action_type": kind, "dx": 0, "dy": int(rng.integers(-5, 6))}
    if kind == "TYPING":
        n = int(rng.integers(1, 12))
        return {"action_type": kind, "text": "".join(rng.choice(list(string.ascii_letters + " "), n))}
    if kind == "PRESS":
        return {"action_type": kind, "key": str(rng.choice(KEYS))}
    if kind == "HOTKEY":
        return {"action_type": kind, "keys": list(HOTKEYS[int(rng.integers(0, len(HOTKEYS)))])}
    return {"action_type": "WAIT", "seconds": 0.1}
