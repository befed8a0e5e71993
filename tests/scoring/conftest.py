"""Shared helpers of the scoring tests."""
from __future__ import annotations

import itertools

import pytest

from scoring.episodes import EpisodeSummary

_ids = itertools.count()


def ep(label: str, task: str, solved: bool | None, *, trial: int = 0, env: str = "osworld-lite",
       domain: str = "os", split: str = "test", status: str | None = None, run: str = "r1",
       **fields) -> EpisodeSummary:
    """One episode; `solved=None` with no status makes an infrastructure error."""
    agent, model = ("model", label) if label not in {"oracle", "noop", "random"} else (label, None)
    if status is None:
        status = "error" if solved is None else ("succeeded" if solved else "failed")
    return EpisodeSummary(
        episode_id=f"e{next(_ids)}", run_id=run, env=env, domain=domain, split=split,
        task_id=task, trial=trial, agent=agent, model=model, status=status,
        success=solved, reward=None if solved is None else float(solved), **fields)


@pytest.fixture
def make_ep():
    return ep
