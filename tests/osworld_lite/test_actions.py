"""The computer_13 action model: accepted shapes and the errors bad actions get."""
from __future__ import annotations

import json

import numpy as np
import pytest

from envs.osworld_lite import actions as A
from envs.osworld_lite.sampling import sample_action

SCREEN = (1280, 720)


def test_flat_nested_json_and_model_forms_agree() -> None:
    flat = {"action_type": "CLICK", "x": 10, "y": 20, "button": "right", "num_clicks": 2}
    nested = {"action_type": "CLICK", "parameters": {"x": 10, "y": 20, "button": "right", "num_clicks": 2}}
    models = [A.parse_action(flat), A.parse_action(nested), A.parse_action(json.dumps(flat)),
              A.parse_action(A.Click(x=10, y=20, button="right", num_clicks=2))]
    assert all(m == models[0] for m in models)
    assert models[0].to_dict() == flat


def test_every_action_type_parses() -> None:
    samples = [
        {"action_type": "MOVE_TO", "x": 1, "y": 2}, {"action_type": "CLICK"},
        {"action_type": "MOUSE_DOWN", "button": "middle"}, {"action_type": "MOUSE_UP"},
        {"action_type": "RIGHT_CLICK", "x": 3, "y": 4}, {"action_type": "DOUBLE_CLICK"},
        {"action_type": "DRAG_TO", "x": 5, "y": 6}, {"action_type": "SCROLL", "dy": -2},
        {"action_type": "TYPING", "text": "héllo ✓"}, {"action_type": "PRESS", "key": "enter"},
        {"action_type": "KEY_DOWN", "key": "shift"}, {"action_type": "KEY_UP", "key": "shift"},
        {"action_type": "HOTKEY", "keys": ["ctrl", "alt", "t"]}, {"action_type": "WAIT", "seconds": 0.5},
        {"action_type": "FAIL"}, {"action_type": "DONE"},
        {"action_type": "PYAUTOGUI", "code": "pyautogui.click(1, 1)"},
    ]
    kinds = {A.parse_action(s, screen=SCREEN).action_type for s in samples}
    assert kinds == set(A.ACTION_TYPES)


def test_lower_case_type_and_float_coordinates_are_normalised() -> None:
    m = A.parse_action({"action_type": "move_to", "x": 10.6, "y": 3.2})
    assert (m.action_type, m.x, m.y) == ("MOVE_TO", 11, 3)


@pytest.mark.parametrize("action, message", [
    ({"action_type": "PRESS", "key": "enterr"}, "unknown key 'enterr'"),
    ({"action_type": "HOTKEY", "keys": ["ctrl", "bogus"]}, "unknown key 'bogus'"),
    ({"action_type": "HOTKEY", "keys": []}, "keys"),
    ({"action_type": "CLICK", "x": 5000, "y": 10}, "off the 1280x720 screen"),
    ({"action_type": "MOVE_TO", "x": -1, "y": 10}, "off the"),
    ({"action_type": "CLICK", "x": 5}, "give both x and y"),
    ({"action_type": "CLICK", "x": 1, "y": 1, "num_clicks": 9}, "num_clicks"),
    ({"action_type": "CLICK", "x": 1, "y": 1, "button": "fourth"}, "button"),
    ({"action_type": "TYPING"}, "text"),
    ({"action_type": "TYPING", "text": "a", "speed": 3}, "speed"),
    ({"action_type": "WAIT", "seconds": 3600}, "seconds"),
    ({"action_type": "TELEPORT"}, "unknown action_type 'TELEPORT'"),
    ({"x": 1}, "unknown action_type None"),
    ({"action_type": "CLICK", "x": 1, "y": 1, "parameters": {"x": 2}}, "given twice"),
    ({"action_type": "CLICK", "parameters": [1, 2]}, "\"parameters\" must be an object"),
    ("{not json", "not valid JSON"),
    ([1, 2], "must be an object"),
])
def test_bad_actions_raise_action_error_with_a_reason(action, message: str) -> None:
    with pytest.raises(A.ActionError) as err:
        A.parse_action(action, screen=SCREEN)
    assert message in str(err.value)


def test_sampled_actions_are_valid_and_never_end_the_episode() -> None:
    rng = np.random.default_rng(0)
    for _ in range(300):
        a = A.parse_action(sample_action(rng, *SCREEN), screen=SCREEN)
        assert a.action_type not in ("DONE", "FAIL")
