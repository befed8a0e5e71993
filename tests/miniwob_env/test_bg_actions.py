"""BrowserGym action strings: parsed with ast, never executed; hostile strings rejected."""
from __future__ import annotations

import pytest

from envs.miniwob.bg_actions import Call, parse
from envs.miniwob.input import playwright_key
from envs.osworld_lite.actions import ActionError


def test_browsergym_calls_parse_with_their_defaults() -> None:
    assert parse("click('12')") == [Call("click", {"bid": "12", "button": "left", "modifiers": []})]
    assert parse('fill("3", "Hello, world")') == [Call("fill", {"bid": "3", "value": "Hello, world"})]
    assert parse("noop()") == [Call("noop", {"wait_ms": 1000})]
    assert parse("scroll(0, -200.5)") == [Call("scroll", {"delta_x": 0, "delta_y": -200.5})]
    assert parse("select_option('4', ['a', 'b'])")[0].args["options"] == ["a", "b"]
    assert parse("click(bid='7', button='right', modifiers=['Shift'])")[0].args == {
        "bid": "7", "button": "right", "modifiers": ["Shift"]}
    # BrowserGym's multi-action mode: one call per line
    assert [c.name for c in parse("click('1')\nkeyboard_type('abc')\nsend_msg_to_user('done')")] == [
        "click", "keyboard_type", "send_msg_to_user"]


@pytest.mark.parametrize("code, message", [
    ("__import__('os').system('touch /tmp/pwned')", "bare name"),
    ("exec('print(1)')", "unknown action"),
    ("click('1'); import os", "only function calls"),
    ("import os", "only function calls"),
    ("x = click('1')", "only function calls"),
    ("click(open('/etc/passwd').read())", "literals"),
    ("fill('1', f'{__import__(\"os\")}')", "literals"),
    ("fill('1', 'a' + 'b')", "literals"),
    ("click((lambda: '1')())", "literals"),
    ("click(*['1'])", "literals"),
    ("click(**{'bid': '1'})", r"\*\*kwargs"),
    ("click('1', bid='1')", "given twice"),
    ("click('1', evil=1)", "no parameter"),
    ("click('a[onclick]')", "element id"),
    ("click(12)", "element id"),
    ("click('1', 'left', ['Hyper'])", "modifiers"),
    ("noop(wait_ms=10**9)", "literals"),
    ("noop(wait_ms=100000000)", "between 0 and 60000"),
    ("keyboard_press('Enter\\n')", "short key name"),
    ("click(", "not a BrowserGym action"),
    ("", "empty"),
    ("\n".join(["noop(0)"] * 21), "at most 20"),
    ("fill('1', '" + "a" * 10_001 + "')", "longer than"),
])
def test_hostile_or_malformed_strings_are_rejected(code: str, message: str) -> None:
    with pytest.raises(ActionError, match=message):
        parse(code)


def test_desktop_key_names_map_to_playwright_and_unknown_ones_are_errors() -> None:
    assert [playwright_key(k) for k in ("enter", "Return", "ctrl", "pagedown", "a", "F5")] == [
        "Enter", "Enter", "Control", "PageDown", "a", "F5"]
    with pytest.raises(ActionError, match="unknown key"):
        playwright_key("hyperdrive")
