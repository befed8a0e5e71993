"""Runner throughput against a model with real latency: episodes/hour vs concurrency.

    python benchmarks/throughput_bench.py [--quick] [--json] [--latencies 1,3] [--max-desktops N]

A stand-in model (the scripted OpenAI-compatible server, in its own process so its CPU is not
counted as the runner's) answers every request after a delay drawn uniformly from
latency ± jitter (20 %), in Qwen3.5's vLLM wire format:

* tool episodes: tau2-lite card_services with the scripted user; the model makes
  `TOOL_CALLS` tool calls and then answers in text, so an episode is `TOOL_CALLS + 1` model
  calls. Concurrency 1 → 256. The latency-bound ideal is
  `concurrency × 3600 / (model calls per episode × mean latency)`; target: ≥ 80 % of it up to
  128 concurrent episodes. Episodes/hour are the steady-state rate by Little's law (mean
  episodes in flight / mean episode duration) over 4 × concurrency episodes, leaving out one
  episode duration at each end of the run. Runner CPU per episode is this
  process's CPU time (runner, env, SQLite store) over the episodes.
* desktop episodes: osworld-lite with Qwen's computer_use (moves, clicks, typing, a hotkey,
  then terminate), as many desktops at once as `--max-desktops` (default: one per core plus
  one). Memory per desktop is the peak proportional set size (PSS) of every process the
  desktops started, divided by the desktops.
* desktop step overhead: `env.step` wall time (the action and the settled screenshot) on
  ordinary actions in a text editor, no model involved; target p50 ≤ 50 ms.

With `--json` the last line is one JSON object:
`{"tool_runs": [{"concurrency", "latency_s", "episodes", "episodes_per_hour",
"ideal_episodes_per_hour", "efficiency", "runner_cpu_ms_per_episode"}, …],
"desktop_step_p50_ms", "desktop_step_p90_ms", "desktop_runs": [{"concurrency", "latency_s",
"episodes_per_hour", "ideal_episodes_per_hour", "pss_mb_per_desktop"}, …]}`.
Exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.targets import Targets  # noqa: E402

TOOL_CALLS = 4          # tool calls per tool episode before the closing text answer
DESKTOP_ACTIONS = 6     # computer_use actions per desktop episode before terminate
JITTER = 0.2
EFFICIENCY_TARGET = 0.8
EFFICIENCY_UP_TO = 128
STEP_P50_TARGET_MS = 50.0
DESKTOP_TASK = "editor-fix-typo"


# ----------------------------------------------------------------------------- the model

def _tool_policy(body: dict[str, Any]) -> dict[str, Any]:
    from tests.agents_models.scripted_server import chat_reply

    messages = body.get("messages", [])
    made = sum(1 for m in messages if m.get("role") == "tool")
    tools = [t["function"]["name"] for t in body.get("tools", []) if t.get("type") == "function"]
    if made < TOOL_CALLS and tools:
        return chat_reply(None, [(tools[made % len(tools)], {})], reasoning="Look something up.")
    return chat_reply("Thank you, that is everything I can do for you today.", reasoning="Wrap up.")


def _desktop_policy(body: dict[str, Any]) -> dict[str, Any]:
    from tests.agents_models.scripted_server import qwen_computer_call

    made = sum(1 for m in body.get("messages", []) if m.get("role") == "tool")
    script: list[dict[str, Any]] = [
        {"action": "mouse_move", "coordinate": [500, 400]},
        {"action": "left_click", "coordinate": [500, 400]},
        {"action": "type", "text": "throughput "},
        {"action": "key", "keys": ["ctrl", "z"]},
        {"action": "key", "keys": ["End"]},
        {"action": "type", "text": "x"},
    ]
    if made < min(DESKTOP_ACTIONS, len(script)):
        return qwen_computer_call(script[made])
    return qwen_computer_call({"action": "terminate", "status": "failure"})


def serve(port_file: str, latency: float, kind: str) -> None:
    """The stand-in model's process: answers after latency ± jitter, forever."""
    from tests.agents_models.scripted_server import ScriptedServer, slow

    policy = _tool_policy if kind == "tool" else _desktop_policy
    rng = random.Random(0)

    class LatentServer(ScriptedServer):
        def _next(self, route: str) -> Any:
            return lambda body: slow(latency * rng.uniform(1 - JITTER, 1 + JITTER), policy(body))

    server = LatentServer(models=["Qwen/Qwen3.5-9B"]).start()
    Path(port_file).write_text(server.base_url)
    threading.Event().wait()


class ModelProcess:
    def __init__(self, latency: float, kind: str) -> None:
        self.port_file = Path(tempfile.mkdtemp(prefix="tp-model-")) / "url"
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", str(self.port_file),
                                      "--latency", str(latency), "--kind", kind], cwd=REPO)
        deadline = time.monotonic() + 30
        while not self.port_file.exists() or not self.port_file.read_text():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the stand-in model server did not start")
            time.sleep(0.05)
        self.base_url = self.port_file.read_text()

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


# ----------------------------------------------------------------------------- running

def _run(env: str, env_options: dict[str, Any], base_url: str, concurrency: int, episodes: int,
         store: Any, task_ids: list[str] | None = None, split: str = "train") -> tuple[Any, float, float]:
    from agents.runner import RunRequest, execute_run

    tasks = task_ids or []
    request = RunRequest(env=env, agent="model", model="qwen3.5-9b", env_options=env_options,
                         agent_options={"model": "qwen3.5-9b", "base_url": base_url, "thinking": "on"},
                         task_ids=tasks, split=split, limit=None if tasks else episodes,
                         trials=max(1, -(-episodes // len(tasks))) if tasks else 1, concurrency=concurrency,
                         max_steps=30, episode_timeout_s=600, max_error_rate=1.0)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    summary = asyncio.run(execute_run(request, store, show_progress=False))
    return summary, time.perf_counter() - wall0, time.process_time() - cpu0


def _tool_task_ids(count: int) -> list[str]:
    """card_services train tasks graded without an LLM judge, repeated by trials as needed."""
    from envs.registry import get_family

    tasks = get_family("tau2-lite").list_tasks(domain="card_services", split="train")
    return [t.id for t in tasks if not t.metadata.get("needs_judge")][:count]


def _sustained_per_hour(store: Any, run_id: str, concurrency: int) -> float:
    """Episodes/hour in steady state, by Little's law: the mean number of episodes in flight
    over the mean episode duration, both taken over the run less one mean duration at each end
    (the ramp-up, the ramp-down and the run's fixed start-up are not throughput). Slots left
    idle by the runner lower the number in flight; a slow runner lengthens the episodes."""
    spans = [(e.started_at.timestamp(), e.finished_at.timestamp())
             for e in store.iter_episodes(run_ids=[run_id]) if e.started_at and e.finished_at]
    mean_s = statistics.fmean(end - start for start, end in spans)
    t0, t1 = min(s for s, _ in spans) + mean_s, max(e for _, e in spans) - mean_s
    if t1 - t0 < mean_s:   # too short for a steady state: the whole run
        t0, t1 = min(s for s, _ in spans), max(e for _, e in spans)
    in_flight = sum(max(0.0, min(end, t1) - max(start, t0)) for start, end in spans) / (t1 - t0)
    return in_flight / mean_s * 3600


def _agent_calls_per_episode(store: Any, run_id: str) -> float:
    counts = [sum(1 for call in store.get_model_calls(e.id) if call.role == "agent")
              for e in store.iter_episodes(run_ids=[run_id])]
    return statistics.fmean(counts) if counts else 0.0


def tool_runs(latencies: list[float], levels: list[int], workdir: Path) -> list[dict[str, Any]]:
    from trajectories.store import TrajectoryStore

    rows = []
    for latency in latencies:
        model = ModelProcess(latency, "tool")
        try:
            for c in levels:
                episodes = 4 * c + 4
                store = TrajectoryStore(f"sqlite:///{workdir / f'tool-{latency}-{c}.db'}", workdir / "artifacts")
                store.upgrade()
                ids = _tool_task_ids(episodes)
                summary, wall, cpu = _run("tau2-lite", {"domain": "card_services", "user": "scripted"},
                                          model.base_url, c, episodes, store, task_ids=ids)
                calls = _agent_calls_per_episode(store, summary.run_id)
                eph = _sustained_per_hour(store, summary.run_id, c)
                store.close()
                done = summary.succeeded + summary.failed
                ideal = c * 3600 / (calls * latency) if calls else float("nan")
                row = {"concurrency": c, "latency_s": latency, "episodes": done, "errors": summary.errors,
                       "model_calls_per_episode": round(calls, 2), "episodes_per_hour": round(eph),
                       "ideal_episodes_per_hour": round(ideal), "efficiency": round(eph / ideal, 3),
                       "runner_cpu_ms_per_episode": round(cpu / max(done, 1) * 1000, 1)}
                rows.append(row)
                print(f"tool  latency {latency:>3.1f}s  concurrency {c:>3}: {done:>4} episodes, "
                      f"{eph:>9,.0f}/h of ideal {ideal:>9,.0f}/h ({eph / ideal:>5.1%}), "
                      f"runner CPU {row['runner_cpu_ms_per_episode']:>6.1f} ms/episode, errors {summary.errors}",
                      flush=True)
        finally:
            model.close()
    return rows


class PssSampler:
    """Peak PSS of every process below this one (the desktops' Xvfb, sandboxes and apps)."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        import psutil

        while not self._stop.wait(0.5):
            total = 0
            for child in self._me.children(recursive=True):
                try:
                    total += child.memory_full_info().pss
                except (psutil.Error, AttributeError):
                    continue
            self.peak_bytes = max(self.peak_bytes, total)

    def __enter__(self) -> PssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def desktop_runs(latencies: list[float], levels: list[int], workdir: Path) -> list[dict[str, Any]]:
    from trajectories.store import TrajectoryStore

    rows = []
    for latency in latencies:
        model = ModelProcess(latency, "desktop")
        try:
            for c in levels:
                store = TrajectoryStore(f"sqlite:///{workdir / f'desk-{latency}-{c}.db'}", workdir / "artifacts")
                store.upgrade()
                with PssSampler() as pss:
                    summary, wall, cpu = _run("osworld-lite", {}, model.base_url, c, 3 * c + 2, store,
                                              task_ids=[DESKTOP_TASK], split="all")
                calls = _agent_calls_per_episode(store, summary.run_id)
                eph = _sustained_per_hour(store, summary.run_id, c)
                store.close()
                done = summary.succeeded + summary.failed
                ideal = c * 3600 / (calls * latency) if calls else float("nan")
                row = {"concurrency": c, "latency_s": latency, "episodes": done, "errors": summary.errors,
                       "episodes_per_hour": round(eph), "ideal_episodes_per_hour": round(ideal),
                       "efficiency": round(eph / ideal, 3), "pss_mb_per_desktop": round(pss.peak_bytes / c / 2**20),
                       "runner_cpu_ms_per_episode": round(cpu / max(done, 1) * 1000, 1)}
                rows.append(row)
                print(f"desk  latency {latency:>3.1f}s  desktops {c:>2}: {done:>3} episodes, {eph:>7,.0f}/h of ideal "
                      f"{ideal:>7,.0f}/h ({eph / ideal:>5.1%}), {row['pss_mb_per_desktop']} MB PSS per desktop, "
                      f"errors {summary.errors}", flush=True)
        finally:
            model.close()
    return rows


def desktop_step_overhead(steps: int = 40) -> list[float]:
    """`env.step` wall times (seconds) for ordinary editor actions, no model involved."""
    from envs.registry import get_family

    env = get_family("osworld-lite").make(DESKTOP_TASK)
    actions: list[dict[str, Any]] = [
        {"action_type": "MOVE_TO", "x": 400, "y": 300},
        {"action_type": "TYPING", "text": "a"},
        {"action_type": "PRESS", "key": "left"},
        {"action_type": "CLICK", "x": 500, "y": 400},
        {"action_type": "HOTKEY", "keys": ["ctrl", "z"]},
    ]
    times: list[float] = []
    try:
        env.reset(seed=0)
        for i in range(steps):
            started = time.perf_counter()
            env.step(actions[i % len(actions)])
            times.append(time.perf_counter() - started)
    finally:
        env.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--latency", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="tool", help=argparse.SUPPRESS)
    parser.add_argument("--latencies", default="1,3", help="model latencies to test, seconds")
    parser.add_argument("--max-concurrency", type=int, default=256, help="largest tool concurrency")
    parser.add_argument("--max-desktops", type=int, default=(os.cpu_count() or 2) + 1)
    parser.add_argument("--quick", action="store_true", help="latency 1 s only, tool concurrency up to 128")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.latency, args.kind)
        return 0

    latencies = [1.0] if args.quick else [float(x) for x in args.latencies.split(",")]
    top = min(args.max_concurrency, 128) if args.quick else args.max_concurrency
    levels = [c for c in (1, 2, 4, 8, 16, 32, 64, 128, 256) if c <= top]
    desk_levels = sorted({c for c in (1, 2, 4, 8, 16) if c <= args.max_desktops} | {args.max_desktops})
    os.environ.setdefault("VLLM_API_KEY", "throughput-bench")
    workdir = Path(tempfile.mkdtemp(prefix="throughput-"))
    os.chdir(workdir)   # no agents.toml of the caller's is read

    step_times = desktop_step_overhead()
    step_p50 = statistics.median(step_times) * 1000
    step_p90 = sorted(step_times)[int(0.9 * (len(step_times) - 1))] * 1000
    print(f"desktop step (action + settled screenshot): p50 {step_p50:.0f} ms, p90 {step_p90:.0f} ms", flush=True)
    tools = tool_runs(latencies, levels, workdir)
    desks = desktop_runs(latencies[:1], desk_levels, workdir)

    targets = Targets("throughput_bench")
    for row in tools:
        if row["concurrency"] <= EFFICIENCY_UP_TO:
            targets.at_least(f"tool episodes/hour vs ideal, {row['concurrency']} at {row['latency_s']:g} s",
                             row["efficiency"] * 100, EFFICIENCY_TARGET * 100, " %")
    targets.at_most("desktop step overhead p50", step_p50, STEP_P50_TARGET_MS, " ms")
    if args.json:
        print(json.dumps({"tool_runs": tools, "desktop_step_p50_ms": round(step_p50, 1),
                          "desktop_step_p90_ms": round(step_p90, 1), "desktop_runs": desks}))
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())
