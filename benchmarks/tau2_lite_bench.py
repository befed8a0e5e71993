"""tau2-lite speed on τ²-bench's retail data: read tool calls per second and DB-reward time.

    python benchmarks/tau2_lite_bench.py [--data-dir ../shared/tau2/retail]

Targets: >= 7,000 read tool calls/s (the reference does ~7,243/s on the project machine) and
<= 40 ms per DB-reward evaluation at p95 (the reference spends ~0.4 s: two DB loads, two hashes).
Prints PASS or MISS per target and exits 1 on a miss (also when the data is missing).
Read calls go through the whole tool path (argument validation, execution, τ²-bench output
encoding) on fresh copy-on-access DBs, 50 calls per DB as in an episode; the DB reward is
τ²-bench's: gold actions on one fresh DB, the conversation's writes replayed on another,
states compared.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from envs.tau2_lite.domain import get_domain  # noqa: E402
from envs.tau2_lite.evaluator import env_reward  # noqa: E402
from envs.tau2_lite.replay import replay_gold  # noqa: E402
from envs.tau2_lite.runtime import Runtime, ToolCall  # noqa: E402

from benchmarks.targets import Targets  # noqa: E402

READ_TARGET, EVAL_TARGET_MS = 7000, 40.0


def read_calls(raw: dict, n: int, rng: random.Random) -> list[tuple[str, dict]]:
    users = list(raw["users"].values())
    orders = list(raw["orders"])
    products = list(raw["products"].values())
    items = [i for p in products for i in p["variants"]]
    makers = [
        lambda: ("get_user_details", {"user_id": rng.choice(users)["user_id"]}),
        lambda: ("get_order_details", {"order_id": rng.choice(orders)}),
        lambda: ("get_product_details", {"product_id": rng.choice(products)["product_id"]}),
        lambda: ("get_item_details", {"item_id": rng.choice(items)}),
        lambda: ("find_user_id_by_email", {"email": rng.choice(users)["email"]}),
        lambda: (lambda u: ("find_user_id_by_name_zip", {"first_name": u["name"]["first_name"],
                                                          "last_name": u["name"]["last_name"],
                                                          "zip": u["address"]["zip"]}))(rng.choice(users)),
        lambda: ("list_all_product_types", {}),
        lambda: ("calculate", {"expression": f"{rng.randint(1, 999)} * 1.07 + {rng.randint(1, 99)}"}),
    ]
    return [rng.choice(makers)() for _ in range(n)]


def bench_reads(domain, raw: dict, n: int) -> tuple[float, dict[str, float]]:
    calls = read_calls(raw, n, random.Random(0))
    per_tool: dict[str, list[float]] = {}
    errors = 0
    start = time.perf_counter()
    runtime = None
    for i, (name, args) in enumerate(calls):
        if i % 50 == 0:
            runtime = Runtime(domain)
        t0 = time.perf_counter()
        errors += runtime.respond(ToolCall(f"c{i}", name, args)).error
        per_tool.setdefault(name, []).append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    if errors:
        raise SystemExit(f"MISS tau2_lite_bench: {errors} read calls failed: the benchmark data is wrong")
    return n / total, {k: len(v) / sum(v) for k, v in sorted(per_tool.items())}


def gold_conversation(domain, task) -> list[dict]:
    replay = replay_gold(domain, task)
    conv = []
    for action, result in zip(task.gold_actions, replay.results):
        conv.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": action.action_id, "name": action.name, "arguments": action.arguments}]})
        conv.append(result.as_message())
    return conv


def bench_db_reward(domain, repeats: int) -> tuple[list[float], int]:
    tasks = [t for t in domain.tasks.values() if any(domain.toolkit_class.mutates_state(a.name) for a in t.gold_actions)]
    convs = [(t, gold_conversation(domain, t)) for t in tasks]
    times, matches = [], 0
    for _ in range(repeats):
        for task, conv in convs:
            t0 = time.perf_counter()
            result = env_reward(domain, task, conv)
            times.append((time.perf_counter() - t0) * 1000)
            matches += result["db_match"]
    return times, matches // repeats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(REPO.parent / "shared" / "tau2" / "retail"))
    parser.add_argument("--reads", type=int, default=30000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not (Path(args.data_dir) / "db.json").is_file():
        raise SystemExit(f"MISS tau2_lite_bench: no τ²-bench retail data at {args.data_dir}: pass --data-dir pointing at "
                         "data/tau2/domains/retail of a τ²-bench checkout")
    t0 = time.perf_counter()
    domain = get_domain("retail", args.data_dir)
    domain.source  # noqa: B018  (parse and validate db.json once per process)
    load_s = time.perf_counter() - t0
    raw = json.loads((Path(args.data_dir) / "db.json").read_text())

    bench_reads(domain, raw, 2000)  # warm-up: pydantic schemas, caches
    rate, per_tool = bench_reads(domain, raw, args.reads)
    times, matched = bench_db_reward(domain, args.repeats)
    t1 = time.perf_counter()
    full_hash = Runtime(domain).db.hash()
    hash_ms = (time.perf_counter() - t1) * 1000

    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} (figures drop when other jobs run)")
    print(f"retail DB parsed and validated once per process: {load_s * 1000:.0f} ms")
    print(f"read tool calls: {rate:,.0f} calls/s over {args.reads:,} calls")
    for name, r in per_tool.items():
        print(f"    {name:<28} {r:>10,.0f} calls/s")
    median, p95 = statistics.median(times), sorted(times)[int(0.95 * (len(times) - 1))]
    print(f"DB-reward evaluation: median {median:.2f} ms, p95 {p95:.2f} ms, max {max(times):.2f} ms over "
          f"{len(times)} evaluations of {len(times) // args.repeats} writing tasks, {matched} gold matches")
    print(f"full reference hash of a fresh DB (not needed for the reward): {hash_ms:.1f} ms "
          f"({full_hash[:12]}…)")
    targets = Targets("tau2_lite_bench")
    targets.at_least("read tool calls", rate, READ_TARGET, " calls/s")
    targets.at_most("DB-reward evaluation p95", p95, EVAL_TARGET_MS, " ms")
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())
