"""OSWorldLiteEnv end to end on real apps: examples, gymnasium's checker, errors, crashes."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from envs.errors import InfrastructureError
from envs.osworld_lite.env import OSWorldLiteEnv
from envs.osworld_lite.suite import load_task_file
from envs.types import Termination
from tests.support.paths import require_shared

from .helpers import EXAMPLES, make_task

pytestmark = [pytest.mark.desktop]

XTERM = [{"type": "launch", "parameters": {"command": ["xterm"]}}]


def run_actions(env: OSWorldLiteEnv, actions: list) -> tuple[float, bool, dict]:
    reward, terminated, info = 0.0, False, {}
    for action in actions:
        _, reward, terminated, _, info = env.step(action)
        assert "action_error" not in info, info
        if terminated:
            break
    return reward, terminated, info


@pytest.fixture(scope="module")
def example_tasks():
    require_shared(EXAMPLES)
    return {t.id: t for t in load_task_file(EXAMPLES)}


@pytest.mark.parametrize("task_id", ["example-rename-jpeg", "example-infeasible-printer"])
def test_examples_pass_with_their_solution_and_fail_with_none(desktop, example_tasks, task_id: str) -> None:
    task = example_tasks[task_id]
    env = OSWorldLiteEnv(task, screen_width=800, screen_height=600)
    try:
        obs, info = env.reset(seed=0)
        assert obs["screenshot"].shape == (600, 800, 3) and obs["screenshot"].dtype == np.uint8
        assert obs["screenshot"].any(), "the screen is black: no app window"
        assert obs["instruction"] == task.instruction
        reward, terminated, info = run_actions(env, env.reference_solution())
        assert terminated and reward == 1.0, info
        assert info["evaluation"]["success"] is True
        expected = Termination.AGENT_FAIL if task.infeasible else Termination.AGENT_DONE
        assert info["termination"] == expected

        env.reset(seed=1)  # a fresh desktop: nothing of the solved episode is left
        _, reward, terminated, _, info = env.step({"action_type": "DONE"})
        assert terminated and reward == 0.0 and info["evaluation"]["success"] is False
    finally:
        env.close()


def test_gymnasium_env_checker_passes(desktop) -> None:
    env = OSWorldLiteEnv(make_task(id="bare"), screen_width=320, screen_height=240)
    try:
        check_env(env, skip_render_check=True)
    finally:
        env.close()


def test_family_makes_envs_from_a_task_file(desktop) -> None:
    require_shared(EXAMPLES)
    from envs.registry import get_family

    family = get_family("osworld-lite")
    infos = family.list_tasks(task_file=str(EXAMPLES))
    assert {i.id for i in infos} == {"example-rename-jpeg", "example-infeasible-printer"}
    env = family.make("example-infeasible-printer", task_file=str(EXAMPLES), screen_width=640,
                      screen_height=480, a11y=True, unknown_option="ignored")
    assert env.unwrapped.agent_spec().screen_width == 640
    assert env.unwrapped.task_info.infeasible is True
    env.close()
    for task_id in [i.id for i in family.list_tasks()][:3]:  # built-in tasks are gymnasium ids too
        assert f"osworld-lite/{task_id}" in gym.registry


def test_bad_actions_are_reported_and_the_episode_goes_on(desktop) -> None:
    env = OSWorldLiteEnv(make_task(config=XTERM), screen_width=640, screen_height=480)
    try:
        env.reset(seed=0)
        for bad in ({"action_type": "PRESS", "key": "nokey"}, {"action_type": "CLICK", "x": 900, "y": 10},
                    "{oops", {"action_type": "JUMP"}, {"action_type": "PYAUTOGUI", "code": "import os"},
                    {"action_type": "TYPING"}):
            obs, reward, terminated, truncated, info = env.step(bad)
            assert info.get("action_error"), bad
            assert (reward, terminated, truncated) == (0.0, False, False)
            assert env.observation_space.contains(obs)
        _, _, terminated, _, info = env.step(json.dumps({"action_type": "MOVE_TO", "x": 10, "y": 10}))
        assert not terminated and "action_error" not in info
    finally:
        env.close()


def test_terminal_typing_unicode_hotkeys_and_pyautogui(desktop) -> None:
    check = {"type": "vm_command_line", "command": "cat ~/u.txt; cat ~/p.txt", "shell": True}
    task = make_task(config=XTERM, evaluator={
        "func": "exact_match", "result": check, "expected": {"type": "rule", "rules": {"expected": "Grüße ✓ €\nok\n"}}})
    env = OSWorldLiteEnv(task, screen_width=640, screen_height=480)
    try:
        env.reset(seed=0)
        reward, terminated, info = run_actions(env, [
            {"action_type": "TYPING", "text": "cat > ~/u.txt\n"},
            {"action_type": "TYPING", "parameters": {"text": "Grüße ✓ €\n"}},
            {"action_type": "HOTKEY", "keys": ["ctrl", "d"]},
            {"action_type": "PYAUTOGUI", "code": "pyautogui.typewrite('echo ok > ~/p.txt')\npyautogui.press('enter')"},
            {"action_type": "WAIT", "seconds": 0.5},
            {"action_type": "DONE"},
        ])
        assert terminated and reward == 1.0, info["evaluation"]
    finally:
        env.close()


def test_the_agents_terminal_is_sandboxed(desktop, monkeypatch) -> None:
    canary = f"sk-canary-{time.monotonic_ns()}"
    monkeypatch.setenv("OPENAI_API_KEY", canary)
    project = Path(__file__).resolve().parents[2]
    probe = {"type": "vm_command_line", "command": "cat ~/probe.txt", "shell": True}
    env = OSWorldLiteEnv(make_task(config=XTERM, evaluator={
        "func": "exact_match", "result": probe, "expected": {"type": "rule", "rules": {"expected": "x"}}}),
        screen_width=640, screen_height=480)
    try:
        env.reset(seed=0)
        script = (f"(echo key=$OPENAI_API_KEY; touch {project}/PWNED && echo wrote-project; "
                  "touch /usr/PWNED && echo wrote-usr; ls /root && echo read-root; "
                  f"cat {project}/pyproject.toml && echo read-project; echo end) > ~/probe.txt 2>/dev/null\n")
        run_actions(env, [{"action_type": "TYPING", "text": script}, {"action_type": "WAIT", "seconds": 0.5}])
        evaluation = env.evaluate(Termination.MAX_STEPS)
        out = evaluation.details["metrics"][0]["result"]
        assert out == "key=\nend\n", out
        assert not (project / "PWNED").exists()
    finally:
        env.close()


def test_a_crashed_app_is_an_infrastructure_error(desktop) -> None:
    env = OSWorldLiteEnv(make_task(config=XTERM), screen_width=640, screen_height=480)
    try:
        env.reset(seed=0)
        (app,) = env.session.apps
        env.session.sandbox.kill(app.pid, signal.SIGKILL)
        time.sleep(0.2)
        with pytest.raises(InfrastructureError, match="xterm was killed by signal 9"):
            env.step({"action_type": "MOVE_TO", "x": 5, "y": 5})
    finally:
        env.close()


def test_an_app_killed_after_the_agent_acted_is_the_agents_doing(desktop) -> None:
    from envs.errors import EnvironmentDestroyed

    env = OSWorldLiteEnv(make_task(config=XTERM), screen_width=640, screen_height=480)
    try:
        env.reset(seed=0)
        env.step({"action_type": "MOVE_TO", "x": 5, "y": 5})
        (app,) = env.session.apps
        env.session.sandbox.kill(app.pid, signal.SIGKILL)
        time.sleep(0.2)
        with pytest.raises(EnvironmentDestroyed, match="xterm was killed by signal 9"):
            env.step({"action_type": "MOVE_TO", "x": 6, "y": 6})
        with pytest.raises(EnvironmentDestroyed):
            env.evaluate(Termination.AGENT_DONE)
    finally:
        env.close()


def test_a_dead_x_server_is_an_infrastructure_error(desktop) -> None:
    env = OSWorldLiteEnv(make_task(config=XTERM), screen_width=640, screen_height=480)
    try:
        env.reset(seed=0)
        env.step({"action_type": "MOVE_TO", "x": 5, "y": 5})  # even after the agent acted: host-side
        procs = env.session.sandbox.processes()
        os.kill(env.session.display.pid, signal.SIGKILL)
        time.sleep(0.2)
        with pytest.raises(InfrastructureError):
            env.step({"action_type": "CLICK", "x": 5, "y": 5})
    finally:
        env.close()
    assert all(not p.is_running() or p.status() == "zombie" for p in procs)


def test_copy_open_and_save_through_the_editor(desktop, tmp_path: Path) -> None:
    (tmp_path / "draft.txt").write_text("hello\n")
    (tmp_path / "final.txt").write_text("hello world\n")
    task_file = tmp_path / "tasks.json"
    task_file.write_text(json.dumps([{
        "id": "editor-append", "instruction": "Append ' world' to the first line of ~/Documents/draft.txt and save.",
        "domain": "text_editor",
        "config": [{"type": "copy", "parameters": {"file": "draft.txt", "path": "~/Documents/draft.txt"}},
                   {"type": "open", "parameters": {"path": "~/Documents/draft.txt"}}],
        "evaluator": {"func": "compare_text_file",
                      "result": {"type": "vm_file", "path": "/home/user/Documents/draft.txt", "dest": "draft.txt"},
                      "expected": {"type": "fixture", "file": "final.txt"}},
        "solution": [{"action_type": "HOTKEY", "keys": ["ctrl", "Home"]},
                     {"action_type": "PRESS", "key": "end"},
                     {"action_type": "TYPING", "text": " world"},
                     {"action_type": "HOTKEY", "keys": ["ctrl", "s"]},
                     {"action_type": "WAIT", "seconds": 0.5},
                     {"action_type": "DONE"}],
    }]))
    (task,) = load_task_file(task_file)
    env = OSWorldLiteEnv(task, screen_width=800, screen_height=600, a11y=True)
    try:
        obs, _ = env.reset(seed=0)
        tree = obs["accessibility_tree"].splitlines()
        assert tree[0].startswith("tag\tname\ttext")
        assert any(line.startswith("frame\t") and "draft.txt" in line for line in tree)  # AT-SPI: mousepad
        assert any(line.startswith("text\t\thello\t") for line in tree), tree  # the document's text
        assert any("draft.txt" in w["name"] for w in env.session.window_info())
        reward, terminated, info = run_actions(env, env.reference_solution())
        assert terminated and reward == 1.0, info["evaluation"]
    finally:
        env.close()


def test_osworld_postconfig_saves_through_the_pyautogui_parser(desktop) -> None:
    # OSWorld's postconfig drives the GUI with `python -c "import pyautogui; ..."`; the code goes
    # through the whitelist parser and XTEST (the sandbox has no pyautogui, nothing is executed).
    save = "import pyautogui; import time; pyautogui.hotkey('ctrl', 's'); time.sleep(0.5);"
    task = make_task(
        config=[{"type": "execute", "parameters": {"command": "printf 'a\\n' > ~/memo.txt", "shell": True}},
                {"type": "open", "parameters": {"path": "~/memo.txt"}}],
        evaluator={"func": ["exact_match", "lite_check_include_exclude"],
                   "result": [{"type": "vm_command_line", "command": ["cat", "~/memo.txt"]},
                              {"type": "list_directory", "path": "~"}],
                   "expected": [{"type": "rule", "rules": {"expected": "ab\n"}},
                                {"type": "rule", "rules": {"include": ["'memo.txt'"], "exclude": ["PWNED"]}}],
                   "postconfig": [{"type": "activate_window", "parameters": {"window_name": "memo.txt"}},
                                  {"type": "execute", "parameters": {"command": ["python", "-c", save]}}]})
    env = OSWorldLiteEnv(task, screen_width=640, screen_height=480)
    try:
        env.reset(seed=0)
        reward, terminated, info = run_actions(env, [
            {"action_type": "HOTKEY", "keys": ["ctrl", "end"]}, {"action_type": "PRESS", "key": "backspace"},
            {"action_type": "TYPING", "text": "b\n"}, {"action_type": "DONE"}])
        assert terminated and reward == 1.0, info["evaluation"]
    finally:
        env.close()


def test_every_reset_gets_a_fresh_desktop(desktop) -> None:
    env = OSWorldLiteEnv(make_task(config=XTERM), screen_width=640, screen_height=480)
    try:
        env.reset(seed=0)
        first = env.session
        first_root, first_display = first.sandbox.root, first.display.name
        assert first.sandbox.run(["bash", "-c", "echo secret > ~/left-behind"])["returncode"] == 0
        env.reset(seed=0)  # may take a prewarmed spare desktop: nothing has run in it yet
        assert env.session is not first and not first_root.exists()
        assert env.session.display.name != first_display or not first.display.alive()
        r = env.session.sandbox.run(["bash", "-c", "ls -A ~; ls /tmp"])
        assert "left-behind" not in r["stdout"]
        assert [a.spec.app for a in env.session.apps] == ["xterm"]
    finally:
        env.close()


def test_calc_opens_a_workbook_loaded_and_readable_through_at_spi(desktop, tmp_path: Path) -> None:
    import openpyxl

    from envs.osworld_lite.task import parse_task

    book = openpyxl.Workbook()
    book.active.append(["Region", "Revenue"])
    book.active.append(["North", 48250])
    book.save(tmp_path / "sales.xlsx")
    task = parse_task({
        "id": "calc-a11y", "instruction": "Look at the sheet.", "domain": "calc",
        "config": [{"type": "copy", "parameters": {"file": "sales.xlsx", "path": "~/Documents/sales.xlsx"}},
                   {"type": "open", "parameters": {"path": "~/Documents/sales.xlsx"}}],
        "evaluator": {"func": "infeasible"}}, base_dir=tmp_path)
    env = OSWorldLiteEnv(task, a11y=True)
    try:
        obs, _ = env.reset(seed=0)
        tree = obs["accessibility_tree"].splitlines()
        # The first observation shows the document loaded (not LibreOffice's start-up screen).
        assert any(line.startswith("table-cell\tB2\t48250\t") for line in tree), tree
        assert any(line.startswith("frame\tsales.xlsx - LibreOffice Calc") for line in tree)
    finally:
        env.close()
