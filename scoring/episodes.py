"""The episode record scoring works on, and how a run configuration names its group.

Scoring reads the store's own episode record (`trajectories.records.EpisodeRow`, plain
pydantic, no ORM), so the metrics, comparisons and pages can be computed from any source: the
store, JSON, or tests. `EpisodeSummary` is that same type under the name scoring has used.
"""
from __future__ import annotations

from trajectories.records import EpisodeRow, EpisodeStatus, group_label

EpisodeSummary = EpisodeRow

# Episode statuses as plain strings (StrEnum members compare equal to them).
SUCCEEDED, FAILED, ERROR = EpisodeStatus.SUCCEEDED.value, EpisodeStatus.FAILED.value, EpisodeStatus.ERROR.value
HARNESS_ERROR = EpisodeStatus.HARNESS_ERROR.value
EVALUATED = frozenset({SUCCEEDED, FAILED})

__all__ = ["ERROR", "EVALUATED", "FAILED", "HARNESS_ERROR", "SUCCEEDED", "EpisodeSummary", "group_label"]
