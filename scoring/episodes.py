"""The episode summary scoring works on, and how a run configuration names its group.

Scoring reads finished episodes as `EpisodeSummary` records (plain pydantic, no ORM), so the
metrics, comparisons and pages can be computed from any source: the store, JSON, or tests.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from trajectories.records import EpisodeStatus

# Episode statuses as plain strings, so summaries built from JSON compare equal.
SUCCEEDED, FAILED, ERROR = EpisodeStatus.SUCCEEDED.value, EpisodeStatus.FAILED.value, EpisodeStatus.ERROR.value
EVALUATED = frozenset({SUCCEEDED, FAILED})


def group_label(agent: str, model: str | None) -> str:
    """The name a run configuration is shown under: the model for model agents, else the agent."""
    if agent == "model" and model:
        return model
    return agent


class EpisodeSummary(BaseModel):
    """One episode as scoring sees it."""

    episode_id: str
    run_id: str
    env: str
    domain: str
    split: str = "test"
    task_id: str
    trial: int = 0
    agent: str
    model: str | None = None
    status: str                                   # pending/running/succeeded/failed/error
    success: bool | None = None
    reward: float | None = None
    termination: str | None = None
    steps: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    wall_time_s: float = 0.0
    error: str | None = None
    evaluation: dict[str, Any] = Field(default_factory=dict)
    instruction: str | None = None

    @property
    def label(self) -> str:
        return group_label(self.agent, self.model)

    @property
    def evaluated(self) -> bool:
        """Graded by the task's evaluator (counts in denominators)."""
        return self.status in EVALUATED

    @property
    def infra_error(self) -> bool:
        return self.status == ERROR

    @property
    def solved(self) -> bool:
        """The status is authoritative (the runner sets it from the evaluator's verdict)."""
        return self.status == SUCCEEDED

    @property
    def task_key(self) -> tuple[str, str, str]:
        """Identifies a task across runs: (env, domain, task_id)."""
        return (self.env, self.domain, self.task_id)
