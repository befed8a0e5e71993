"""What the viewer draws for each action, and which screenshot it draws it on."""
from __future__ import annotations

from scoring.episodes import EpisodeSummary
from scoring.site.episode_view import build_episode_view, request_digest
from scoring.site.overlay import describe, shapes_for
from trajectories.records import StepRecord


def test_clicks_drags_and_pointer_tracking() -> None:
    shapes, pointer = shapes_for({"action_type": "MOVE_TO", "x": 10, "y": 20}, None)
    assert [s.kind for s in shapes] == ["move"] and pointer == (10.0, 20.0)
    # A click without coordinates happens where the pointer is.
    shapes, pointer = shapes_for({"action_type": "CLICK", "button": "right"}, pointer)
    assert (shapes[0].kind, shapes[0].x, shapes[0].y, shapes[0].label) == ("click", 10.0, 20.0, "right")
    shapes, pointer = shapes_for({"action_type": "DRAG_TO", "parameters": {"x": 300, "y": 40}}, pointer)
    assert (shapes[0].kind, shapes[0].x, shapes[0].y, shapes[0].x2, shapes[0].y2) == ("drag", 10, 20, 300, 40)
    assert pointer == (300.0, 40.0)
    shapes, _ = shapes_for({"action_type": "DOUBLE_CLICK", "x": 5, "y": 6}, pointer)
    assert shapes[0].label == "×2"
    shapes, _ = shapes_for({"action_type": "CLICK", "x": 5, "y": 6, "num_clicks": 3}, None)
    assert shapes[0].label == "×3"


def test_keys_text_scroll_and_unknowns() -> None:
    assert shapes_for({"action_type": "TYPING", "text": "a\nb"}, None)[0][0].label == "a⏎b"
    assert shapes_for({"action_type": "HOTKEY", "keys": ["ctrl", "s"]}, None)[0][0].label == "ctrl+s"
    assert shapes_for({"action_type": "PRESS", "key": "enter"}, None)[0][0].label == "press enter"
    scroll = shapes_for({"action_type": "SCROLL", "dx": 0, "dy": -3, "x": 50, "y": 60}, None)[0][0]
    assert (scroll.kind, scroll.x, scroll.dx, scroll.dy) == ("scroll", 50.0, 0, 1)   # dy < 0 scrolls down
    assert shapes_for({"action_type": "SCROLL", "dy": 2}, None)[0][0].kind == "note"
    assert shapes_for({"action_type": "DONE"}, None)[0][0].label == "DONE"
    assert shapes_for(None, (1.0, 2.0)) == ([], (1.0, 2.0))
    assert shapes_for({"action_type": "CLICK", "x": "nan?", "y": None}, None) == ([], None)


def test_pyautogui_code_is_parsed_not_run() -> None:
    code = "import os\npyautogui.click(100, 200)\npyautogui.dragTo(x=300, y=250)\npyautogui.write('hi')\nos.system('x')"
    shapes, pointer = shapes_for({"action_type": "PYAUTOGUI", "code": code}, None)
    assert [s.kind for s in shapes] == ["click", "drag", "text"]
    assert (shapes[1].x, shapes[1].y, shapes[1].x2, shapes[1].y2) == (100, 200, 300, 250)
    assert pointer == (300.0, 250.0)
    assert shapes_for({"action_type": "PYAUTOGUI", "code": "pyautogui.click(("}, None)[0][0].kind == "note"


def test_describe() -> None:
    assert describe({"action_type": "CLICK", "x": 1, "y": 2}) == "CLICK (1, 2)"
    assert describe({"type": "tool_call", "name": "get_order"}) == "tool call get_order"
    assert describe({"type": "message", "content": "hi"}) == "message to the user"
    assert describe({"action_type": "TYPING", "text": "x" * 100}).endswith("…")


def test_each_action_is_drawn_on_the_screen_it_was_applied_to() -> None:
    ep = EpisodeSummary(episode_id="e", run_id="r", env="osworld-lite", domain="os", task_id="t",
                        agent="oracle", status="succeeded", success=True)
    shot = lambda sha: {"screenshot": {"artifact": "screenshot", "shape": [720, 1280, 3]}}
    steps = [
        StepRecord(index=0, observation={**shot("a"), "instruction": "Do it."}, observation_artifacts={"screenshot": "a" * 64}),
        StepRecord(index=1, action={"action_type": "CLICK", "x": 1, "y": 2}, observation=shot("b"),
                   observation_artifacts={"screenshot": "b" * 64}),
        StepRecord(index=2, action={"action_type": "DONE"}, observation=shot("c"),
                   observation_artifacts={"screenshot": "c" * 64}, terminated=True),
    ]
    view = build_episode_view(ep, steps, image_url=lambda sha: f"../artifacts/{sha[:1]}.png")
    assert view.instruction == "Do it."
    assert view.steps[0].screen is None                       # the reset shows no action
    assert view.steps[1].screen.url == "../artifacts/a.png"   # the click lands on the first screen
    assert (view.steps[1].screen.width, view.steps[1].screen.height) == (1280, 720)
    assert view.steps[2].screen.url == "../artifacts/b.png"
    assert view.final_screen.url == "../artifacts/c.png"


def test_request_digest_shows_only_the_new_input() -> None:
    request = {"model": "qwen3.5-9b", "tools": [{"type": "function", "function": {"name": "computer_use"}}],
               "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u1"},
                            {"role": "assistant", "content": "a1"}, {"role": "tool", "content": "r1"},
                            {"role": "user", "content": [{"type": "image_ref", "sha256": "ab"}]}]}
    digest = request_digest(request)
    assert digest["messages"] == ["… 3 earlier items not shown", request["messages"][3], request["messages"][4]]
    assert digest["tools"] == ["computer_use"] and digest["model"] == "qwen3.5-9b"
    assert request["messages"][0] == {"role": "system", "content": "s"}      # the record is untouched
    first = {"messages": [{"role": "user", "content": "u1"}]}
    assert request_digest(first) == first


def test_call_view_reads_chat_and_responses_replies() -> None:
    from scoring.site.episode_view import call_view
    from trajectories.records import ModelCall

    chat = call_view(ModelCall(model="qwen3.5-9b", response={
        "role": "assistant", "content": None, "reasoning": "look first",
        "tool_calls": [{"id": "c1", "type": "function",
                        "function": {"name": "computer_use", "arguments": '{"action": "left_click", "coordinate": [1, 2]}'}}]}))
    assert chat.reasoning == "look first" and chat.content is None
    assert chat.tool_calls[0]["name"] == "computer_use"
    assert '"coordinate": [\n' in chat.tool_calls[0]["arguments"]       # indented, not one line
    broken = call_view(ModelCall(model="m", response={"tool_calls": [{"function": {"name": "f", "arguments": "{oops"}}]}))
    assert broken.tool_calls[0]["arguments"] == "{oops"
    failed = call_view(ModelCall(model="m", error="HTTP 503", attempt=2))
    assert failed.error == "HTTP 503" and failed.attempt == 2 and failed.request_json == ""
