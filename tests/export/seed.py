"""A small but complete trajectory database, recorded through TrajectoryStore's public API.

Episodes are shaped as the runner records them (step 0 = the reset observation, then one
step per executed env action, the turn's model calls on its first action) and as each model
answers on the wire: Qwen3.5 through Chat Completions (``computer_use`` tool calls on the
0–1000 grid, ``reasoning``), GPT-5.4-mini through the Responses API (``computer_call`` items
with batched pixel actions). Env actions are derived from those replies with the same
converters the agents use.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from agents.formats import (
    SYSTEM_PROMPT, CoordinateSpace, computer_use_tool, openai_actions_to_env, qwen_to_env,
)
from trajectories.records import (
    EpisodeResult, EpisodeStatus, ModelCall, RunConfig, StepRecord, TerminationReason,
)
from trajectories.store import TrajectoryStore

W, H = 320, 200
SECRET_KEY = "sk-proj-Abc123Def456Ghi789Jkl012"
ENV_SECRET = "tok-7f3a9c2e55b1"   # the value of a *_TOKEN env var passed to the export
GREETING = "Hi! How can I help you today?"
TAU2_POLICY = "# Retail agent policy\nAlways confirm before cancelling an order."
TAU2_TOOLS = [
    {"type": "function", "function": {
        "name": "get_order_details", "description": "Get the status and details of an order.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}},
    {"type": "function", "function": {
        "name": "cancel_pending_order", "description": "Cancel a pending order.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"},
                                                        "reason": {"type": "string"}},
                       "required": ["order_id", "reason"]}}},
]


def png(seed: int) -> bytes:
    img = Image.new("RGB", (W, H), ((seed * 53) % 256, (seed * 97) % 256, (seed * 151) % 256))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@dataclass
class Seeded:
    store: TrajectoryStore
    runs: dict[str, str] = field(default_factory=dict)
    episodes: dict[str, str] = field(default_factory=dict)    # label -> episode id


def _shot_obs(instruction: str) -> dict[str, Any]:
    return {"screenshot": {"artifact": "screenshot", "shape": [H, W, 3]}, "instruction": instruction}


def _qwen_call(args: dict[str, Any], reasoning: str) -> ModelCall:
    return ModelCall(
        model="qwen3.5-9b", provider="vllm", api="chat",
        request={"model": "qwen3.5-9b", "messages": [{"role": "system", "content": SYSTEM_PROMPT}],
                 "tools": [computer_use_tool(CoordinateSpace(W, H))]},
        response={"role": "assistant", "content": "", "reasoning": reasoning, "tool_calls": [
            {"id": "chatcmpl-tool-1", "type": "function",
             "function": {"name": "computer_use", "arguments": json.dumps(args)}}]},
        tokens_in=1200, tokens_out=40)


def _gpt_call(actions: list[dict[str, Any]] | None, text: str = "") -> ModelCall:
    output: list[dict[str, Any]] = [{"type": "reasoning", "id": "rs_1", "summary": []}]
    if actions is not None:
        output.append({"type": "computer_call", "id": "cu_1", "call_id": "call_1", "actions": actions,
                       "pending_safety_checks": [], "status": "completed"})
    else:
        output.append({"type": "message", "role": "assistant",
                       "content": [{"type": "output_text", "text": text}]})
    return ModelCall(model="gpt-5.4-mini", provider="openai", api="responses",
                     request={"model": "gpt-5.4-mini", "tools": [{"type": "computer"}]},
                     response={"role": "assistant", "content": text or None},
                     raw_response={"output": output}, tokens_in=900, tokens_out=30)


class Recorder:
    def __init__(self, store: TrajectoryStore, run_id: str, env: str, domain: str, task_id: str,
                 split: str = "train", trial: int = 0):
        self.store = store
        self.id = store.start_episode(run_id, env, domain, task_id, split, trial, 0)
        self.index = 0

    def step(self, *, action: dict[str, Any] | None, obs: dict[str, Any] | None = None,
             image: bytes | None = None, calls: list[ModelCall] | None = None,
             output: dict[str, Any] | None = None, terminated: bool = False,
             info: dict[str, Any] | None = None) -> None:
        record = StepRecord(index=self.index, observation=obs or {}, action=action,
                            agent_output=output or {}, model_calls=calls or [],
                            terminated=terminated, info=info or {})
        self.store.record_step(self.id, record, {"screenshot": (image, "image/png")} if image else None)
        self.index += 1

    def finish(self, success: bool, steps: int) -> str:
        self.store.finish_episode(self.id, EpisodeResult(
            status=EpisodeStatus.SUCCEEDED if success else EpisodeStatus.FAILED,
            termination=TerminationReason.AGENT_DONE if success else TerminationReason.AGENT_FAIL,
            reward=1.0 if success else 0.0, success=success, steps=steps))
        return self.id


QWEN_CALLS = [  # (computer_use arguments, reasoning)
    ({"action": "left_click", "coordinate": [500, 250]}, "The Save button is at the top."),
    ({"action": "type", "text": "hello world"}, "Now type the text."),
    ({"action": "key", "keys": ["ctrl", "s"]}, "Save with the shortcut."),
    ({"action": "terminate", "status": "success"}, "The file is saved."),
]


def record_qwen_desktop(store: TrajectoryStore, run_id: str, task_id: str, trial: int = 0,
                        split: str = "train", image_seed: int = 0) -> str:
    space = CoordinateSpace(W, H)
    rec = Recorder(store, run_id, "osworld-lite", "writer", task_id, split, trial)
    rec.step(action=None, obs=_shot_obs("Type hello world and save the file."), image=png(image_seed))
    for i, (args, reasoning) in enumerate(QWEN_CALLS, 1):
        (action,) = qwen_to_env(args, space)
        last = args["action"] == "terminate"
        rec.step(action=action, obs=_shot_obs("Type hello world and save the file."), image=png(image_seed + i),
                 calls=[_qwen_call(args, reasoning)],
                 output={"reasoning": reasoning, "text": "", "computer_use": [args]}, terminated=last,
                 info={"action_error": "no window has the focus"} if i == 2 else None)
    return rec.finish(True, len(QWEN_CALLS))


# GPT-5.4-mini turns: batched pixel actions (screenshot 320x200, scale 1.0); the end of the
# task is a reply without actions, which the agent turns into DONE (or FAIL for INFEASIBLE).
GPT_TURNS: list[list[dict[str, Any]]] = [
    [{"type": "click", "button": "left", "x": 80, "y": 150}, {"type": "type", "text": "abc"}],
    [{"type": "keypress", "keys": ["CTRL", "S"]}],
    [{"type": "drag", "path": [{"x": 32, "y": 20}, {"x": 96, "y": 60}, {"x": 160, "y": 100}]}],
]
GPT_FINAL = "The chart is in place."
# What Qwen should be taught for those turns, on its 0–1000 grid (computed by hand), per reply.
GPT_EXPECTED_QWEN = [
    [{"action": "left_click", "coordinate": [250, 750]}, {"action": "type", "text": "abc"}],
    [{"action": "key", "keys": ["ctrl", "s"]}],
    [{"action": "mouse_move", "coordinate": [100, 100]}, {"action": "left_click_drag", "coordinate": [500, 500]}],
    [{"action": "terminate", "status": "success"}],
]


def record_gpt_desktop(store: TrajectoryStore, run_id: str, task_id: str, trial: int = 0,
                       success: bool = True) -> str:
    rec = Recorder(store, run_id, "osworld-lite", "calc", task_id, "train", trial)
    instruction = "Put abc in A1, save, and drag the chart."
    rec.step(action=None, obs=_shot_obs(instruction), image=png(40 + trial))
    turns = GPT_TURNS if success else GPT_TURNS[:1]
    n = 0
    for turn in turns:
        env_actions = openai_actions_to_env(turn, 1.0, (W, H))
        for position, action in enumerate(env_actions):
            n += 1
            first = position == 0
            rec.step(action=action, obs=_shot_obs(instruction), image=png(40 + trial + n),
                     calls=[_gpt_call(turn)] if first else None,
                     output={"reasoning": f"turn with {len(turn)} actions", "computer_actions": [turn]}
                     if first else None)
    final = GPT_FINAL if success else "INFEASIBLE: the chart cannot be moved."
    rec.step(action={"action_type": "DONE" if success else "FAIL"}, obs=_shot_obs(instruction),
             image=png(90 + trial), calls=[_gpt_call(None, final)],
             output={"text": final, "final_message": final}, terminated=True)
    return rec.finish(success, n + 1)


def _tau2_call(response: dict[str, Any]) -> ModelCall:
    return ModelCall(model="qwen3.5-9b", provider="vllm", api="chat",
                     request={"model": "qwen3.5-9b",
                              "messages": [{"role": "system", "content": TAU2_POLICY}],
                              "tools": TAU2_TOOLS},
                     response=response, tokens_in=500, tokens_out=20)


def record_tau2(store: TrajectoryStore, run_id: str, task_id: str, trial: int, success: bool,
                with_calls: bool = True) -> str:
    rec = Recorder(store, run_id, "tau2-lite", "retail", task_id, "train", trial)
    user = f"Hi, please cancel order #W1001. My token is {ENV_SECRET}."
    opening: list[dict[str, Any]] = [{"role": "assistant", "content": GREETING}, {"role": "user", "content": user}]
    if not with_calls:   # the oracle's task carries a conversation prefix (τ² message_history)
        opening = [{"role": "assistant", "content": None, "tool_calls": [
                       {"id": "h1", "type": "function",
                        "function": {"name": "get_order_details", "arguments": json.dumps({"order_id": "#W0"})}}]},
                   {"role": "tool", "tool_call_id": "h1", "name": "get_order_details",
                    "content": json.dumps({"order_id": "#W0", "status": "delivered"}), "error": False}] + opening
    rec.step(action=None, obs={"messages": opening})

    def act(action: dict[str, Any], new: list[dict[str, Any]], reasoning: str | None = None,
            terminated: bool = False, same_turn: bool = False) -> None:
        # A reply with several tool calls is stepped one call at a time; its model call is
        # recorded on the first.
        calls = [_tau2_call({"role": "assistant", "content": action.get("content"), "reasoning": reasoning})] \
            if with_calls and not same_turn else []
        rec.step(action=action, obs={"messages": new}, calls=calls,
                 output={"reasoning": reasoning} if reasoning else {}, terminated=terminated)

    if success:
        act({"type": "tool_call", "id": "call_a", "name": "get_order_details", "arguments": {"order_id": "#W1001"}},
            [{"role": "tool", "tool_call_id": "call_a", "name": "get_order_details",
              "content": json.dumps({"order_id": "#W1001", "status": "pending", "note": f"api key {SECRET_KEY}"}),
              "error": False}], reasoning="Look the orders up first.")
        act({"type": "tool_call", "id": "call_a2", "name": "get_order_details", "arguments": {"order_id": "#W1002"}},
            [{"role": "tool", "tool_call_id": "call_a2", "name": "get_order_details",
              "content": json.dumps({"order_id": "#W1002", "status": "delivered"}), "error": False}],
            same_turn=True)
        act({"type": "message", "content": "Order #W1001 is pending. Shall I cancel it (reason: no longer needed)?"},
            [{"role": "user", "content": "Yes, please."}])
        act({"type": "tool_call", "id": "call_b", "name": "cancel_pending_order",
             "arguments": {"order_id": "#W1001", "reason": "no longer needed"}},
            [{"role": "tool", "tool_call_id": "call_b", "name": "cancel_pending_order",
              "content": json.dumps({"order_id": "#W1001", "status": "cancelled"}), "error": False}],
            reasoning="The user confirmed.")
        act({"type": "message", "content": "Your order #W1001 is cancelled."},
            [{"role": "user", "content": "###STOP###"}], terminated=True)
        return rec.finish(True, 5)
    act({"type": "message", "content": "Sorry, I cannot cancel orders."},
        [{"role": "user", "content": "###STOP###"}], reasoning="Not sure I may.", terminated=True)
    return rec.finish(False, 1)


def seed_store(store: TrajectoryStore) -> Seeded:
    seeded = Seeded(store)
    runs = seeded.runs
    runs["qwen-desktop"] = store.start_run(RunConfig(env="osworld-lite", agent="model", model="qwen3.5-9b",
                                                     split="train", env_options={"screen_width": W, "screen_height": H}))
    runs["gpt-desktop"] = store.start_run(RunConfig(env="osworld-lite", agent="model", model="gpt-5.4-mini", split="train"))
    runs["qwen-tau2"] = store.start_run(RunConfig(env="tau2-lite", agent="model", model="qwen3.5-9b", split="train",
                                                  env_options={"domain": "retail"}))
    runs["oracle-tau2"] = store.start_run(RunConfig(env="tau2-lite", agent="oracle", split="train"))
    runs["test-split"] = store.start_run(RunConfig(env="osworld-lite", agent="model", model="qwen3.5-9b", split="test"))
    store.upsert_tasks([
        {"env": "osworld-lite", "id": "writer-save", "domain": "writer", "split": "train", "instruction": "…"},
        {"env": "osworld-lite", "id": "calc-chart", "domain": "calc", "split": "train", "instruction": "…"},
        {"env": "osworld-lite", "id": "writer-secret-test", "domain": "writer", "split": "test", "instruction": "…"},
        {"env": "osworld-lite", "id": "writer-mislabelled", "domain": "writer", "split": "test", "instruction": "…"},
        {"env": "tau2-lite", "id": "retail-cancel", "domain": "retail", "split": "train", "instruction": "…"},
    ])
    e = seeded.episodes
    e["qwen"] = record_qwen_desktop(store, runs["qwen-desktop"], "writer-save", 0)
    e["qwen-dup"] = record_qwen_desktop(store, runs["qwen-desktop"], "writer-save", 1, image_seed=7)
    # Recorded as train, but the task table says the task is a test task: the leak guard refuses it.
    e["mislabelled"] = record_qwen_desktop(store, runs["qwen-desktop"], "writer-mislabelled", 0)
    e["gpt"] = record_gpt_desktop(store, runs["gpt-desktop"], "calc-chart", 0, success=True)
    e["gpt-fail"] = record_gpt_desktop(store, runs["gpt-desktop"], "calc-chart", 1, success=False)
    e["tau2"] = record_tau2(store, runs["qwen-tau2"], "retail-cancel", 0, success=True)
    e["tau2-fail"] = record_tau2(store, runs["qwen-tau2"], "retail-cancel", 1, success=False)
    e["oracle"] = record_tau2(store, runs["oracle-tau2"], "retail-cancel", 0, success=True, with_calls=False)
    e["test"] = record_qwen_desktop(store, runs["test-split"], "writer-secret-test", 0, split="test")
    return seeded


def spec_provider(meta: Any) -> dict[str, Any] | None:
    """What the CLI derives from the environment registry, for the oracle's tau2 episodes."""
    if meta.env == "tau2-lite" and meta.domain == "retail":
        return {"system_prompt": TAU2_POLICY, "tools": TAU2_TOOLS}
    return None
