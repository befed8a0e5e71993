"""The CLI as a user runs it, against one throwaway database (shared by this folder's tests)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO_ROOT


class Cli:
    """`python -m agents …` against one throwaway database."""

    def __init__(self, tmp_path: Path):
        self.db = f"sqlite:///{tmp_path}/runs.db"
        self.env = dict(os.environ, AGENTS_DB=self.db, AGENTS_ARTIFACTS=str(tmp_path / "artifacts"),
                        PYTHONPATH=str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.artifacts = tmp_path / "artifacts"

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        out = subprocess.run([sys.executable, "-m", "agents", *args], env=self.env, capture_output=True,
                             text=True, timeout=240, cwd=REPO_ROOT)
        if ok:
            assert out.returncode == 0, out.stderr[-3000:]
        return out

    def json_lines(self, out: subprocess.CompletedProcess) -> list[dict]:
        return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]

    def store(self):
        from trajectories.store import TrajectoryStore

        return TrajectoryStore(self.db, self.artifacts)
