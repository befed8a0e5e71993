"""The pyautogui parser maps whitelisted calls to actions and rejects everything else."""
from __future__ import annotations

import pytest

from envs.osworld_lite.actions import parse_action
from envs.osworld_lite.pyautogui_parser import PyAutoGuiError, parse_pyautogui


@pytest.mark.parametrize("code, expected", [
    ("pyautogui.click(10, 20)", [{"action_type": "CLICK", "x": 10, "y": 20, "button": "left", "num_clicks": 1}]),
    ("pyautogui.click(x=5, y=6, clicks=2, button='right')",
     [{"action_type": "CLICK", "x": 5, "y": 6, "button": "right", "num_clicks": 2}]),
    ("pyautogui.click()", [{"action_type": "CLICK", "button": "left", "num_clicks": 1}]),
    ("pyautogui.doubleClick(1, 2)", [{"action_type": "CLICK", "x": 1, "y": 2, "button": "left", "num_clicks": 2}]),
    ("pyautogui.tripleClick(1, 2)", [{"action_type": "CLICK", "x": 1, "y": 2, "button": "left", "num_clicks": 3}]),
    ("pyautogui.rightClick((3, 4))", [{"action_type": "CLICK", "x": 3, "y": 4, "button": "right", "num_clicks": 1}]),
    ("pyautogui.moveTo(100, 200, duration=0.5)", [{"action_type": "MOVE_TO", "x": 100, "y": 200}]),
    ("pyautogui.dragTo(300, 400, button='left')", [{"action_type": "DRAG_TO", "x": 300, "y": 400, "button": "left"}]),
    ("pyautogui.scroll(-3)", [{"action_type": "SCROLL", "dx": 0, "dy": -3}]),
    ("pyautogui.hscroll(2, x=10, y=10)", [{"action_type": "MOVE_TO", "x": 10, "y": 10},
                                          {"action_type": "SCROLL", "dx": 2, "dy": 0}]),
    ("pyautogui.typewrite('hello\\n', interval=0.05)", [{"action_type": "TYPING", "text": "hello\n"}]),
    ("pyautogui.write('x')", [{"action_type": "TYPING", "text": "x"}]),
    ("pyautogui.press('enter', presses=2)", [{"action_type": "PRESS", "key": "enter"}] * 2),
    ("pyautogui.press(['tab', 'space'])",
     [{"action_type": "PRESS", "key": "tab"}, {"action_type": "PRESS", "key": "space"}]),
    ("pyautogui.hotkey('ctrl', 'shift', 't')", [{"action_type": "HOTKEY", "keys": ["ctrl", "shift", "t"]}]),
    ("pyautogui.keyDown('shift'); pyautogui.keyUp('shift')",
     [{"action_type": "KEY_DOWN", "key": "shift"}, {"action_type": "KEY_UP", "key": "shift"}]),
    ("pyautogui.mouseDown(); pyautogui.mouseUp(button='right')",
     [{"action_type": "MOUSE_DOWN", "button": "left"}, {"action_type": "MOUSE_UP", "button": "right"}]),
    ("import pyautogui\nimport time\npyautogui.click(1, 1)\ntime.sleep(0.5)",
     [{"action_type": "CLICK", "x": 1, "y": 1, "button": "left", "num_clicks": 1},
      {"action_type": "WAIT", "seconds": 0.5}]),
    ("DONE", [{"action_type": "DONE"}]),
    (" FAIL ", [{"action_type": "FAIL"}]),
    ("WAIT", [{"action_type": "WAIT"}]),
])
def test_whitelisted_calls_map_to_actions(code: str, expected: list[dict]) -> None:
    actions = parse_pyautogui(code)
    assert actions == expected
    for a in actions:  # every produced action is a valid computer_13 action
        parse_action(a, screen=(1280, 720))


@pytest.mark.parametrize("code, reason", [
    ("import os", "Import"),
    ("import pyautogui as p\np.click(1, 1)", "Import"),
    ("from pyautogui import click", "ImportFrom"),
    ("os.system('rm -rf ~')", "os.system is not allowed"),
    ("pyautogui.FAILSAFE = False", "Assign"),
    ("pyautogui.screenshot('x.png')", "pyautogui.screenshot is not allowed"),
    ("pyautogui.__class__", "only pyautogui calls"),
    ("pyautogui.click.__globals__['os']", "only pyautogui calls"),
    ("click(1, 2)", "of the form pyautogui"),
    ("exec('import os')", "of the form pyautogui"),
    ("eval('1')", "of the form pyautogui"),
    ("__import__('os').system('id')", "of the form pyautogui"),
    ("for i in range(3): pyautogui.click(1, 1)", "For"),
    ("while True: pass", "While"),
    ("x = 5\npyautogui.click(x, x)", "Assign"),
    ("pyautogui.click(x, 5)", "only literal arguments"),
    ("pyautogui.click(1 + 1, 5)", "only literal arguments"),
    ("pyautogui.typewrite(open('/etc/passwd').read())", "only literal arguments"),
    ("pyautogui.typewrite(f'{1}')", "only literal arguments"),
    ("pyautogui.click(*[1, 2])", "* and ** arguments"),
    ("pyautogui.click(**{'x': 1})", "* and **"),
    ("pyautogui.click(1, 2, bogus=3)", "no argument 'bogus'"),
    ("lambda: pyautogui.click(1, 1)", "only pyautogui calls"),
    ("pyautogui.click(1, 1) if True else None", "only pyautogui calls"),
    ("def f(): pass", "FunctionDef"),
    ("with open('x') as f: pass", "With"),
    ("pyautogui.click(1, 1", "not valid Python"),
    ("", "no pyautogui call"),
    ("subprocess.run(['id'])", "subprocess.run is not allowed"),
    ("time.time()", "time.time is not allowed"),
    ("pyautogui.sleep(1)", "pyautogui.sleep is not allowed"),
])
def test_everything_else_is_rejected(code: str, reason: str) -> None:
    with pytest.raises(PyAutoGuiError) as err:
        parse_pyautogui(code)
    assert reason in str(err.value)


def test_statement_count_is_bounded() -> None:
    with pytest.raises(PyAutoGuiError, match="at most"):
        parse_pyautogui("\n".join(["pyautogui.press('a')"] * 101))


def test_unknown_key_is_caught_when_the_action_is_validated() -> None:
    (action,) = parse_pyautogui("pyautogui.press('notakey')")
    with pytest.raises(ValueError, match="unknown key 'notakey'"):
        parse_action(action)
