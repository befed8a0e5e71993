"""Generated osworld-lite tasks: generation rate, and oracle/noop on a sample on the real desktop.

1. Generation: builds 1,000 tasks (seed given by --gen-seed) in a fresh interpreter and reports
   tasks per second (target ≥ 500/s) and that all 1,000 instructions are distinct.
2. Sample: the first `--per-family` tasks of every family under `--seed` (F × k tasks; the
   default 4 per family gives 144) run through the real CLI and runner —
   `python -m agents run --env osworld-lite --generated N --seed S --concurrency 2` — once with
   the oracle agent and once with noop, into a throwaway SQLite store. Per family it prints
   how many the oracle solved and noop failed; every oracle episode must succeed and every
   noop episode must fail (no infrastructure errors either).

Exits 1 on any miss (benchmarks/targets.py). Takes about 15 minutes on 2 cores.

    .venv/bin/python benchmarks/generated_tasks_bench.py [--per-family 4] [--seed 1] [--concurrency 2]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.targets import Targets  # noqa: E402

GEN_RATE_TARGET = 500.0    # tasks per second (about 7,000/s on an idle core)
_GEN_CODE = """
import json, time
t0 = time.perf_counter()
from envs.osworld_lite.generated import generate_tasks
t1 = time.perf_counter()
tasks = generate_tasks(1000, seed=%d)
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "generate_s": t2 - t1, "distinct": len({t.instruction for t in tasks})}))
"""


def generation(targets: Targets, seed: int) -> None:
    out = subprocess.run([sys.executable, "-c", _GEN_CODE % seed], capture_output=True, text=True, cwd=ROOT,
                         check=True, timeout=300)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    rate = 1000 / figures["generate_s"]
    print(f"generation: 1,000 tasks in {figures['generate_s']:.3f} s ({rate:,.0f} tasks/s; "
          f"package import {figures['import_s']:.2f} s)")
    targets.at_least("generation rate", rate, GEN_RATE_TARGET, " tasks/s")
    targets.at_least("distinct instructions of 1,000", figures["distinct"], 1000)


def run_agent(agent: str, n: int, seed: int, concurrency: int, db: str, artifacts: str) -> str:
    cmd = [sys.executable, "-m", "agents", "run", "--env", "osworld-lite", "--agent", agent, "--generated", str(n),
           "--seed", str(seed), "--concurrency", str(concurrency), "--no-progress", "--json-summary",
           "--max-error-rate", "1.0", "--db", db, "--artifacts", artifacts]
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode not in (0, 5):
        raise SystemExit(f"{agent} run failed (exit {out.returncode}):\n{out.stderr[-3000:]}")
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{agent}: {summary.get('episodes')} episodes in {time.perf_counter() - started:.0f} s "
          f"(concurrency {concurrency})")
    return summary["run_id"]


def sample(targets: Targets, per_family: int, seed: int, concurrency: int) -> None:
    from agents.settings import open_store
    from envs.osworld_lite.generated import FAMILIES, ID_RE

    n = len(FAMILIES) * per_family
    with tempfile.TemporaryDirectory(prefix="gen-bench-") as tmp:
        db, artifacts = f"sqlite:///{tmp}/runs.db", f"{tmp}/artifacts"
        runs = {agent: run_agent(agent, n, seed, concurrency, db, artifacts) for agent in ("oracle", "noop")}
        store = open_store(db, artifacts)
        try:
            rows = {agent: list(store.iter_episodes(run_ids=run_id)) for agent, run_id in runs.items()}
        finally:
            store.close()
    table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for agent, episodes in rows.items():
        for ep in episodes:
            family = ID_RE.match(ep.task_id)["family"]  # type: ignore[index]
            good = ep.success if agent == "oracle" else (ep.status.value == "failed" and not ep.success)
            table[family][f"{agent}_ok" if good else f"{agent}_bad"].append(ep.task_id)
            if not good:
                print(f"  {agent} {ep.task_id}: status {ep.status.value}, reward {ep.reward}, "
                      f"termination {ep.termination}, error {(ep.error or '')[:300]}")
    print(f"\n{'family':34} {'oracle solved':>14} {'noop failed':>12}")
    for fam in FAMILIES:
        row = table[fam.name]
        print(f"{fam.name:34} {len(row['oracle_ok']):>6}/{len(row['oracle_ok']) + len(row['oracle_bad']):<7} "
              f"{len(row['noop_ok']):>5}/{len(row['noop_ok']) + len(row['noop_bad']):<6}")
    oracle_ok = sum(len(r["oracle_ok"]) for r in table.values())
    noop_ok = sum(len(r["noop_ok"]) for r in table.values())
    targets.at_least("sample size", n, 100, " tasks")
    targets.at_least("families in the sample", len(table), len(FAMILIES))
    targets.at_least("oracle solved (share of the sample)", oracle_ok / n, 1.0)
    targets.at_least("noop failed (share of the sample)", noop_ok / n, 1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-family", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1, help="seed of the desktop sample")
    parser.add_argument("--gen-seed", type=int, default=0, help="seed of the generation-rate run")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--skip-desktop", action="store_true", help="only the generation figures")
    args = parser.parse_args()
    targets = Targets("generated_tasks_bench")
    generation(targets, args.gen_seed)
    if not args.skip_desktop:
        sample(targets, args.per_family, args.seed, args.concurrency)
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())
