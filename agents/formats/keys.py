"""Key names: every model's vocabulary mapped onto the environment's.

Models name keys in different ways: OpenAI's computer tool says ``CTRL``, ``ENTER``,
``ARROWLEFT``; Qwen's ``computer_use`` follows pyautogui/xdotool (``ctrl``, ``Return``);
OSWorld's computer_13 actions use pyautogui names (``enter``, ``ctrl``, ``left``).
`env_key` maps any of them onto the computer_13 (pyautogui) name the environment accepts;
`xdotool_key` gives the X keysym name xdotool types.
"""
from __future__ import annotations

# Aliases (lower-cased) -> computer_13 / pyautogui key name.
_ALIASES: dict[str, str] = {
    # modifiers
    "control": "ctrl", "ctl": "ctrl", "ctrl_l": "ctrlleft", "control_l": "ctrlleft",
    "ctrl_r": "ctrlright", "control_r": "ctrlright",
    "shift_l": "shiftleft", "shift_r": "shiftright",
    "alt_l": "altleft", "alt_r": "altright", "option": "alt", "opt": "alt",
    "cmd": "win", "command": "win", "meta": "win", "super": "win", "super_l": "winleft",
    "super_r": "winright", "windows": "win", "os": "win",
    # editing and whitespace
    "return": "enter", "kp_enter": "enter", "esc": "escape", "del": "delete",
    "back_space": "backspace", "bksp": "backspace", "ins": "insert", " ": "space",
    "spacebar": "space", "caps_lock": "capslock", "num_lock": "numlock",
    "scroll_lock": "scrolllock", "print": "printscreen", "prtsc": "printscreen",
    "prntscrn": "printscreen",
    # navigation
    "arrowleft": "left", "arrowright": "right", "arrowup": "up", "arrowdown": "down",
    "arrow_left": "left", "arrow_right": "right", "arrow_up": "up", "arrow_down": "down",
    "page_up": "pageup", "prior": "pageup", "pgup": "pageup",
    "page_down": "pagedown", "next": "pagedown", "pgdn": "pagedown",
    # punctuation that models sometimes spell out
    "minus": "-", "plus": "+", "equal": "=", "equals": "=", "comma": ",", "period": ".",
    "slash": "/", "backslash": "\\", "semicolon": ";", "apostrophe": "'", "quote": "'",
    "grave": "`", "backtick": "`", "bracketleft": "[", "bracketright": "]",
    "divide": "/", "multiply": "*", "asterisk": "*",
}

# computer_13 / pyautogui names that are not a single printable character.
NAMED_KEYS: frozenset[str] = frozenset({
    "enter", "tab", "space", "backspace", "delete", "escape", "insert", "home", "end",
    "pageup", "pagedown", "left", "right", "up", "down", "ctrl", "ctrlleft", "ctrlright",
    "shift", "shiftleft", "shiftright", "alt", "altleft", "altright", "win", "winleft",
    "winright", "capslock", "numlock", "scrolllock", "printscreen", "pause", "menu",
    "volumeup", "volumedown", "volumemute",
    *(f"f{i}" for i in range(1, 25)),
})

# computer_13 name -> X keysym (what `xdotool key` expects).
_XDOTOOL: dict[str, str] = {
    "enter": "Return", "tab": "Tab", "space": "space", "backspace": "BackSpace",
    "delete": "Delete", "escape": "Escape", "insert": "Insert", "home": "Home", "end": "End",
    "pageup": "Prior", "pagedown": "Next", "left": "Left", "right": "Right", "up": "Up",
    "down": "Down", "ctrl": "ctrl", "ctrlleft": "Control_L", "ctrlright": "Control_R",
    "shift": "shift", "shiftleft": "Shift_L", "shiftright": "Shift_R", "alt": "alt",
    "altleft": "Alt_L", "altright": "Alt_R", "win": "super", "winleft": "Super_L",
    "winright": "Super_R", "capslock": "Caps_Lock", "numlock": "Num_Lock",
    "scrolllock": "Scroll_Lock", "printscreen": "Print", "pause": "Pause", "menu": "Menu",
    "volumeup": "XF86AudioRaiseVolume", "volumedown": "XF86AudioLowerVolume",
    "volumemute": "XF86AudioMute",
    "-": "minus", "+": "plus", "=": "equal", ",": "comma", ".": "period", "/": "slash",
    "\\": "backslash", ";": "semicolon", "'": "apostrophe", "`": "grave",
    "[": "bracketleft", "]": "bracketright", "*": "asterisk",
    **{f"f{i}": f"F{i}" for i in range(1, 25)},
}


class UnknownKeyError(ValueError):
    """A key name no mapping knows; the message says which."""


def env_key(name: str) -> str:
    """Map a model's key name onto the computer_13 (pyautogui) name.

    Single printable characters keep their case (``"A"`` stays ``"A"``); named keys are
    matched case-insensitively (``"ENTER"``, ``"Return"`` -> ``"enter"``).
    """
    if not isinstance(name, str) or name == "":
        raise UnknownKeyError(f"empty or non-string key name: {name!r}")
    if len(name) == 1:
        return "space" if name == " " else name
    low = name.strip().lower()
    low = _ALIASES.get(low, low)
    if low in NAMED_KEYS or len(low) == 1:
        return low
    raise UnknownKeyError(f"unknown key name {name!r}")


def xdotool_key(name: str) -> str:
    """The X keysym name xdotool uses for a key given in any vocabulary."""
    key = env_key(name)
    return _XDOTOOL.get(key, key)


def split_combo(text: str) -> list[str]:
    """Split a combination written as one string (``"ctrl+shift+t"``) into key names."""
    if len(text) > 1 and "+" in text.strip("+"):
        return [part for part in text.split("+") if part]
    return [text]
