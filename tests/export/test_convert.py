"""Episode -> sample conversion on hand-made step records (the shapes the runner stores)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.export.seed import H, W, png
from trajectories.export.desktop import ConversionError, desktop_sample
from trajectories.export.sample import EpisodeData, EpisodeMeta
from trajectories.records import ModelCall, StepRecord

SHOTS = {f"{i:064x}": png(i) for i in range(1, 12)}
SHA = list(SHOTS)


def _episode(actions: list[dict[str, Any] | None], outputs: dict[int, dict[str, Any]] | None = None,
             model_turns: set[int] | None = None) -> EpisodeData:
    """Step 0 plus one step per action; `model_turns` = indexes of steps that carry a model call."""
    obs = {"screenshot": {"artifact": "screenshot", "shape": [H, W, 3]}, "instruction": "Do it."}
    steps = [StepRecord(index=0, observation=obs, observation_artifacts={"screenshot": SHA[0]})]
    for i, action in enumerate(actions, 1):
        calls = [ModelCall(model="m")] if model_turns and i in model_turns else []
        steps.append(StepRecord(index=i, observation=obs, observation_artifacts={"screenshot": SHA[i]},
                                action=action, model_calls=calls, agent_output=(outputs or {}).get(i, {}),
                                terminated=i == len(actions)))
    meta = EpisodeMeta(id="ep", run_id="run", env="osworld-lite", domain="d", task_id="t", split="train",
                       agent="model", model="gpt-5.4-mini", status="succeeded")
    return EpisodeData(meta=meta, steps=steps)


def _replies(actions: list[dict[str, Any] | None], **kw: Any) -> list[list[dict[str, Any]]]:
    sample = desktop_sample(_episode(actions, **kw), SHOTS.__getitem__)
    return [[c["function"]["arguments"] for c in m["tool_calls"]] for m in sample.messages
            if m["role"] == "assistant" and m.get("tool_calls")]


def test_baseline_steps_are_one_reply_each_and_scroll_splits_by_axis() -> None:
    replies = _replies([{"action_type": "SCROLL", "x": 160, "y": 100, "dx": 2, "dy": -3},
                        {"action_type": "CLICK", "x": 32, "y": 20, "button": "middle"},
                        {"action_type": "DONE"}])
    assert replies == [
        [{"action": "scroll", "pixels": -3, "coordinate": [500, 500]},
         {"action": "hscroll", "pixels": 2, "coordinate": [500, 500]}],
        [{"action": "middle_click", "coordinate": [100, 100]}],
        [{"action": "terminate", "status": "success"}],
    ]
    sample = desktop_sample(_episode([{"action_type": "SCROLL", "dx": 0, "dy": 2}, {"action_type": "DONE"}]),
                            SHOTS.__getitem__)
    roles = [m["role"] for m in sample.messages]
    assert roles == ["system", "user", "assistant", "tool", "user", "assistant"]


def test_a_drag_spelled_out_over_several_steps_is_one_call() -> None:
    replies = _replies([{"action_type": "MOVE_TO", "x": 32, "y": 20}, {"action_type": "MOUSE_DOWN"},
                        {"action_type": "MOVE_TO", "x": 96, "y": 60}, {"action_type": "MOVE_TO", "x": 160, "y": 100},
                        {"action_type": "MOUSE_UP"}, {"action_type": "DONE"}])
    assert replies == [[{"action": "mouse_move", "coordinate": [100, 100]}],
                       [{"action": "left_click_drag", "coordinate": [500, 500]}],
                       [{"action": "terminate", "status": "success"}]]


def test_qwen_answer_is_kept() -> None:
    replies = _replies([{"action_type": "DONE"}], outputs={1: {"answer": "42 rows"}}, model_turns={1})
    assert replies == [[{"action": "answer", "text": "42 rows"}]]


def test_nothing_after_the_end_of_the_task() -> None:
    replies = _replies([{"action_type": "FAIL"}, {"action_type": "CLICK", "x": 1, "y": 1}], model_turns={1})
    assert replies == [[{"action": "terminate", "status": "failure"}]]


@pytest.mark.parametrize("actions, message", [
    ([{"action_type": "KEY_DOWN", "key": "shift"}, {"action_type": "CLICK", "x": 5, "y": 5},
      {"action_type": "KEY_UP", "key": "shift"}], "KEY_DOWN"),
    ([{"action_type": "PYAUTOGUI", "code": "pyautogui.click(1, 1)"}], "PYAUTOGUI"),
    ([{"action_type": "MOUSE_DOWN"}, {"action_type": "MOVE_TO", "x": 5, "y": 5}], "mouse button held down"),
    ([{"action_type": "MOUSE_DOWN"}, {"action_type": "TYPING", "text": "x"}], "during a mouse drag"),
])
def test_actions_without_a_computer_use_form_are_refused(actions: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ConversionError, match=message):
        desktop_sample(_episode(actions), SHOTS.__getitem__)


def test_an_episode_without_its_first_screenshot_is_refused() -> None:
    episode = _episode([{"action_type": "DONE"}])
    episode.steps[0].observation_artifacts = {}
    with pytest.raises(ConversionError, match="no screenshot"):
        desktop_sample(episode, SHOTS.__getitem__)
