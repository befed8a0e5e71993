"""miniwob speed against BrowserGym's MiniWoB on the same tasks, seeds and pages, plus the
oracle and noop sweep.

    python benchmarks/miniwob_bench.py [--tasks a,b] [--seeds 5] [--steps 5] [--skip-browsergym]
                                       [--sweep SEEDS]

Both harnesses run the same workload on the same MiniWoB++ pages (the `miniwob` package's
files, through `MINIWOB_URL` for BrowserGym) in Debian's Chromium: for each task and seed, one
episode = reset, `--steps` × `noop(wait_ms=0)` (an action both accept and that ends no task),
and each harness's own observation (ours: screenshot, utterance, page text with bids;
BrowserGym's: screenshot, AX tree, DOM snapshot). BrowserGym runs in its own virtualenv
(`browsergym-miniwob` from PyPI, made on first use under ~/.cache/agentic-bench/, or
--bg-venv); its Playwright is pointed at Debian's Chromium by setting `executable_path` on
every launch (it launches two browsers per reset: the task's and its chat window's).

Targets: reset p50 <= 0.3 s, step p50 <= 0.1 s, episodes/hour >= 5 × BrowserGym's.
`--sweep N` also runs the oracle and noop over N seeds of every task the oracle solves
(test-split instances), prints each task's success rate, and checks the oracle's overall rate
>= 0.95 and lists every task where noop scores. Exits 1 on a miss.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.targets import Targets  # noqa: E402
from envs.miniwob.browser import chromium_path  # noqa: E402
from envs.miniwob.env import MiniWoBEnv  # noqa: E402
from envs.miniwob.pages import base_url  # noqa: E402
from envs.miniwob.solvers import SOLVERS  # noqa: E402

TASKS = ["click-test", "click-button", "enter-text", "click-checkboxes", "login-user", "choose-list"]
BROWSERGYM = "browsergym-miniwob==0.14.3"
ACTION = "noop(wait_ms=0)"
RESET_P50_S, STEP_P50_S, SPEEDUP = 0.3, 0.1, 5.0

# Runs inside BrowserGym's virtualenv: the same workload, timings as one JSON line.
BG_SCRIPT = r"""
import json, sys, time
import gymnasium as gym
import browsergym.miniwob  # noqa: F401  (registers browsergym/miniwob.<task>)
from playwright.sync_api import BrowserType

CHROMIUM, TASKS, SEEDS, STEPS, ACTION = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
_launch = BrowserType.launch
def launch(self, *args, **kwargs):
    kwargs.setdefault("executable_path", CHROMIUM)
    return _launch(self, *args, **kwargs)
BrowserType.launch = launch

resets, steps, episodes, errors = [], [], [], []
for task in TASKS:
    env = gym.make(f"browsergym/miniwob.{task}")
    for seed in range(SEEDS):
        t0 = time.monotonic()
        env.reset(seed=seed)
        resets.append(time.monotonic() - t0)
        for _ in range(STEPS):
            t = time.monotonic()
            obs, reward, terminated, truncated, info = env.step(ACTION)
            steps.append(time.monotonic() - t)
            if obs.get("last_action_error"):
                errors.append(obs["last_action_error"])
        episodes.append(time.monotonic() - t0)
    env.close()
print(json.dumps({"resets": resets, "steps": steps, "episodes": episodes, "errors": errors[:3]}))
"""


def ours(tasks: list[str], seeds: int, steps: int) -> dict[str, list[float]]:
    resets, step_s, episodes = [], [], []
    for task in tasks:
        env = MiniWoBEnv(task)
        env.reset(seed=10_000)          # the worker's Chromium starts once, outside the timings
        for seed in range(seeds):
            t0 = time.monotonic()
            env.reset(seed=seed)
            resets.append(time.monotonic() - t0)
            for _ in range(steps):
                t = time.monotonic()
                _, _, _, _, info = env.step(ACTION)
                step_s.append(time.monotonic() - t)
                assert not info.get("action_error"), info
            episodes.append(time.monotonic() - t0)
        env.close()
    return {"resets": resets, "steps": step_s, "episodes": episodes}


def bg_venv(path: Path) -> Path:
    python = path / "bin" / "python"
    if not python.exists():
        print(f"making BrowserGym's virtualenv at {path} ({BROWSERGYM}) …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", BROWSERGYM], check=True)
    return python


def browsergym(python: Path, tasks: list[str], seeds: int, steps: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="bg-bench-") as tmp:
        script = Path(tmp) / "bg_bench.py"
        script.write_text(BG_SCRIPT)
        env = {**os.environ, "MINIWOB_URL": base_url()}
        done = subprocess.run([str(python), str(script), chromium_path() or "/usr/bin/chromium", ",".join(tasks),
                               str(seeds), str(steps), ACTION], capture_output=True, text=True, env=env, cwd=tmp,
                              timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"BrowserGym run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def p50(values: list[float]) -> float:
    return statistics.median(values)


def report(name: str, figures: dict[str, list[float]]) -> float:
    per_hour = 3600 / statistics.mean(figures["episodes"])
    print(f"{name:<12} reset p50 {p50(figures['resets']):.3f} s  p90 {_p90(figures['resets']):.3f} s | "
          f"step p50 {p50(figures['steps']):.3f} s  p90 {_p90(figures['steps']):.3f} s | "
          f"{per_hour:,.0f} episodes/hour ({len(figures['episodes'])} episodes)")
    return per_hour


def _p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))]


def sweep(seeds: int, targets: Targets) -> None:
    """The oracle and noop over `seeds` test instances of every task the oracle solves."""
    oracle_ok = total = 0
    noop_scores: dict[str, int] = {}
    for task in sorted(SOLVERS):
        env = MiniWoBEnv(task, split="test")
        ok = noop = 0
        for seed in range(seeds):
            env.reset(seed=seed)
            plan = env.reference_solution() or []
            info: dict = {}
            for action in plan:
                _, _, terminated, _, info = env.step(action)
                if terminated:
                    break
            verdict = info.get("evaluation") or env.evaluate("agent_done").model_dump()
            ok += bool(verdict["success"])
            env.reset(seed=seed)
            _, _, _, _, info = env.step({"action_type": "DONE"})
            noop += bool(info["evaluation"]["success"])
        env.close()
        oracle_ok, total = oracle_ok + ok, total + seeds
        if noop:
            noop_scores[task] = noop
        print(f"  {task:<28} oracle {ok}/{seeds}  noop {noop}/{seeds}", flush=True)
    print(f"oracle: {oracle_ok}/{total} over {len(SOLVERS)} tasks × {seeds} seeds; "
          f"noop scores on: {noop_scores or 'no task'}")
    targets.at_least("oracle success rate", oracle_ok / total, 0.95)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--skip-browsergym", action="store_true")
    parser.add_argument("--bg-venv", type=Path, default=Path.home() / ".cache" / "agentic-bench" / "browsergym-venv")
    parser.add_argument("--sweep", type=int, default=0, help="also run the oracle/noop sweep over N seeds")
    args = parser.parse_args()
    tasks = [t for t in args.tasks.split(",") if t]
    targets = Targets("miniwob_bench")
    print(f"{len(tasks)} tasks × {args.seeds} seeds, {args.steps} × {ACTION} per episode; "
          f"Chromium {chromium_path()}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    mine = ours(tasks, args.seeds, args.steps)
    ours_rate = report("miniwob", mine)
    targets.at_most("reset p50", p50(mine["resets"]), RESET_P50_S, " s")
    targets.at_most("step p50", p50(mine["steps"]), STEP_P50_S, " s")
    if not args.skip_browsergym:
        theirs = browsergym(bg_venv(args.bg_venv), tasks, args.seeds, args.steps)
        bg_rate = report("BrowserGym", theirs)
        if theirs["errors"]:
            print(f"BrowserGym action errors (first ones): {theirs['errors']}")
        print(f"ratio: {ours_rate / bg_rate:.1f}× BrowserGym's episodes/hour "
              f"(reset {p50(theirs['resets']) / p50(mine['resets']):.1f}× faster, "
              f"step {p50(theirs['steps']) / p50(mine['steps']):.1f}× faster)")
        targets.at_least("episodes/hour vs BrowserGym", ours_rate / bg_rate, SPEEDUP, "×")
    if args.sweep:
        sweep(args.sweep, targets)
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())
