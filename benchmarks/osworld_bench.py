"""OSWorld sweep: every runnable OSWorld task set up on stand-in assets, run with noop, scored.

Counts runnable tasks per domain with no asset cache and with a cache of stand-in files (small
files of the right type for each URL's extension: tests/support/osworld_standins.py), then
runs every task runnable with stand-ins: reset (setup steps), the noop agent's DONE, the
evaluator's postconfig and metrics, `--concurrency` episodes at once. Reports reset and
evaluation times per app, and per domain how many were scored without an infrastructure or
harness error (the scores themselves mean nothing on stand-ins). Targets: reset p50 ≤ 3 s per
app (not counting the seconds the tasks' own `sleep` setup steps wait, shown apart); every
runnable task scored without an error.

    .venv/bin/python benchmarks/osworld_bench.py --osworld-dir ../shared/osworld [--concurrency 2]
        [--domain D] [--limit N] [--json PATH]
"""
from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.targets import Targets  # noqa: E402
from envs.osworld.assets import AssetCache, task_asset_urls  # noqa: E402
from envs.osworld.blockers import blockers  # noqa: E402
from envs.osworld.loader import load_tasks  # noqa: E402
from tests.support.osworld_standins import fill_cache, saved_names  # noqa: E402
from tests.support.osworld_sweep import run_noop  # noqa: E402

RESET_P50_TARGET_S = 3.0


def p50(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--osworld-dir", required=True)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--domain")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--cache", help="the stand-in cache folder (default: a temporary one)")
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    args = ap.parse_args()

    tasks = load_tasks(args.osworld_dir, domain=args.domain)
    with tempfile.TemporaryDirectory(prefix="osworld-bench-") as tmp:
        empty = AssetCache(Path(tmp) / "empty")
        cache = fill_cache(Path(args.cache or Path(tmp) / "standins"), [u for t in tasks for u in task_asset_urls(t)],
                           saved_names(tasks))
        per_domain = collections.Counter(t.domain for t in tasks)
        runnable_none = collections.Counter(t.domain for t in tasks if not blockers(t, empty))
        chosen = [t for t in tasks if not blockers(t, cache)]
        runnable_standins = collections.Counter(t.domain for t in chosen)
        remaining = collections.Counter(b.split(":")[0] if "assets missing" not in b else "assets missing"
                                        for t in tasks for b in blockers(t, cache))
        chosen = chosen[:args.limit] if args.limit else chosen
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(1, args.concurrency)) as pool:
            rows = list(pool.map(lambda t: run_noop(t, cache), chosen))
        wall = time.monotonic() - started

    scored = collections.Counter(r["domain"] for r in rows if r["outcome"] == "scored")
    swept = collections.Counter(r["domain"] for r in rows)
    by_app: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for r in rows:
        by_app[r["app"]].append(r)
    summary = {
        "tasks": len(tasks), "runnable_without_assets": sum(runnable_none.values()),
        "runnable_with_standins": sum(runnable_standins.values()),
        "swept": len(rows), "scored_without_error": sum(scored.values()), "wall_s": round(wall, 1),
        "domains": {d: {"tasks": n, "runnable_no_assets": runnable_none[d], "runnable_standins": runnable_standins[d],
                        "swept": swept[d], "scored": scored[d]} for d, n in sorted(per_domain.items())},
        "apps": {a: {"episodes": len(rs), "reset_p50_s": p50([r["reset_s"] for r in rs if "reset_s" in r]),
                     # The tasks' own `sleep` setup steps are part of every reset; without them:
                     "reset_p50_s_without_setup_sleeps": p50([r["reset_s"] - r["setup_sleep_s"]
                                                               for r in rs if "reset_s" in r]),
                     "eval_p50_s": p50([r["eval_s"] for r in rs if "eval_s" in r])}
                 for a, rs in sorted(by_app.items())},
        "blockers_with_standins": dict(remaining.most_common()),
        "errors": [{k: r[k] for k in ("id", "domain", "outcome", "error")} for r in rows if r["outcome"] != "scored"],
    }
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    print(f"{'domain':22} {'tasks':>5} {'run/none':>8} {'run/stand-ins':>13} {'swept':>5} {'scored':>6}")
    for d, v in summary["domains"].items():
        print(f"{d:22} {v['tasks']:5} {v['runnable_no_assets']:8} {v['runnable_standins']:13} "
              f"{v['swept']:5} {v['scored']:6}")
    print(f"{'all':22} {len(tasks):5} {summary['runnable_without_assets']:8} "
          f"{summary['runnable_with_standins']:13} {len(rows):5} {summary['scored_without_error']:6}")
    print(f"\n{'app':24} {'episodes':>8} {'reset p50 s':>11} {'w/o task sleeps':>15} {'eval p50 s':>10}")
    for a, v in summary["apps"].items():
        print(f"{a:24} {v['episodes']:8} {v['reset_p50_s']!s:>11} "
              f"{v['reset_p50_s_without_setup_sleeps']!s:>15} {v['eval_p50_s']!s:>10}")
    print("\nblockers left with stand-in assets (tasks):")
    for b, n in summary["blockers_with_standins"].items():
        print(f"  {n:4}  {b}")
    for e in summary["errors"]:
        print(f"ERROR {e['domain']}/{e['id']}: {e['outcome']}: {e['error']}")
    print(f"\nswept {len(rows)} tasks in {wall:.0f} s at concurrency {args.concurrency}")
    targets = Targets("osworld_bench")
    for a, v in summary["apps"].items():
        if v["reset_p50_s"] is not None:
            targets.at_most(f"reset p50 {a} (without the tasks' own sleep steps)",
                            v["reset_p50_s_without_setup_sleeps"], RESET_P50_TARGET_S, " s")
    targets.at_least("runnable tasks scored without error", summary["scored_without_error"], len(rows))
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())
