"""One generated task per family on the real desktop: the oracle solves it, noop does not.

The sample is task 0 of every family under seed 0, run the way a user runs them:
`python -m agents run --env osworld-lite --agent oracle|noop --generated F --seed 0
--concurrency 2` (F families; the round-robin puts task 0 of each family first), into a
throwaway SQLite store. The run stores `generated`/`generated_seed` in its env options, so a
resume rebuilds the same tasks. More draws per family are benchmarks/generated_tasks_bench.py's job.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from envs.osworld_lite.generated import FAMILIES, task_id
from tests.support.prereqs import require_desktop

pytestmark = [pytest.mark.slow, pytest.mark.desktop]


def _run(agent: str, n: int, env: dict[str, str]) -> str:
    from typer.testing import CliRunner

    from agents.cli import app

    out = CliRunner().invoke(app, ["run", "--env", "osworld-lite", "--agent", agent, "--generated", str(n),
                                   "--seed", "0", "--concurrency", "2", "--no-progress", "--json-summary"], env=env)
    assert out.exit_code == 0, out.output
    return json.loads(out.output.strip().splitlines()[-1])["run_id"]


@pytest.mark.timeout(900)
def test_oracle_solves_and_noop_fails_one_task_per_family(tmp_path: Path) -> None:
    require_desktop()
    from agents.settings import open_store

    n = len(FAMILIES)
    env = {"AGENTS_DB": f"sqlite:///{tmp_path}/runs.db", "AGENTS_ARTIFACTS": str(tmp_path / "artifacts")}
    runs = {agent: _run(agent, n, env) for agent in ("oracle", "noop")}
    store = open_store(env["AGENTS_DB"], env["AGENTS_ARTIFACTS"])
    try:
        config = store.get_run(runs["oracle"]).config
        assert (config.env_options["generated"], config.env_options["generated_seed"]) == (n, 0)
        episodes = {agent: {e.task_id: e for e in store.iter_episodes(run_ids=run_id)} for agent, run_id in runs.items()}
    finally:
        store.close()
    wanted = {task_id(f.name, 0, 0) for f in FAMILIES}
    assert set(episodes["oracle"]) == set(episodes["noop"]) == wanted
    unsolved = {tid: (e.status.value, e.reward, e.error) for tid, e in episodes["oracle"].items() if not e.success}
    assert not unsolved, unsolved
    passed = {tid: (e.status.value, e.reward) for tid, e in episodes["noop"].items()
              if e.status.value != "failed" or e.reward != 0.0}
    assert not passed, passed
