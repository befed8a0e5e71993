"""Carries out validated computer_13 actions with XTEST input."""
from __future__ import annotations

import time
from typing import Any

from envs.osworld_lite import actions as A
from envs.osworld_lite.input import XInput


def execute(action: Any, xin: XInput) -> None:
    """Perform one action (not PYAUTOGUI, DONE or FAIL: the env handles those)."""
    match action:
        case A.MoveTo(x=x, y=y):
            xin.move(x, y)
        case A.Click(x=x, y=y, button=button, num_clicks=n):
            xin.click(x, y, button, n)
        case A.RightClick(x=x, y=y):
            xin.click(x, y, "right", 1)
        case A.DoubleClick(x=x, y=y):
            xin.click(x, y, "left", 2)
        case A.MouseDown(button=button):
            xin.button(button, True)
        case A.MouseUp(button=button):
            xin.button(button, False)
        case A.DragTo(x=x, y=y, button=button):
            xin.drag(x, y, button)
        case A.Scroll(dx=dx, dy=dy):
            xin.scroll(dx, dy)
        case A.Typing(text=text):
            xin.type_text(text)
        case A.KeyDown(key=key):
            xin.key(key, True)
        case A.KeyUp(key=key):
            xin.key(key, False)
        case A.Press(key=key):
            xin.press(key)
        case A.Hotkey(keys=keys):
            xin.hotkey(keys)
        case A.Wait(seconds=seconds):
            time.sleep(seconds)
        case _:
            raise ValueError(f"{type(action).__name__} is not executed by the input layer")
