"""The MiniWoB env in real Chromium: instances, the page's own reward, both action spaces."""
from __future__ import annotations

import numpy as np
import pytest

from envs.miniwob.env import instance_seed
from envs.types import Termination

pytestmark = pytest.mark.browser


def _bid(dom_text: str, needle: str) -> str:
    line = next(line for line in dom_text.splitlines() if needle in line)
    return line.strip().split("]")[0].lstrip("[")


def test_seeds_make_instances_and_splits_never_share_one(make_env) -> None:
    assert {instance_seed(s, "train") for s in range(100)}.isdisjoint({instance_seed(s, "test") for s in range(100)})
    test, train = make_env("enter-text", split="test"), make_env("enter-text", split="train")
    obs_a, info = test.reset(seed=3)
    assert info["page_seed"] == 7 and info["time_limit_ms"] == 10_000
    first = test.utterance
    obs_b, _ = test.reset(seed=3)
    assert test.utterance == first and np.array_equal(obs_b["screenshot"], obs_a["screenshot"])
    utterances = {test.reset(seed=s)[0]["instruction"] for s in range(6)}
    assert len(utterances) >= 4 and all(u.startswith("Enter ") for u in utterances)
    train.reset(seed=3)
    assert train.page_seed == 6
    assert obs_a["screenshot"].shape == (360, 498, 3) and obs_a["screenshot"].dtype == np.uint8
    assert test.observation_space.contains(obs_a)
    assert "[" in obs_a["dom_text"] and "#subbtn" in obs_a["dom_text"] and "reward-display" not in obs_a["dom_text"]


def test_browsergym_actions_solve_a_task_and_the_page_rewards_it(make_env) -> None:
    env = make_env("enter-text")
    obs, _ = env.reset(seed=1)
    word = env.utterance.split('"')[1]
    box, submit = _bid(obs["dom_text"], "input#tt"), _bid(obs["dom_text"], "button#subbtn")
    obs, reward, terminated, _, info = env.step(f"fill('{box}', '{word}')")
    assert not terminated and f'value="{word}"' in obs["dom_text"]
    obs, reward, terminated, _, info = env.step(f"click('{submit}')")
    assert terminated and reward == 1.0 and info["termination"] == Termination.AGENT_DONE
    assert info["evaluation"]["details"]["raw_reward"] > 0


def test_a_wrong_answer_gets_the_page_s_negative_verdict(make_env) -> None:
    env = make_env("enter-text")
    obs, _ = env.reset(seed=1)
    box = _bid(obs["dom_text"], "input#tt")
    env.step({"action_type": "CLICK", "x": 5, "y": 5})
    env.step(f"fill('{box}', 'definitely wrong')")
    *_, terminated, _, info = env.step(f"click('{_bid(obs['dom_text'], 'button#subbtn')}')")
    assert terminated and info["evaluation"]["success"] is False
    assert info["evaluation"]["details"]["raw_reward"] == -1.0


def test_bad_actions_are_action_errors_not_crashes(make_env) -> None:
    env = make_env("click-test")
    env.reset(seed=0)
    for action in ("click('9999')", "goto('http://example.com')", "__import__('os')",
                   {"action_type": "PRESS", "key": "hyperdrive"}, {"action_type": "CLICK", "x": 5000, "y": 1}):
        obs, reward, terminated, truncated, info = env.step(action)
        assert not terminated and reward == 0.0 and info["action_error"], action


def test_done_before_the_page_ends_scores_zero_and_the_timer_is_the_task_s(make_env) -> None:
    env = make_env("click-test")
    env.reset(seed=0)
    *_, terminated, _, info = env.step({"action_type": "DONE"})
    assert terminated and info["evaluation"]["reward"] == 0.0 and not info["evaluation"]["details"]["page_done"]
    quick = make_env("click-test", episode_max_time_s=0.2)
    quick.reset(seed=0)
    *_, terminated, _, info = quick.step({"action_type": "WAIT", "seconds": 0.5})
    assert terminated and info["termination"] == Termination.TIMEOUT
    assert info["evaluation"]["details"]["reason"] == "timed out" and info["evaluation"]["reward"] == 0.0


def test_the_oracle_plan_is_real_input_and_solves_an_instance(make_env) -> None:
    env = make_env("login-user")
    env.reset(seed=5)
    plan = env.reference_solution()
    assert {a["action_type"] for a in plan} <= {"CLICK", "TYPING"}
    for action in plan:
        obs, reward, terminated, _, info = env.step(action)
    assert terminated and reward == 1.0


def test_pyautogui_code_and_the_gymnasium_checker(make_env) -> None:
    from gymnasium.utils.env_checker import check_env

    env = make_env("click-test")
    env.reset(seed=0)
    click = env.reference_solution()[0]
    x, y = click["x"], click["y"]
    *_, terminated, _, _ = env.step({"action_type": "PYAUTOGUI", "code": f"pyautogui.click({x}, {y})"})
    assert terminated
    check_env(make_env("focus-text"), skip_render_check=True)
