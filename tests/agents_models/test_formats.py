"""Conversions between model wire formats and env actions (pure functions)."""
from __future__ import annotations

import itertools

import pytest

from agents.formats import (
    ActionConversionError, CoordinateSpace, chat_tool_call_to_env, computer_use_tool,
    env_key, env_to_chat_message, env_to_openai, env_to_qwen, openai_actions_to_env,
    parse_arguments, qwen_to_env, smart_resize, xdotool_key,
)


@pytest.mark.parametrize("w,h", [(1920, 1080), (1280, 720), (800, 600), (1000, 1000), (333, 777)])
def test_grid_pixel_round_trip(w: int, h: int) -> None:
    space = CoordinateSpace(w, h)
    step = max(w, h) // 37 or 1
    for x, y in itertools.product(range(0, w, step), range(0, h, step)):
        gx, gy = space.from_screen(x, y)
        assert 0 <= gx <= 1000 and 0 <= gy <= 1000
        sx, sy = space.to_screen(gx, gy)
        # one grid step spans width/1000 pixels: the round trip is off by at most half a step
        assert abs(sx - x) <= w / 2000 + 0.5 and abs(sy - y) <= h / 2000 + 0.5
    for g in range(0, 1001, 7):  # grid -> pixels -> grid is exact when the screen is >= the grid
        if w >= 1000 and h >= 1000:
            assert space.from_screen(*space.to_screen(g, g)) == (min(g, 1000), min(g, 1000)) or g == 1000


def test_grid_corners_and_clamping() -> None:
    space = CoordinateSpace(1920, 1080)
    assert space.to_screen(0, 0) == (0, 0)
    assert space.to_screen(1000, 1000) == (1919, 1079)       # clamped onto the screen
    assert space.to_screen(-5, 2000) == (0, 1079)
    assert space.to_screen(500, 250) == (960, 270)


def test_absolute_convention_uses_resized_image() -> None:
    assert smart_resize(1080, 1920) == (1088, 1920)
    assert smart_resize(600, 800) == (608, 800)
    h, w = smart_resize(20000, 20000)
    assert h * w <= 16_777_216 and h % 32 == 0 and w % 32 == 0
    space = CoordinateSpace(1920, 1080, "absolute")
    assert (space.model_width, space.model_height) == (1920, 1088)
    assert space.to_screen(960, 544) == (960, 540)
    half = CoordinateSpace(1920, 1080, "absolute", image_width=960, image_height=540)
    assert half.to_screen(480, 270) == (960, 540) and half.from_screen(960, 540) == (480, 270)
    tool = computer_use_tool(half)
    assert "960x540" in tool["function"]["description"]
    assert "1000x1000" in computer_use_tool(CoordinateSpace(1920, 1080))["function"]["description"]
    with pytest.raises(ValueError, match="convention"):
        CoordinateSpace(10, 10, "normalized")  # type: ignore[arg-type]


@pytest.mark.parametrize("name,env,xdo", [
    ("ENTER", "enter", "Return"), ("Return", "enter", "Return"), ("CTRL", "ctrl", "ctrl"),
    ("ARROWLEFT", "left", "Left"), ("ESC", "escape", "Escape"), ("PageDown", "pagedown", "Next"),
    ("CMD", "win", "super"), ("SPACE", "space", "space"), (" ", "space", "space"),
    ("a", "a", "a"), ("A", "A", "A"), ("F5", "f5", "F5"), ("BACKSPACE", "backspace", "BackSpace"),
    ("/", "/", "slash"), ("option", "alt", "alt"),
])
def test_key_mapping(name: str, env: str, xdo: str) -> None:
    assert env_key(name) == env
    assert xdotool_key(name) == xdo


def test_unknown_key_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="HYPERDRIVE"):
        env_key("HYPERDRIVE")
    with pytest.raises(ActionConversionError, match="unknown key"):
        qwen_to_env({"action": "key", "keys": ["ctrl", "warp"]}, CoordinateSpace(100, 100))


def test_qwen_calls_to_env_actions() -> None:
    s = CoordinateSpace(1920, 1080)
    assert qwen_to_env({"action": "left_click", "coordinate": [500, 500]}, s) == [
        {"action_type": "CLICK", "button": "left", "num_clicks": 1, "x": 960, "y": 540}]
    assert qwen_to_env({"action": "left_click", "coordinate": "[500, 500]"}, s)[0]["x"] == 960
    assert qwen_to_env({"action": "triple_click", "coordinate": [0, 0]}, s)[0]["num_clicks"] == 3
    assert qwen_to_env({"action": "key", "keys": ["ctrl", "s"]}, s) == [
        {"action_type": "HOTKEY", "keys": ["ctrl", "s"]}]
    assert qwen_to_env({"action": "key", "keys": "ctrl+shift+t"}, s) == [
        {"action_type": "HOTKEY", "keys": ["ctrl", "shift", "t"]}]
    assert qwen_to_env({"action": "key", "keys": ["Return"]}, s) == [{"action_type": "PRESS", "key": "enter"}]
    assert qwen_to_env({"action": "scroll", "pixels": -5, "coordinate": [100, 100]}, s) == [
        {"action_type": "MOVE_TO", "x": 192, "y": 108}, {"action_type": "SCROLL", "dx": 0, "dy": -5}]
    assert qwen_to_env({"action": "hscroll", "pixels": 3}, s) == [{"action_type": "SCROLL", "dx": 3, "dy": 0}]
    assert qwen_to_env({"action": "left_click_drag", "coordinate": [1000, 0]}, s) == [
        {"action_type": "DRAG_TO", "x": 1919, "y": 0}]
    assert qwen_to_env({"action": "wait", "time": 2}, s) == [{"action_type": "WAIT", "seconds": 2.0}]
    assert qwen_to_env({"action": "terminate", "status": "success"}, s) == [{"action_type": "DONE"}]
    assert qwen_to_env({"action": "terminate", "status": "failure"}, s) == [{"action_type": "FAIL"}]
    assert qwen_to_env({"action": "answer", "text": "42"}, s) == [{"action_type": "DONE"}]


@pytest.mark.parametrize("args,msg", [
    ({"action": "fly"}, "unknown action"), ({"action": "type"}, "text"),
    ({"action": "mouse_move"}, "coordinate"), ({"action": "left_click", "coordinate": [1]}, r"\[x, y\]"),
    ({"action": "left_click", "coordinate": ["a", "b"]}, "two numbers"),
    ({"action": "scroll"}, "pixels"), ({"action": "terminate", "status": "maybe"}, "status"),
    ({"action": "key", "keys": []}, "keys"),
])
def test_malformed_qwen_calls(args: dict, msg: str) -> None:
    with pytest.raises(ActionConversionError, match=msg):
        qwen_to_env(args, CoordinateSpace(800, 600))


def test_env_to_qwen_round_trip() -> None:
    s = CoordinateSpace(1920, 1080)
    actions = [
        {"action_type": "CLICK", "x": 960, "y": 540, "button": "left", "num_clicks": 1},
        {"action_type": "DOUBLE_CLICK", "parameters": {"x": 10, "y": 20}},
        {"action_type": "RIGHT_CLICK", "x": 100, "y": 200},
        {"action_type": "MOVE_TO", "x": 1918, "y": 2},
        {"action_type": "DRAG_TO", "x": 300, "y": 400},
        {"action_type": "TYPING", "text": "hello\n"},
        {"action_type": "PRESS", "key": "enter"},
        {"action_type": "HOTKEY", "keys": ["ctrl", "s"]},
        {"action_type": "SCROLL", "dx": 0, "dy": -3},
        {"action_type": "WAIT", "seconds": 1.5},
        {"action_type": "DONE"}, {"action_type": "FAIL"},
    ]
    for a in actions:
        calls = env_to_qwen(a, s)
        back = [e for c in calls for e in qwen_to_env(c, s)]
        assert len(back) == 1, (a, calls, back)
        b = back[0]
        want = {"DOUBLE_CLICK": "DOUBLE_CLICK"}.get(a["action_type"], a["action_type"])
        assert b["action_type"] == want
        params = a.get("parameters", a)
        if "x" in params:
            assert abs(b["x"] - params["x"]) <= 1 and abs(b["y"] - params["y"]) <= 1
        for key in ("text", "key", "keys", "dy", "seconds"):
            if key in params:
                assert b[key] == params[key]
    for a in ({"action_type": "MOUSE_DOWN"}, {"action_type": "PYAUTOGUI", "code": "x"}):
        with pytest.raises(ActionConversionError):
            env_to_qwen(a, s)


def test_openai_batched_actions_in_order() -> None:
    batch = [
        {"type": "click", "button": "left", "x": 100, "y": 50},
        {"type": "type", "text": "ls\n"},
        {"type": "keypress", "keys": ["CTRL", "L"]},
        {"type": "keypress", "keys": ["ENTER"]},
        {"type": "screenshot"},
        {"type": "scroll", "x": 10, "y": 20, "scroll_x": 0, "scroll_y": 250},
        {"type": "drag", "path": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]},
        {"type": "double_click", "x": 7, "y": 8, "keys": ["SHIFT"]},
        {"type": "click", "button": "wheel", "x": 1, "y": 1},
        {"type": "wait"},
    ]
    got = openai_actions_to_env(batch, scale=2.0, screen=(1920, 1080))
    assert [a["action_type"] for a in got] == [
        "CLICK", "TYPING", "HOTKEY", "PRESS", "MOVE_TO", "SCROLL", "MOVE_TO", "DRAG_TO",
        "KEY_DOWN", "DOUBLE_CLICK", "KEY_UP", "CLICK", "WAIT"]
    assert got[0] == {"action_type": "CLICK", "x": 200, "y": 100, "button": "left", "num_clicks": 1}
    assert got[2]["keys"] == ["ctrl", "l"] and got[3]["key"] == "enter"
    assert got[5] == {"action_type": "SCROLL", "dx": 0, "dy": -2}   # down 250px = 2 notches down
    assert got[8]["key"] == "shift" and got[11]["button"] == "middle"
    long = openai_actions_to_env([{"type": "drag", "path": [{"x": 0, "y": 0}, {"x": 5, "y": 5}, {"x": 9, "y": 0}]}])
    assert [a["action_type"] for a in long] == ["MOVE_TO", "MOUSE_DOWN", "MOVE_TO", "MOVE_TO", "MOUSE_UP"]
    for bad, msg in [({"type": "click", "button": "back", "x": 1, "y": 1}, "back"),
                     ({"type": "teleport"}, "unknown computer action"),
                     ({"type": "click", "button": "left"}, "x and y"),
                     ({"type": "drag", "path": [{"x": 1, "y": 1}]}, "two points")]:
        with pytest.raises(ActionConversionError, match=msg):
            openai_actions_to_env([bad])


def test_env_to_openai_inverts_openai_to_env() -> None:
    actions = [{"action_type": "CLICK", "x": 40, "y": 60, "button": "left", "num_clicks": 1},
               {"action_type": "TYPING", "text": "abc"}, {"action_type": "HOTKEY", "keys": ["ctrl", "a"]},
               {"action_type": "PRESS", "key": "enter"}, {"action_type": "RIGHT_CLICK", "x": 2, "y": 4}]
    for a in actions:
        assert openai_actions_to_env(env_to_openai(a, scale=2.0), scale=2.0) == [
            {**a, "keys": [k for k in a["keys"]]} if "keys" in a else a]
    assert env_to_openai({"action_type": "DONE"}) is None


def test_tau2_tool_calls() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "get_order", "arguments": '{"order_id": "#W1"}'}}
    env = chat_tool_call_to_env(call, {"get_order"})
    assert env == {"type": "tool_call", "id": "c1", "name": "get_order", "arguments": {"order_id": "#W1"}}
    msg = env_to_chat_message(env)
    assert msg["tool_calls"][0]["function"]["arguments"] == {"order_id": "#W1"}
    assert env_to_chat_message(env, dict_arguments=False)["tool_calls"][0]["function"]["arguments"] == '{"order_id": "#W1"}'
    with pytest.raises(ActionConversionError, match="unknown tool 'nope'"):
        chat_tool_call_to_env({"function": {"name": "nope", "arguments": "{}"}}, {"get_order"})
    with pytest.raises(ActionConversionError, match="not valid JSON"):
        parse_arguments('{"order_id": ', "get_order")
    with pytest.raises(ActionConversionError, match="JSON object"):
        parse_arguments("[1, 2]")
    assert parse_arguments("") == {}


def test_exporter_uses_the_live_agents_texts() -> None:
    """Training data must show Qwen the very texts the live agent sends."""
    from agents.formats import AFTER_ACTION, EXECUTED, OMITTED_SCREENSHOT, TASK_PROMPT
    from trajectories.export import desktop
    assert desktop.QWEN_TASK == TASK_PROMPT
    assert desktop.AFTER_ACTION == AFTER_ACTION and desktop.EXECUTED == EXECUTED
    assert desktop.OMITTED == OMITTED_SCREENSHOT
