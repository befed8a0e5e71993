"""Fine-tuning export throughput and memory: exported steps per second, peak memory.

Seeds a SQLite store through TrajectoryStore with 10,000 steps (by default): half desktop
episodes (50 steps, a unique 1280x720 PNG screenshot per step, a Qwen-shaped model call) and
half tau2-lite episodes (20 steps of tool calls, tool results and user messages). Then, in a
fresh process per measurement, exports them as TRL JSONL (image files written) and as parquet
(images embedded), and reports steps/s, peak RSS, and the peak of Python allocations
(tracemalloc, a separate run since tracing slows the export). Exporting a quarter of the
episodes alongside all of them shows whether memory stays flat as the export grows.

Targets, per format: >= 500 exported steps/s over all the episodes (100,000 steps in under
four minutes), and memory flat in the export's size: exporting all the episodes peaks at most
1.5 times the Python allocations and the RSS of exporting the smaller subset (one desktop run
and one tau2-lite run). Prints PASS or MISS per target and exits 1 on a miss, or when an export
skips episodes.

    python benchmarks/export_bench.py [--steps 10000] [--formats trl,parquet]
"""
from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import resource
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from agents.formats import CoordinateSpace, computer_use_tool, qwen_to_env  # noqa: E402
from trajectories.records import (  # noqa: E402
    EpisodeResult, EpisodeStatus, ModelCall, RunConfig, StepRecord, TerminationReason,
)
from trajectories.store import TrajectoryStore  # noqa: E402

from benchmarks.targets import Targets  # noqa: E402

W, H = 1280, 720
DESKTOP_STEPS, TAU2_STEPS = 50, 20
RUNS = 4   # episodes are spread over 4 runs so that "a quarter" is one --runs filter
STEPS_PER_S_TARGET = 500.0   # exported steps/s over all the episodes
MEMORY_GROWTH_TARGET = 1.5   # peak memory, all the episodes / the smaller subset


def _base_pngs(n: int = 40) -> list[bytes]:
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        a = np.full((H, W, 3), (i * 5) % 256, np.uint8)
        a[200:328, 300:556] = rng.integers(0, 255, (128, 256, 3), dtype=np.uint8)
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, format="PNG", compress_level=1)
        out.append(buf.getvalue())
    return out


def unique_png(base: bytes, n: int) -> bytes:
    """A valid PNG no other step has: `base` plus a tEXt chunk carrying `n` (before IEND)."""
    data = b"step\x00" + str(n).encode()
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    return base[:-12] + chunk + base[-12:]


def seed(store: TrajectoryStore, total_steps: int) -> dict[str, Any]:
    bases = _base_pngs()
    space = CoordinateSpace(W, H)
    tool = computer_use_tool(space)
    runs = [store.start_run(RunConfig(env=env, agent="model", model="qwen3.5-9b", split="train"))
            for env in ("osworld-lite", "tau2-lite") for _ in range(RUNS // 2)]
    shot = 0
    steps = 0
    episode = 0
    while steps < total_steps:
        desktop = episode % 2 == 0
        run = runs[(episode // 2) % (RUNS // 2) + (0 if desktop else RUNS // 2)]
        env = "osworld-lite" if desktop else "tau2-lite"
        eid = store.start_episode(run, env, "writer" if desktop else "retail", f"task-{episode % 40}", "train", episode, 0)
        n = DESKTOP_STEPS if desktop else TAU2_STEPS
        for i in range(n + 1):
            if desktop:
                args = {"action": "left_click", "coordinate": [(37 * i) % 1000, (91 * i) % 1000]} if i < n else \
                    {"action": "terminate", "status": "success"}
                action = qwen_to_env(args, space)[0] if i else None
                calls = [ModelCall(model="qwen3.5-9b", provider="vllm",
                                   request={"messages": [{"role": "system", "content": "You are a helpful assistant."}],
                                            "tools": [tool]},
                                   response={"role": "assistant", "reasoning": "Click the next cell.",
                                             "tool_calls": [{"id": "c", "type": "function", "function": {
                                                 "name": "computer_use", "arguments": json.dumps(args)}}]})] if i else []
                obs = {"screenshot": {"artifact": "screenshot", "shape": [H, W, 3]}, "instruction": "Fill the column."}
                record = StepRecord(index=i, observation=obs, action=action, model_calls=calls,
                                    agent_output={"reasoning": "Click the next cell."} if i else {},
                                    terminated=i == n)
                shot += 1
                art = None if i == n else {"screenshot": (unique_png(bases[shot % len(bases)], shot), "image/png")}
                store.record_step(eid, record, art)
            else:
                if i == 0:
                    obs = {"messages": [{"role": "user", "content": "Please check my order #W%d." % episode}]}
                    action = None
                elif i % 2:
                    action = {"type": "tool_call", "id": f"call_{i}", "name": "get_order_details",
                              "arguments": {"order_id": f"#W{episode}{i}"}}
                    obs = {"messages": [{"role": "tool", "tool_call_id": f"call_{i}", "name": "get_order_details",
                                         "content": json.dumps({"order_id": f"#W{episode}{i}", "status": "pending",
                                                                "items": [{"name": "lamp", "price": 35.5}] * 4})}]}
                else:
                    action = {"type": "message", "content": "Your order is pending. Anything else?"}
                    obs = {"messages": [{"role": "user", "content": "Yes, one more question." if i < n else "###STOP###"}]}
                calls = [ModelCall(model="qwen3.5-9b", provider="vllm",
                                   request={"messages": [{"role": "system", "content": "Retail policy. " * 200}],
                                            "tools": [{"type": "function", "function": {
                                                "name": "get_order_details", "description": "Order details.",
                                                "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}}}}]},
                                   response={"role": "assistant"})] if i else []
                store.record_step(eid, StepRecord(index=i, observation=obs, action=action, model_calls=calls,
                                                  terminated=i == n))
        store.finish_episode(eid, EpisodeResult(status=EpisodeStatus.SUCCEEDED, termination=TerminationReason.AGENT_DONE,
                                                reward=1.0, success=True, steps=n))
        steps += n
        episode += 1
    return {"runs": runs, "episodes": episode, "steps": steps}


def _measure(args: tuple[str, str, str, str, list[str] | None, bool], queue: Any) -> None:
    url, artifacts, fmt, out, runs, trace = args
    import tracemalloc

    from trajectories.export import ExportOptions, export_trajectories

    store = TrajectoryStore(url, artifacts)
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    report = export_trajectories(store, ExportOptions(format=fmt, out_dir=Path(out), runs=runs, thinking="keep"))
    seconds = time.perf_counter() - t0
    peak_py = tracemalloc.get_traced_memory()[1] if trace else None
    queue.put({"steps": report.steps, "samples": report.samples, "seconds": seconds, "skipped": report.skipped,
               "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               "py_peak_mb": peak_py / 2**20 if peak_py is not None else None})


def measure(url: str, artifacts: str, fmt: str, out: Path, runs: list[str] | None, trace: bool) -> dict[str, Any]:
    ctx = mp.get_context("spawn")   # a fresh process: its peak RSS is the export's own
    queue = ctx.Queue()
    proc = ctx.Process(target=_measure, args=((url, artifacts, fmt, str(out), runs, trace), queue))
    proc.start()
    result = queue.get(timeout=1800)
    proc.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--formats", default="trl,parquet")
    a = parser.parse_args()
    targets = Targets("export_bench")
    figures: dict[tuple[str, str], dict[str, float]] = {}
    skipped = 0
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        root = Path(tmp)
        url, artifacts = f"sqlite:///{root / 'runs.db'}", str(root / "artifacts")
        store = TrajectoryStore(url, artifacts)
        store.upgrade()
        t0 = time.perf_counter()
        seeded = seed(store, a.steps)
        print(f"seeded {seeded['steps']} steps in {seeded['episodes']} episodes "
              f"({time.perf_counter() - t0:.1f} s)")
        quarter = [seeded["runs"][0], seeded["runs"][RUNS // 2]]   # one desktop run + one tau2 run
        print(f"{'format':<8} {'episodes':>9} {'steps':>7} {'seconds':>8} {'steps/s':>8} {'peak RSS MB':>12} {'py peak MB':>11}")
        for fmt in a.formats.split(","):
            for label, runs in (("quarter", quarter), ("all", None)):
                r = measure(url, artifacts, fmt, root / f"out-{fmt}-{label}", runs, trace=False)
                traced = measure(url, artifacts, fmt, root / f"out-{fmt}-{label}-traced", runs, trace=True)
                print(f"{fmt:<8} {label:>9} {r['steps']:>7} {r['seconds']:>8.2f} {r['steps'] / r['seconds']:>8.0f} "
                      f"{r['rss_mb']:>12.0f} {traced['py_peak_mb']:>11.1f}")
                figures[fmt, label] = {"steps_per_s": r["steps"] / r["seconds"], "rss_mb": r["rss_mb"],
                                       "py_peak_mb": traced["py_peak_mb"]}
                for result in (r, traced):
                    if result["skipped"]:
                        skipped += 1
                        print(f"  skipped: {result['skipped']}")
    for fmt in a.formats.split(","):
        quarter, full = figures[fmt, "quarter"], figures[fmt, "all"]
        targets.at_least(f"{fmt} export speed, all episodes", full["steps_per_s"], STEPS_PER_S_TARGET, " steps/s")
        targets.at_most(f"{fmt} Python peak, all / subset", full["py_peak_mb"] / quarter["py_peak_mb"],
                        MEMORY_GROWTH_TARGET, "x")
        targets.at_most(f"{fmt} peak RSS, all / subset", full["rss_mb"] / quarter["rss_mb"], MEMORY_GROWTH_TARGET, "x")
    targets.at_most("exports that skipped episodes", skipped, 0)
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())
