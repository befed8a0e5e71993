"""Mouse and keyboard input through the XTEST extension (python-xlib, in-process).

Key names follow pyautogui/xdotool: `enter`, `ctrl`, `alt`, `shift`, `win`, `f5`, `pagedown`,
single characters, or any X keysym name (`Return`, `KP_Add`). `validate_key` rejects the rest
with a message, so bad keys become action errors instead of silent no-ops. Characters with no
key on the keyboard map (unicode text) are typed by binding a spare keycode, as xdotool does.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from Xlib import XK, X
from Xlib import display as xdisplay
from Xlib.ext import xtest

HOTKEY_HOLD_S = 0.05

# pyautogui / xdotool names → X keysym names.
KEY_NAMES: dict[str, str] = {
    "enter": "Return", "return": "Return", "\n": "Return", "\r": "Return", "tab": "Tab", "\t": "Tab",
    "space": "space", " ": "space", "backspace": "BackSpace", "delete": "Delete", "del": "Delete",
    "esc": "Escape", "escape": "Escape", "insert": "Insert", "home": "Home", "end": "End",
    "pageup": "Prior", "pgup": "Prior", "page_up": "Prior", "pagedown": "Next", "pgdn": "Next",
    "page_down": "Next", "up": "Up", "down": "Down", "left": "Left", "right": "Right",
    "shift": "Shift_L", "shiftleft": "Shift_L", "shiftright": "Shift_R", "shift_l": "Shift_L",
    "shift_r": "Shift_R", "ctrl": "Control_L", "control": "Control_L", "ctrlleft": "Control_L",
    "ctrlright": "Control_R", "ctrl_l": "Control_L", "ctrl_r": "Control_R", "alt": "Alt_L",
    "altleft": "Alt_L", "altright": "Alt_R", "alt_l": "Alt_L", "alt_r": "Alt_R", "option": "Alt_L",
    "win": "Super_L", "winleft": "Super_L", "winright": "Super_R", "super": "Super_L",
    "cmd": "Super_L", "command": "Super_L", "meta": "Meta_L", "capslock": "Caps_Lock",
    "numlock": "Num_Lock", "scrolllock": "Scroll_Lock", "printscreen": "Print", "prtsc": "Print",
    "print": "Print", "pause": "Pause", "menu": "Menu", "apps": "Menu",
    "volumeup": "XF86AudioRaiseVolume", "volumedown": "XF86AudioLowerVolume", "volumemute": "XF86AudioMute",
    **{f"f{i}": f"F{i}" for i in range(1, 25)},
    **{f"num{i}": f"KP_{i}" for i in range(10)},
    "add": "KP_Add", "subtract": "KP_Subtract", "multiply": "KP_Multiply", "divide": "KP_Divide",
    "decimal": "KP_Decimal",
}
BUTTONS = {"left": 1, "middle": 2, "right": 3}
SCROLL_BUTTONS = {"up": 4, "down": 5, "left": 6, "right": 7}


class KeyError_(ValueError):
    """An unknown key name."""


def keysym_for(name: str) -> int:
    """The X keysym for a key name or a single character; raises KeyError_ when unknown."""
    if not isinstance(name, str) or not name:
        raise KeyError_(f"key must be a non-empty string, got {name!r}")
    mapped = KEY_NAMES.get(name) or KEY_NAMES.get(name.lower())
    if mapped:
        return XK.string_to_keysym(mapped)
    if len(name) == 1:
        return _char_keysym(name)
    sym = XK.string_to_keysym(name)
    if sym == X.NoSymbol:
        raise KeyError_(f"unknown key {name!r}; use names like enter, tab, ctrl, alt, shift, "
                        "win, esc, backspace, delete, up, pagedown, f1-f24, a single character, "
                        "or an X keysym name")
    return sym


def validate_key(name: str) -> str:
    keysym_for(name)
    return name


def _char_keysym(ch: str) -> int:
    sym = XK.string_to_keysym(_CHAR_NAMES.get(ch, ch))
    if sym != X.NoSymbol:
        return sym
    code = ord(ch)
    return code if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF else 0x01000000 | code


_CHAR_NAMES = {
    " ": "space", "!": "exclam", '"': "quotedbl", "#": "numbersign", "$": "dollar", "%": "percent",
    "&": "ampersand", "'": "apostrophe", "(": "parenleft", ")": "parenright", "*": "asterisk",
    "+": "plus", ",": "comma", "-": "minus", ".": "period", "/": "slash", ":": "colon",
    ";": "semicolon", "<": "less", "=": "equal", ">": "greater", "?": "question", "@": "at",
    "[": "bracketleft", "\\": "backslash", "]": "bracketright", "^": "asciicircum", "_": "underscore",
    "`": "grave", "{": "braceleft", "|": "bar", "}": "braceright", "~": "asciitilde",
    "\n": "Return", "\t": "Tab",
}


class XInput:
    """XTEST input on one display. Thread-safe (one lock around each action)."""

    def __init__(self, display_name: str, key_delay: float = 0.002):
        self.dpy = xdisplay.Display(display_name)
        if not self.dpy.has_extension("XTEST"):
            raise RuntimeError(f"display {display_name} has no XTEST extension")
        self.screen = self.dpy.screen()
        self.width, self.height = self.screen.width_in_pixels, self.screen.height_in_pixels
        self.key_delay = key_delay
        self._lock = threading.Lock()
        self._spare: list[int] | None = None
        self._bound: OrderedDict[int, int] = OrderedDict()  # keysym -> spare keycode, LRU order
        self._held_keys: set[int] = set()
        self._held_buttons: set[int] = set()

    def close(self) -> None:
        try:
            self.dpy.close()
        except Exception:  # the X server may already be gone
            pass

    # -- mouse ---------------------------------------------------------------------------
    def move(self, x: int, y: int) -> None:
        with self._lock:
            xtest.fake_input(self.dpy, X.MotionNotify, x=int(x), y=int(y))
            self.dpy.sync()

    def button(self, button: str | int, down: bool) -> None:
        code = BUTTONS[button] if isinstance(button, str) else int(button)
        with self._lock:
            xtest.fake_input(self.dpy, X.ButtonPress if down else X.ButtonRelease, code)
            (self._held_buttons.add if down else self._held_buttons.discard)(code)
            self.dpy.sync()

    def click(self, x: int | None, y: int | None, button: str = "left", clicks: int = 1) -> None:
        if x is not None and y is not None:
            self.move(x, y)
        for i in range(clicks):
            self.button(button, True)
            self.button(button, False)
            if i + 1 < clicks:
                time.sleep(0.03)  # well inside the double-click interval

    def drag(self, x: int, y: int, button: str = "left", steps: int = 8) -> None:
        """Press at the pointer, move to (x, y) in a few steps, release."""
        start = self.dpy.screen().root.query_pointer()
        self.button(button, True)
        for i in range(1, steps + 1):
            self.move(start.root_x + (x - start.root_x) * i // steps, start.root_y + (y - start.root_y) * i // steps)
            time.sleep(0.01)
        self.button(button, False)

    def scroll(self, dx: int = 0, dy: int = 0) -> None:
        """dy > 0 scrolls up, dx > 0 right (pyautogui's signs); one unit = one wheel click."""
        for amount, pos, neg in ((dy, "up", "down"), (dx, "right", "left")):
            code = SCROLL_BUTTONS[pos if amount > 0 else neg]
            for _ in range(abs(int(amount))):
                self.button(code, True)
                self.button(code, False)

    # -- keyboard ------------------------------------------------------------------------
    def _keycode(self, sym: int) -> tuple[int, bool]:
        """(keycode, needs shift) for a keysym, binding a spare keycode when none has it."""
        if sym in self._bound:
            self._bound.move_to_end(sym)
            return self._bound[sym], False
        code = self.dpy.keysym_to_keycode(sym)  # python-xlib's copy of the original key map
        if code:
            shifted = self.dpy.keycode_to_keysym(code, 0) != sym and self.dpy.keycode_to_keysym(code, 1) == sym
            return code, shifted
        return self._bind_spare(sym), False

    def _bind_spare(self, sym: int) -> int:
        """Bind `sym` to a keycode with no symbols. Each character keeps its own keycode (least
        recently used ones are recycled), because a client reads the key map when it handles a
        key event, not when the event was sent: re-binding one scratch key per character makes
        earlier characters come out as later ones."""
        if self._spare is None:
            first = self.dpy.display.info.min_keycode
            count = self.dpy.display.info.max_keycode - first + 1
            mapping = self.dpy.get_keyboard_mapping(first, count)
            self._spare = [first + i for i, syms in enumerate(mapping) if all(s == X.NoSymbol for s in syms)]
            if not self._spare:
                self._spare = [self.dpy.display.info.max_keycode]
        if len(self._bound) < len(self._spare):
            code = self._spare[len(self._bound)]
        else:
            _, code = self._bound.popitem(last=False)
            time.sleep(0.05)  # let clients finish with the old binding first
        self.dpy.change_keyboard_mapping(code, [(sym, sym)])
        self.dpy.sync()
        self._bound[sym] = code
        time.sleep(0.01)  # let clients see the MappingNotify before the key arrives
        return code

    def _fake_key(self, code: int, down: bool) -> None:
        xtest.fake_input(self.dpy, X.KeyPress if down else X.KeyRelease, code)
        (self._held_keys.add if down else self._held_keys.discard)(code)

    def key(self, name: str, down: bool) -> None:
        with self._lock:
            code, _ = self._keycode(keysym_for(name))
            self._fake_key(code, down)
            self.dpy.sync()

    def press(self, name: str, presses: int = 1) -> None:
        sym = keysym_for(name)
        with self._lock:
            for _ in range(presses):
                self._tap(sym)
            self.dpy.sync()

    def hotkey(self, names: list[str]) -> None:
        syms = [keysym_for(n) for n in names]
        with self._lock:
            codes = [self._keycode(s)[0] for s in syms]
            for code in codes:
                self._fake_key(code, True)
                self.dpy.sync()
            if len(codes) > 1:
                # A window manager's key binding (openbox's alt+tab) grabs the keyboard when the
                # last key goes down, but asynchronously: a modifier released before that grab
                # is in place goes to the app, and the window cycle never ends.
                time.sleep(HOTKEY_HOLD_S)
            for code in reversed(codes):
                self._fake_key(code, False)
            self.dpy.sync()

    def type_text(self, text: str) -> None:
        with self._lock:
            for ch in text:
                self._tap(_char_keysym(ch))
            self.dpy.sync()

    def _tap(self, sym: int) -> None:
        code, shifted = self._keycode(sym)
        shift = self.dpy.keysym_to_keycode(XK.XK_Shift_L) if shifted else 0
        if shift:
            self._fake_key(shift, True)
        self._fake_key(code, True)
        self._fake_key(code, False)
        if shift:
            self._fake_key(shift, False)
        self.dpy.sync()
        if self.key_delay:
            time.sleep(self.key_delay)

    def release_all(self) -> None:
        """Let go of every key and button still held (after KEY_DOWN / MOUSE_DOWN)."""
        with self._lock:
            for code in list(self._held_keys):
                self._fake_key(code, False)
            for code in list(self._held_buttons):
                xtest.fake_input(self.dpy, X.ButtonRelease, code)
            self._held_buttons.clear()
            self.dpy.sync()
