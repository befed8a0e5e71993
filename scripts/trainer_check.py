"""Check exports with the trainers' own loaders: ms-swift 4.6.0 and LLaMA-Factory 0.9.5.

    python scripts/trainer_check.py [--tau2 N] [--desktop N] [--generated N] [--seed S]
                                    [--venv-swift DIR] [--venv-lf DIR] [--checks DIR] [--keep DIR]

1. Makes the two trainer venvs if they are missing (each trainer needs its own: LLaMA-Factory pins
   `datasets<=4.0.0`, ms-swift needs a newer one), CPU torch only.
2. Records episodes into a fresh store: oracle runs of tau2-lite card_services (its generated
   train tasks, scripted customer), of osworld-lite's built-in train tasks and of generated
   osworld-lite tasks on the real desktop, plus the recorded Qwen3.5 / GPT-5.4-mini episodes of
   the export tests (tests/export/seed.py), the ones with reasoning.
3. Exports each source with `python -m agents export` as swift and llamafactory, reasoning kept
   and dropped, one sample per episode and per turn, and runs the trainers' own loaders and
   `qwen3_5` templates over every row (the check scripts in the shared `trainer-checks/` folder
   beside the checkout).

Prints one line per export and trainer (rows OK / FAIL) and exits 1 when any row failed.
Desktop episodes need the osworld-lite system packages (`make setup`); give `--desktop 0
--generated 0` to check the tool domain alone.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CHECKS = ROOT.parent / "shared" / "trainer-checks"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "agentic-bench"
# The pins of trainer-checks/README.md: torch in the same command so pip takes the CPU wheel.
VENVS = {
    "swift": (["ms-swift==4.6.0", "torch==2.13.0"], []),
    "llamafactory": (["llamafactory==0.9.5", "torch==2.13.0"], ["torchvision", "torchaudio"]),
}
CHECKERS = {"swift": "peer_check_swift.py", "llamafactory": "peer_check_llamafactory.py"}


def ensure_venv(path: Path, kind: str) -> Path:
    python = path / "bin" / "python"
    if python.exists():
        return python
    install, remove = VENVS[kind]
    print(f"creating the {kind} venv at {path} (a few minutes)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *install], check=True)
    if remove:   # CUDA builds that break `import transformers` next to the CPU torch
        subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", *remove], check=True)
    return python


def agents(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agents", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True)


def record(store_args: list[str], env: dict[str, str], tau2: int, desktop: int, generated: int, seed: int) -> None:
    """Oracle runs into the store named by `store_args`; a failed run stops the check."""
    plans = []
    if tau2:
        plans.append(["run", "--env", "tau2-lite", "--domain", "card_services", "--user", "scripted",
                      "--split", "train", "--limit", str(tau2)])
    if desktop:
        plans.append(["run", "--env", "osworld-lite", "--split", "train", "--limit", str(desktop)])
    if generated:
        plans.append(["run", "--env", "osworld-lite", "--generated", str(generated), "--seed", str(seed)])
    for plan in plans:
        started = time.monotonic()
        done = agents(*plan, "--agent", "oracle", "--no-progress", "--json-summary", *store_args, env=env)
        if done.returncode != 0:
            sys.exit(f"{' '.join(plan)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"recorded {' '.join(plan[1:5])}…: {summary.get('succeeded')}/{summary.get('episodes')} oracle "
              f"successes in {time.monotonic() - started:.0f} s", flush=True)


def seed_models(root: Path) -> list[str]:
    """The export tests' recorded model episodes (reasoning, GPT batches, tau2 greetings)."""
    sys.path.insert(0, str(ROOT))
    from tests.export.seed import seed_store   # noqa: PLC0415  (a development script)
    from trajectories.store import TrajectoryStore   # noqa: PLC0415

    store = TrajectoryStore(f"sqlite:///{root / 'models.db'}", root / "models-artifacts")
    store.upgrade()
    seed_store(store)
    store.close()
    return ["--db", f"sqlite:///{root / 'models.db'}", "--artifacts", str(root / "models-artifacts")]


def check(python: Path, checks: Path, kind: str, folder: Path) -> tuple[int, list[str]]:
    env = dict(os.environ)
    done = subprocess.run([str(python), str(checks / CHECKERS[kind]), str(folder)], cwd=checks, env=env,
                          text=True, capture_output=True)
    text = done.stdout + done.stderr
    ok = re.search(r"(\d+) rows OK", text)
    fails = [line for line in text.splitlines() if line.startswith(("FAIL", "ERROR"))]
    if done.returncode == 2:
        fails.append(f"checker cannot run: {text.strip()[-300:]}")
    return (int(ok.group(1)) if ok else 0), fails


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tau2", type=int, default=40, help="card_services generated train tasks (oracle)")
    ap.add_argument("--desktop", type=int, default=6, help="osworld-lite built-in train tasks (oracle)")
    ap.add_argument("--generated", type=int, default=0, help="generated osworld-lite tasks (oracle)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the generated osworld-lite tasks")
    ap.add_argument("--venv-swift", type=Path, default=Path(os.environ.get("VENV_SWIFT", CACHE / "venv-swift")))
    ap.add_argument("--venv-lf", type=Path, default=Path(os.environ.get("VENV_LF", CACHE / "venv-lf")))
    ap.add_argument("--checks", type=Path, default=DEFAULT_CHECKS, help="the trainer-checks folder")
    ap.add_argument("--keep", type=Path, help="keep the store and exports here (default: a temporary folder)")
    args = ap.parse_args()
    if not (args.checks / CHECKERS["swift"]).is_file():
        sys.exit(f"no trainer checks at {args.checks} (give --checks DIR)")
    pythons = {"swift": ensure_venv(args.venv_swift, "swift"), "llamafactory": ensure_venv(args.venv_lf, "llamafactory")}

    with tempfile.TemporaryDirectory(prefix="trainer-check-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        oracle = ["--db", f"sqlite:///{root / 'oracle.db'}", "--artifacts", str(root / "oracle-artifacts")]
        record(oracle, env, args.tau2, args.desktop, args.generated, args.seed)
        sources = {"oracle": oracle, "models": seed_models(root)}
        failed = 0
        total = {kind: [0, 0] for kind in CHECKERS}
        for source, store_args in sources.items():
            for kind in CHECKERS:
                for thinking in ("keep", "drop"):
                    for per_turn in (False, True):
                        name = f"{source}-{kind}-{thinking}{'-turns' if per_turn else ''}"
                        out = root / "exports" / name
                        done = agents("export", "--format", kind, "--out", str(out), "--thinking", thinking,
                                      *(["--per-turn"] if per_turn else []), "--no-progress", "--json",
                                      *store_args, env=env)
                        if done.returncode != 0:
                            print(f"{name}: export failed: {done.stderr.strip()[-400:]}")
                            failed += 1
                            continue
                        summary = json.loads(done.stdout.strip().splitlines()[-1])
                        ok, fails = check(pythons[kind], args.checks, kind, out)
                        total[kind][0] += ok
                        total[kind][1] += len(fails)
                        status = "OK" if not fails and ok == summary["samples"] else "FAIL"
                        failed += status == "FAIL"
                        print(f"{name:40s} {kind:13s} rows {summary['samples']:5d}  OK {ok:5d}  FAIL {len(fails):3d}  {status}")
                        for line in fails[:5]:
                            print(f"    {line[:300]}")
        for kind, (ok, bad) in total.items():
            print(f"{kind}: {ok} rows OK, {bad} problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
