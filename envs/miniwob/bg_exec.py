"""Carries out parsed BrowserGym calls (envs/miniwob/bg_actions.py) on a Playwright page, as
BrowserGym's own action functions do: element actions go through Playwright's locators (which
scroll the element into view and send real mouse and keyboard events), coordinates are CSS
pixels. An element id that is not on the page, or an action Playwright refuses, is an
ActionError for the agent, never a crash.
"""
from __future__ import annotations

from typing import Any

from envs.miniwob.bg_actions import UNSUPPORTED, Call
from envs.osworld_lite.actions import ActionError

ELEMENT_TIMEOUT_MS = 500   # BrowserGym's demo mode waits longer; an absent element fails fast here


def _elem(page: Any, bid: str) -> Any:
    locator = page.locator(f'[bid="{int(bid)}"]')
    if locator.count() == 0:
        raise ActionError(f"no element with bid {bid!r} on the page")
    return locator.first


def run_call(page: Any, call: Call) -> None:
    try:
        _run(page, call)
    except ActionError:
        raise
    except Exception as exc:
        from playwright.sync_api import Error as PlaywrightError

        if not isinstance(exc, PlaywrightError):   # Playwright's refusals only; bugs stay loud
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ActionError(f"{call.name}: {first[:300]}") from None


def _run(page: Any, call: Call) -> None:
    a, t = call.args, ELEMENT_TIMEOUT_MS
    mouse, keyboard = page.mouse, page.keyboard
    match call.name:
        case name if name in UNSUPPORTED:
            raise ActionError(f"{name} is not available on a MiniWoB page (one page, no files, no navigation)")
        case "noop":
            page.wait_for_timeout(float(a["wait_ms"]))
        case "scroll":
            mouse.wheel(float(a["delta_x"]), float(a["delta_y"]))
        case "fill":
            _elem(page, a["bid"]).fill(a["value"], timeout=t)
        case "select_option":
            _elem(page, a["bid"]).select_option(a["options"], timeout=t)
        case "click":
            _elem(page, a["bid"]).click(button=a["button"], modifiers=a["modifiers"], timeout=t)
        case "dblclick":
            _elem(page, a["bid"]).dblclick(button=a["button"], modifiers=a["modifiers"], timeout=t)
        case "hover":
            _elem(page, a["bid"]).hover(timeout=t)
        case "press":
            _elem(page, a["bid"]).press(a["key_comb"], timeout=t)
        case "focus":
            _elem(page, a["bid"]).focus(timeout=t)
        case "clear":
            _elem(page, a["bid"]).clear(timeout=t)
        case "drag_and_drop":
            _elem(page, a["from_bid"]).drag_to(_elem(page, a["to_bid"]), timeout=t)
        case "mouse_move":
            mouse.move(a["x"], a["y"])
        case "mouse_up":
            mouse.move(a["x"], a["y"])
            mouse.up(button=a["button"])
        case "mouse_down":
            mouse.move(a["x"], a["y"])
            mouse.down(button=a["button"])
        case "mouse_click":
            mouse.click(a["x"], a["y"], button=a["button"])
        case "mouse_dblclick":
            mouse.dblclick(a["x"], a["y"], button=a["button"])
        case "mouse_drag_and_drop":
            mouse.move(a["from_x"], a["from_y"])
            mouse.down()
            mouse.move(a["to_x"], a["to_y"], steps=5)
            mouse.up()
        case "keyboard_down":
            keyboard.down(a["key"])
        case "keyboard_up":
            keyboard.up(a["key"])
        case "keyboard_press":
            keyboard.press(a["key"])
        case "keyboard_type":
            keyboard.type(a["text"])
        case "keyboard_insert_text":
            keyboard.insert_text(a["text"])
        case _:
            raise ActionError(f"{call.name} is not supported here")
