"""Scoring, site and viewer speed on a benchmark-sized database.

Figures printed:
* leaderboard rows for 100,000 in-memory episodes (grouping, Wilson intervals, pass^k);
* a paired comparison of 500 tasks × 3 trials (10,000 bootstrap resamples + McNemar);
* loading the episodes of a seeded SQLite store (models × tasks × trials, 10 steps each,
  every step with its own 1280×720 PNG screenshot and one model call);
* writing the static site for it (pages per second, screenshots copied);
* the live viewer's latency (Starlette test client): index, task matrix, an episode page,
  a screenshot.

Targets on a 2-core machine: rows for 100k episodes < 2 s; the live index < 1 s and an
episode page < 150 ms for 300 episodes (the default store: 3 models × 50 tasks × 2 trials); the
static site > 50 episode pages/s (first build, screenshots copied). Prints PASS or MISS per
target and exits 1 on a miss.

    python benchmarks/scoring_bench.py [--tasks 100] [--trials 2] [--models 3]
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from scoring.compare import compare
from scoring.episodes import EpisodeSummary
from scoring.leaderboard import build_rows
from scoring.source import StoreSource
from trajectories.records import (
    EpisodeResult,
    EpisodeStatus,
    ModelCall,
    RunConfig,
    StepRecord,
    TerminationReason,
)
from trajectories.store import TrajectoryStore

from benchmarks.targets import Targets

STEPS = 10


def synthetic(n: int, rng: random.Random) -> list[EpisodeSummary]:
    labels = ["gpt-5.4-mini", "qwen3.5-9b", "oracle", "noop"]
    out = []
    for i in range(n):
        label = labels[i % len(labels)]
        status = rng.choices(["succeeded", "failed", "error"], [0.5, 0.45, 0.05])[0]
        out.append(EpisodeSummary(
            episode_id=f"e{i}", run_id=f"r{i % 8}", env="osworld-lite" if i % 3 else "tau2-lite",
            domain=f"d{i % 7}", task_id=f"t{(i // 4) % 2000}", trial=i // 8000, agent="model",
            model=label, status=status, success=status == "succeeded", steps=rng.randint(1, 50),
            tokens_in=rng.randint(1000, 90000), tokens_out=rng.randint(10, 3000), cost_usd=rng.random() / 50,
            wall_time_s=rng.random() * 300))
    return out


def png(i: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1280, 720), (i % 256, (i // 256) % 256, 128)).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def seed(store: TrajectoryStore, models: int, tasks: int, trials: int) -> int:
    rng = random.Random(0)
    n = 0
    for m in range(models):
        run = store.start_run(RunConfig(env="osworld-lite", agent="model", model=f"model-{m}"))
        for t in range(tasks):
            for trial in range(trials):
                eid = store.start_episode(run, "osworld-lite", f"domain-{t % 5}", f"task-{t}", "test", trial, trial)
                for s in range(STEPS + 1):
                    n += 1
                    action = None if s == 0 else {"action_type": "CLICK", "x": rng.randint(0, 1279), "y": rng.randint(0, 719)}
                    call = [] if s == 0 else [ModelCall(
                        model=f"model-{m}", request={"messages": [{"role": "user", "content": "x" * 2000}]},
                        response={"role": "assistant", "content": "click", "reasoning": "because " * 50},
                        tokens_in=3000, tokens_out=60, cost_usd=0.001)]
                    store.record_step(eid, StepRecord(
                        index=s, action=action, model_calls=call,
                        observation={"screenshot": {"artifact": "screenshot", "shape": [720, 1280, 3]},
                                     "instruction": f"Do task {t}."}),
                        {"screenshot": (png(n), "image/png")})
                ok = rng.random() < 0.5 + 0.1 * m
                store.finish_episode(eid, EpisodeResult(
                    status=EpisodeStatus.SUCCEEDED if ok else EpisodeStatus.FAILED,
                    termination=TerminationReason.AGENT_DONE, reward=float(ok), success=ok,
                    steps=STEPS, tokens_in=3000 * STEPS, tokens_out=60 * STEPS, cost_usd=0.001 * STEPS,
                    wall_time_s=rng.random() * 100))
    return n


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


ROWS_100K_S, LIVE_INDEX_MS, LIVE_EPISODE_MS, SITE_PAGES_PER_S = 2.0, 1000.0, 150.0, 50.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=50)
    ap.add_argument("--trials", type=int, default=2)
    ap.add_argument("--models", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(1)
    targets = Targets("scoring_bench")
    figures: dict[str, float] = {}

    eps = synthetic(100_000, rng)
    cpu0 = time.process_time()
    secs, rows = timed(lambda: build_rows(eps))
    figures["rows"] = secs
    print(f"leaderboard rows, 100,000 episodes: {secs:.2f} s wall, {time.process_time() - cpu0:.2f} s CPU "
          f"({len(rows)} rows)")

    paired = []
    for t in range(500):
        p = 0.3 + 0.4 * rng.random()
        for trial in range(3):
            for label, bias in (("a", 0.1), ("b", 0.0)):
                ok = rng.random() < p + bias
                paired.append(EpisodeSummary(episode_id=f"{label}{t}{trial}", run_id=label, env="e", domain="d",
                                             task_id=f"t{t}", trial=trial, agent="model", model=label,
                                             status="succeeded" if ok else "failed", success=ok))
    secs, result = timed(lambda: compare(paired, "a", "b"))
    print(f"paired comparison, 500 tasks × 3 trials: {secs:.2f} s — {result.sentence()}")

    with tempfile.TemporaryDirectory() as tmp:
        store = TrajectoryStore(f"sqlite:///{tmp}/bench.db", Path(tmp) / "artifacts")
        store.upgrade()
        t0 = time.perf_counter()
        steps = seed(store, args.models, args.tasks, args.trials)
        n_eps = args.models * args.tasks * args.trials
        print(f"seeded {n_eps} episodes, {steps} steps with screenshots in {time.perf_counter() - t0:.1f} s")
        source = StoreSource(store)
        secs, loaded = timed(source.episodes, repeat=3)
        print(f"load episodes from SQLite: {secs * 1000:.0f} ms ({len(loaded)} episodes)")

        from scoring.site import build_site

        cpu0 = time.process_time()
        secs, report = timed(lambda: build_site(source, Path(tmp) / "site"))
        figures["site"] = report.episodes / secs
        print(f"static site ({time.process_time() - cpu0:.1f} s CPU): {secs:.1f} s for {report.pages} pages, {report.artifacts_copied} screenshots "
              f"({report.episodes / secs:.0f} episode pages/s incl. copies)")
        secs, report = timed(lambda: build_site(source, Path(tmp) / "site"))
        print(f"static site rebuild (screenshots already there): {secs:.1f} s ({report.episodes / secs:.0f} pages/s)")

        from starlette.testclient import TestClient

        from scoring.server import create_app

        # The viewer answers loopback Host headers only (DNS-rebinding guard): ask as 127.0.0.1.
        with TestClient(create_app(store), base_url="http://127.0.0.1") as client:
            eid = loaded[len(loaded) // 2].episode_id
            page = client.get(f"/episodes/{eid}.html").text
            shot = page.split('src="../artifacts/', 1)[1].split('"', 1)[0]
            for name, path in (("index", "/index.html"), ("task matrix", "/tasks.html"),
                               ("episode page", f"/episodes/{eid}.html"), ("screenshot", f"/artifacts/{shot}")):
                secs, resp = timed(lambda path=path: client.get(path), repeat=5)
                assert resp.status_code == 200, (path, resp.status_code)
                figures[name] = secs * 1000
                print(f"live viewer {name}: {secs * 1000:.0f} ms median ({len(resp.content) / 1024:.0f} KiB)")
        store.close()
    targets.at_most("leaderboard rows for 100,000 episodes", figures["rows"], ROWS_100K_S, " s")
    targets.at_most(f"live index for {n_eps} episodes", figures["index"], LIVE_INDEX_MS, " ms")
    targets.at_most(f"live episode page for {n_eps} episodes", figures["episode page"], LIVE_EPISODE_MS, " ms")
    targets.at_least("static site, first build", figures["site"], SITE_PAGES_PER_S, " episode pages/s")
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())
