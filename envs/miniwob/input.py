"""computer_13 actions (envs/osworld_lite/actions.py) as real Playwright mouse and keyboard
events on the page: the same action dicts the desktop takes, so Qwen's `computer_use` and
GPT's computer tool drive a MiniWoB page exactly as they drive the desktop.

Coordinates are screenshot pixels; the page works in CSS pixels, so they are divided by the
device scale factor. Key names follow pyautogui/xdotool (`enter`, `ctrl`, `pagedown`, single
characters) and are mapped to Playwright's key names; an unknown key is an ActionError.
"""
from __future__ import annotations

import time
from typing import Any

from envs.osworld_lite import actions as A

# pyautogui / xdotool names → Playwright (KeyboardEvent.key / .code) names.
KEYS: dict[str, str] = {
    "enter": "Enter", "return": "Enter", "\n": "Enter", "\r": "Enter", "tab": "Tab", "\t": "Tab",
    "space": "Space", " ": "Space", "backspace": "Backspace", "delete": "Delete", "del": "Delete",
    "esc": "Escape", "escape": "Escape", "insert": "Insert", "home": "Home", "end": "End",
    "pageup": "PageUp", "pgup": "PageUp", "page_up": "PageUp", "prior": "PageUp",
    "pagedown": "PageDown", "pgdn": "PageDown", "page_down": "PageDown", "next": "PageDown",
    "up": "ArrowUp", "down": "ArrowDown", "left": "ArrowLeft", "right": "ArrowRight",
    "shift": "Shift", "shiftleft": "Shift", "shiftright": "Shift", "shift_l": "Shift", "shift_r": "Shift",
    "ctrl": "Control", "control": "Control", "ctrlleft": "Control", "ctrlright": "Control",
    "ctrl_l": "Control", "ctrl_r": "Control", "alt": "Alt", "altleft": "Alt", "altright": "Alt",
    "alt_l": "Alt", "alt_r": "Alt", "option": "Alt", "win": "Meta", "super": "Meta", "cmd": "Meta",
    "command": "Meta", "meta": "Meta", "super_l": "Meta", "meta_l": "Meta",
    "capslock": "CapsLock", "numlock": "NumLock", "scrolllock": "ScrollLock", "pause": "Pause",
    "printscreen": "PrintScreen", "print": "PrintScreen", "menu": "ContextMenu", "apps": "ContextMenu",
    **{f"f{i}": f"F{i}" for i in range(1, 13)},
    # X keysym spellings that Qwen and GPT also use.
    "backspace_": "Backspace", "arrowup": "ArrowUp", "arrowdown": "ArrowDown", "arrowleft": "ArrowLeft",
    "arrowright": "ArrowRight", "kp_enter": "Enter",
}
WHEEL_PX = 100  # CSS pixels per scroll unit (one wheel click in Chromium)


def playwright_key(name: str) -> str:
    """Playwright's name for a key, or ActionError."""
    if not isinstance(name, str) or not name:
        raise A.ActionError(f"key must be a non-empty string, got {name!r}")
    mapped = KEYS.get(name) or KEYS.get(name.lower())
    if mapped:
        return mapped
    if len(name) == 1:
        return name
    raise A.ActionError(f"unknown key {name!r}; use names like enter, tab, ctrl, alt, shift, esc, backspace, "
                        "delete, up, down, pagedown, home, f1-f12 or a single character")


def validate(model: Any) -> None:
    """Reject what this page cannot carry out, before anything happens."""
    match model:
        case A.Press(key=key) | A.KeyDown(key=key) | A.KeyUp(key=key):
            playwright_key(key)
        case A.Hotkey(keys=keys):
            for key in keys:
                playwright_key(key)


class PageInput:
    """Carries out computer_13 actions on one Playwright page (call from its worker thread)."""

    def __init__(self, page: Any, scale: float):
        self.page = page
        self.scale = scale
        self.held_buttons: set[str] = set()
        self.held_keys: list[str] = []

    def _xy(self, x: int | None, y: int | None) -> tuple[float, float] | None:
        return None if x is None or y is None else (x / self.scale, y / self.scale)

    def execute(self, model: Any) -> None:
        mouse, keyboard = self.page.mouse, self.page.keyboard
        match model:
            case A.MoveTo(x=x, y=y):
                mouse.move(*self._xy(x, y))
            case A.Click(x=x, y=y, button=button, num_clicks=n):
                self._click(x, y, button, n)
            case A.RightClick(x=x, y=y):
                self._click(x, y, "right", 1)
            case A.DoubleClick(x=x, y=y):
                self._click(x, y, "left", 2)
            case A.MouseDown(button=button):
                mouse.down(button=button)
                self.held_buttons.add(button)
            case A.MouseUp(button=button):
                mouse.up(button=button)
                self.held_buttons.discard(button)
            case A.DragTo(x=x, y=y, button=button):
                mouse.down(button=button)
                mouse.move(*self._xy(x, y), steps=5)   # intermediate moves: drag handlers see motion
                mouse.up(button=button)
            case A.Scroll(dx=dx, dy=dy):
                # pyautogui's signs: dy > 0 scrolls up, dx > 0 right.
                mouse.wheel(dx * WHEEL_PX, -dy * WHEEL_PX)
            case A.Typing(text=text):
                keyboard.type(text)
            case A.KeyDown(key=key):
                keyboard.down(playwright_key(key))
                self.held_keys.append(playwright_key(key))
            case A.KeyUp(key=key):
                keyboard.up(playwright_key(key))
                if playwright_key(key) in self.held_keys:
                    self.held_keys.remove(playwright_key(key))
            case A.Press(key=key):
                keyboard.press(playwright_key(key))
            case A.Hotkey(keys=keys):
                keyboard.press("+".join(playwright_key(k) for k in keys))
            case A.Wait(seconds=seconds):
                time.sleep(seconds)
            case _:
                raise ValueError(f"{type(model).__name__} is not executed by the input layer")

    def _click(self, x: int | None, y: int | None, button: str, count: int) -> None:
        at = self._xy(x, y)
        if at is None:
            # At the current pointer, like pyautogui.click() with no coordinates.
            for i in range(count):
                self.page.mouse.down(button=button, click_count=i + 1)
                self.page.mouse.up(button=button, click_count=i + 1)
            return
        self.page.mouse.click(*at, button=button, click_count=count)

    def release_all(self) -> None:
        for button in list(self.held_buttons):
            self.page.mouse.up(button=button)
        for key in reversed(self.held_keys):
            self.page.keyboard.up(key)
        self.held_buttons.clear()
        self.held_keys.clear()
