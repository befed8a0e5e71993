"""Model-agent overhead: what the agent itself adds to each turn, model time excluded.

Drives the Qwen computer-use agent (Chat Completions) and the GPT computer-use agent
(Responses API) against the scripted OpenAI-compatible server on loopback with 1280x720
screenshots, and the tool-calling agent with tau2-style messages. Reports turns per second
and milliseconds per turn (PNG encoding, request building, HTTP through the `openai` SDK,
parsing, conversion); the scripted server runs in the same process, so its JSON work is in
the figures too. Also times the pure format conversions. Target: under 100 ms per desktop
turn (each desktop agent), so that model latency (seconds per call) dominates. Prints PASS or
MISS per target and exits 1 on a miss.

    python benchmarks/model_agent_bench.py [--turns 40]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from agents.agent import make_agent  # noqa: E402
from agents.formats import CoordinateSpace, openai_actions_to_env, qwen_to_env  # noqa: E402
from envs.types import AgentSpec, TaskInfo  # noqa: E402
from tests.agents_models.scripted_server import (  # noqa: E402
    ScriptedServer, chat_reply, computer_call, qwen_computer_call, responses_reply,
)

from benchmarks.targets import Targets  # noqa: E402

W, H = 1280, 720
DESKTOP_TURN_TARGET_MS = 100.0


def desktop_like(seed: int) -> np.ndarray:
    """A screenshot-like image: flat regions, some text-like noise, different every turn."""
    rng = np.random.default_rng(seed)
    img = np.full((H, W, 3), 235, np.uint8)
    img[:30] = 60                                      # a panel
    for _ in range(40):                                # windows / text lines
        y, x = rng.integers(40, H - 20), rng.integers(0, W - 300)
        img[y:y + 12, x:x + rng.integers(50, 300)] = rng.integers(0, 120, 3)
    return img


async def drive(model: str, kind: str, turns: int, server: ScriptedServer) -> float:
    task = TaskInfo(id="bench", env="osworld-lite" if kind == "computer" else "tau2-lite", domain="bench",
                    instruction="Benchmark task.")
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}]
    spec = AgentSpec(kind=kind, instruction=task.instruction, screen_width=W, screen_height=H,
                     system_prompt="policy " * 500, tools=tools)
    if kind == "computer" and model.startswith("qwen"):
        server.script("chat", *[qwen_computer_call({"action": "left_click", "coordinate": [i % 1000, 500]})
                                for i in range(turns)])
    elif kind == "computer":
        server.script("responses", *[responses_reply([computer_call([
            {"type": "click", "button": "left", "x": i % W, "y": 300}, {"type": "type", "text": "abc"}])])
            for i in range(turns)])
    else:
        server.script("chat", *[chat_reply(None, [("lookup", {})]) for _ in range(turns)])
    observations = [{"screenshot": desktop_like(i)} for i in range(turns)] if kind == "computer" else \
        [json.dumps([{"role": "tool", "tool_call_id": "x", "content": "result " * 50}]) for _ in range(turns)]
    agent = make_agent("model", model=model, max_images=3)
    agent.reset(task, spec)
    t0 = time.perf_counter()
    for obs in observations:
        turn = await agent.act(obs)
        assert turn.actions and turn.ending is None, turn.error
    elapsed = time.perf_counter() - t0
    await agent.aclose()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=40)
    args = parser.parse_args()
    targets = Targets("model_agent_bench")
    per_turn_ms: dict[str, float] = {}
    with ScriptedServer() as server:
        os.environ.update(QWEN_BASE_URL=server.base_url, OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-bench")
        for model, kind in [("qwen3.5-9b", "computer"), ("gpt-5.4-mini", "computer"), ("qwen3.5-9b", "tools")]:
            elapsed = asyncio.run(drive(model, kind, args.turns, server))
            print(f"{model:13s} {kind:8s}: {args.turns / elapsed:7.1f} turns/s, "
                  f"{1000 * elapsed / args.turns:6.1f} ms per turn (agent + loopback HTTP, model time excluded)")
            if kind == "computer":
                per_turn_ms[model] = 1000 * elapsed / args.turns
    space = CoordinateSpace(1920, 1080)
    n = 100_000
    t0 = time.perf_counter()
    for i in range(n):
        qwen_to_env({"action": "left_click", "coordinate": [i % 1000, 500]}, space)
    qwen_rate = n / (time.perf_counter() - t0)
    batch = [{"type": "click", "button": "left", "x": 10, "y": 10, "keys": ["CTRL"]},
             {"type": "scroll", "x": 1, "y": 1, "scroll_x": 0, "scroll_y": 300}, {"type": "keypress", "keys": ["ENTER"]}]
    t0 = time.perf_counter()
    for _ in range(n // 3):
        openai_actions_to_env(batch)
    openai_rate = (n // 3) * 3 / (time.perf_counter() - t0)
    print(f"conversions: {qwen_rate:,.0f} Qwen calls/s, {openai_rate:,.0f} OpenAI actions/s")
    for model, ms in per_turn_ms.items():
        targets.at_most(f"{model} desktop turn", ms, DESKTOP_TURN_TARGET_MS, " ms")
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())
