"""A model that wrecks its own desktop, end to end through `python -m agents run --json-summary`.

The scripted model types `kill -9 -1` into the task's terminal, killing every process of its
sandbox it can signal. That is the agent's doing: the episode is graded 0 and reported under
`failed` (termination `env_destroyed`), never as an infrastructure error that would drop it
from the denominator — on both wire formats.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agents_models.scripted_server import ScriptedServer
from tests.agents_models.wire import gpt_computer_script, qwen_computer_script
from tests.support.paths import REPO_ROOT
from tests.support.prereqs import require_desktop
from trajectories.records import EpisodeStatus, TerminationReason
from trajectories.store import TrajectoryStore

TASK = "os-project-skeleton"          # a built-in task that opens xterm
WRECK = [{"action_type": "TYPING", "text": "kill -9 -1\n"}, {"action_type": "WAIT", "seconds": 1.0},
         {"action_type": "DONE"}]

pytestmark = [pytest.mark.desktop, pytest.mark.slow]


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


@pytest.mark.parametrize("model", ["qwen3.5-9b", "gpt-5.4-mini"])
def test_kill_all_in_the_terminal_is_an_agent_failure(server: ScriptedServer, tmp_path: Path, model: str) -> None:
    require_desktop()
    if model == "qwen3.5-9b":
        server.script("chat", *qwen_computer_script(WRECK, 1280, 720))
    else:
        server.script("responses", *gpt_computer_script(WRECK))
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "AGENTS_DB": f"sqlite:///{tmp_path}/runs.db",
           "AGENTS_ARTIFACTS": str(tmp_path / "artifacts"), "QWEN_BASE_URL": server.base_url,
           "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test"}
    env.pop("AGENTS_CONFIG", None)
    out = subprocess.run([sys.executable, "-m", "agents", "run", "--env", "osworld-lite", "--tasks", TASK,
                          "--model", model, "--no-progress", "--json-summary"],
                         env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    summary = json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])
    assert (summary["failed"], summary["errors"], summary["harness_errors"]) == (1, 0, 0), summary
    assert summary["terminations"] == {"env_destroyed": 1} and summary["success_rate"] == 0.0
    (episode,) = TrajectoryStore(f"sqlite:///{tmp_path}/runs.db", tmp_path / "artifacts").iter_episodes()
    assert episode.status == EpisodeStatus.FAILED and episode.termination == TerminationReason.ENV_DESTROYED
    assert episode.reward == 0.0 and episode.evaluation["details"]["blame"] == "agent"
