"""Shared helpers of the scoring tests."""
from __future__ import annotations

import itertools

import pytest

from scoring.episodes import EpisodeSummary

_ids = itertools.count()


def ep(label: str, task: str, solved: bool | None, *, trial: int = 0, env: str = "osworld-lite",
       domain: str = "os", split: str = "test", status: str | None = None, run: str = "r1",
       **fields) -> EpisodeSummary:
    """One episode; `solved=None` with no status makes an infrastructure error."""
    agent, model = ("model", label) if label not in {"oracle", "noop", "random"} else (label, None)
    if status is None:
        status = "error" if solved is None else ("succeeded" if solved else "failed")
    return EpisodeSummary(
        episode_id=f"e{next(_ids)}", run_id=run, env=env, domain=domain, split=split,
        task_id=task, trial=trial, agent=agent, model=model, status=status,
        success=solved, reward=None if solved is None else float(solved), **fields)


@pytest.fixture
def make_ep():
    return ep


# -- a real SQLite store seeded through TrajectoryStore's public API ----------------------------

PAYLOAD_SCRIPT = "<script>window.__pwned = 'script'; alert('script')</script>"
PAYLOAD_IMG = "<img src=x onerror=\"window.__pwned = 'img'; alert('img')\">"
PAYLOAD_SVG = "</pre><svg onload=\"window.__pwned = 'svg'\"></svg><pre>"
EVIL_MODEL = "\"><img src=x onerror=\"window.__pwned='model'\">"


def png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), colour)
    ImageDraw.Draw(image).rectangle([10, 10, 60, 40], fill=(255, 255, 255))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _screen_obs(width: int, height: int, colour: tuple[int, int, int], instruction: str):
    obs = {"screenshot": {"artifact": "screenshot", "shape": [height, width, 3]},
           "instruction": instruction, "accessibility_tree": "<tree>" + PAYLOAD_IMG + "</tree>"}
    return obs, {"screenshot": (png(width, height, colour), "image/png")}


def _desktop_episode(store, run_id: str, model: str | None, task: str, trial: int, outcome: str,
                     instruction: str) -> str:
    from trajectories.records import EpisodeResult, EpisodeStatus, ModelCall, StepRecord, TerminationReason

    eid = store.start_episode(run_id, "osworld-lite", "os", task, "test", trial, trial)
    if outcome == "error":
        store.finish_episode(eid, EpisodeResult(
            status=EpisodeStatus.ERROR, termination=TerminationReason.INFRA_ERROR,
            error="InfrastructureError: Xvfb died " + PAYLOAD_SCRIPT, wall_time_s=1.0))
        return eid
    obs, arts = _screen_obs(320, 200, (40, 90, 160), instruction)
    store.record_step(eid, StepRecord(index=0, observation=obs), arts)
    actions = [
        {"action_type": "CLICK", "x": 100, "y": 50, "button": "left", "num_clicks": 2},
        {"action_type": "DRAG_TO", "x": 250, "y": 150},
        {"action_type": "TYPING", "text": "hello " + PAYLOAD_SCRIPT},
    ]
    for i, action in enumerate(actions, start=1):
        obs, arts = _screen_obs(320, 200, (40 + 50 * i, 90, 160 - 30 * i), instruction)
        call = ModelCall(
            model=model or "none", provider="openai", api="responses",
            request={"model": model, "messages": [{"role": "user", "content": instruction}]},
            response={"role": "assistant", "content": f"I will act {i}. " + PAYLOAD_IMG,
                      "reasoning": f"thinking about step {i} " + PAYLOAD_SCRIPT},
            raw_response={"output": [{"type": "computer_call", "note": PAYLOAD_SVG}]},
            tokens_in=1000, tokens_out=100, tokens_reasoning=40, latency_s=0.5, cost_usd=0.001)
        store.record_step(eid, StepRecord(
            index=i, observation=obs, action=action, model_calls=[call],
            agent_output={"reasoning": f"thinking about step {i} " + PAYLOAD_SCRIPT},
            terminated=i == len(actions), info={"note": PAYLOAD_IMG}), arts)
    success = outcome == "success"
    store.finish_episode(eid, EpisodeResult(
        status=EpisodeStatus.SUCCEEDED if success else EpisodeStatus.FAILED,
        termination=TerminationReason.AGENT_DONE, reward=float(success), success=success,
        evaluation={"reward": float(success), "success": success,
                    "details": {"func": "compare_text_file", "got": PAYLOAD_SCRIPT}},
        steps=3, tokens_in=3000, tokens_out=300, cost_usd=0.003, wall_time_s=12.0))
    return eid


def _tau2_episode(store, run_id: str, task: str, success: bool) -> str:
    from trajectories.records import EpisodeResult, EpisodeStatus, ModelCall, StepRecord, TerminationReason

    eid = store.start_episode(run_id, "tau2-lite", "retail", task, "test", 0, 0)
    # The user simulator's opening line is produced during reset, outside any step.
    store.record_model_calls(eid, [ModelCall(model="gpt-5.4-mini", role="user_simulator", response={
        "role": "assistant", "content": "Hi, cancel my order. " + PAYLOAD_IMG}, tokens_in=30, tokens_out=8)])
    store.record_step(eid, StepRecord(index=0, observation={"messages": [
        {"role": "user", "content": "Hi, cancel my order. " + PAYLOAD_IMG}]}))
    store.record_step(eid, StepRecord(
        index=1, action={"type": "tool_call", "id": "call_1", "name": "get_order_details",
                         "arguments": {"order_id": PAYLOAD_SCRIPT}},
        observation={"messages": [{"role": "tool", "tool_call_id": "call_1", "name": "get_order_details",
                                   "content": "{\"status\": \"pending\", \"note\": \"" + PAYLOAD_SVG + "\"}",
                                   "error": False}]}))
    sim = ModelCall(model="gpt-5.4-mini", role="user_simulator", response={
        "role": "assistant", "content": "Thanks! ###STOP### " + PAYLOAD_SCRIPT}, tokens_in=50, tokens_out=9)
    store.record_step(eid, StepRecord(
        index=2, action={"type": "message", "content": "Your order is cancelled. " + PAYLOAD_IMG},
        observation={"messages": [{"role": "user", "content": "Thanks! ###STOP### " + PAYLOAD_SCRIPT}]},
        model_calls=[sim], terminated=True))
    store.finish_episode(eid, EpisodeResult(
        status=EpisodeStatus.SUCCEEDED if success else EpisodeStatus.FAILED,
        termination=TerminationReason.USER_STOP, reward=float(success), success=success,
        evaluation={"reward": float(success), "success": success,
                    "details": {"db_match": success, "nl": PAYLOAD_IMG}},
        steps=2, tokens_in=50, tokens_out=9, wall_time_s=3.0))
    return eid


def seed_store(store) -> dict:
    """gpt-5.4-mini solves 2/3 desktop tasks, qwen3.5-9b 1/3 (+1 infra error), oracle 1/1 tau2."""
    from trajectories.records import RunConfig

    tasks = [{"env": "osworld-lite", "id": f"t{i}", "domain": "os", "split": "test",
              "instruction": f"Open the file number {i}."} for i in (1, 2, 3)]
    tasks.append({"env": "tau2-lite", "id": "cancel" + PAYLOAD_SCRIPT, "domain": "retail", "split": "test",
                  "instruction": "Cancel order #1 " + PAYLOAD_SCRIPT + PAYLOAD_IMG})
    store.upsert_tasks(tasks)
    ids: dict = {"episodes": {}}
    gpt = store.start_run(RunConfig(env="osworld-lite", agent="model", model="gpt-5.4-mini", name="gpt run"))
    for task, outcome in (("t1", "success"), ("t2", "success"), ("t3", "fail")):
        ids["episodes"][("gpt-5.4-mini", task)] = _desktop_episode(
            store, gpt, "gpt-5.4-mini", task, 0, outcome, f"Open the file number {task[1]}.")
    qwen = store.start_run(RunConfig(env="osworld-lite", agent="model", model="qwen3.5-9b"))
    for task, trial, outcome in (("t1", 0, "success"), ("t2", 0, "fail"), ("t3", 0, "fail"), ("t1", 1, "error")):
        ids["episodes"][("qwen3.5-9b", task, trial)] = _desktop_episode(
            store, qwen, "qwen3.5-9b", task, trial, outcome, f"Open the file number {task[1]}.")
    oracle = store.start_run(RunConfig(env="tau2-lite", agent="oracle"))
    ids["episodes"][("oracle", "tau2")] = _tau2_episode(store, oracle, "cancel" + PAYLOAD_SCRIPT, True)
    evil = store.start_run(RunConfig(env="tau2-lite", agent="model", model=EVIL_MODEL))
    ids["episodes"][("evil", "tau2")] = _tau2_episode(store, evil, "cancel" + PAYLOAD_SCRIPT, False)
    ids["runs"] = {"gpt": gpt, "qwen": qwen, "oracle": oracle, "evil": evil}
    return ids


def _open_seeded(root):
    from trajectories.store import TrajectoryStore

    store = TrajectoryStore(f"sqlite:///{root / 'runs.db'}", root / "artifacts")
    store.upgrade()
    return store, seed_store(store)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    root = tmp_path_factory.mktemp("seeded")
    store, ids = _open_seeded(root)
    yield store, ids, root
    store.close()


@pytest.fixture
def make_store():
    """Seed a fresh store under a directory (for tests that change it)."""
    opened = []

    def make(root):
        store, ids = _open_seeded(root)
        opened.append(store)
        return store, ids

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def seed():
    """`seed(store) -> ids`: the standard scoring scenario, into any store."""
    return seed_store
