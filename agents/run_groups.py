"""Run groups: runs one command started together share a group id (`RunConfig.group`).

`run --env tau2-lite --domain all` makes one run per domain under one group; `--resume`,
`leaderboard --run` and `export --run` take the group id for all of its runs. Kept apart from
the runner so the commands that only read runs stay quick to start.
"""
from __future__ import annotations

from typing import Any

from envs.errors import UnknownIdError
from trajectories.records import RunRow

GROUP_PREFIX = "group"


def is_group_id(value: str | None) -> bool:
    return bool(value) and value.startswith(f"{GROUP_PREFIX}-")  # type: ignore[union-attr]


def group_runs(store: Any, group: str) -> list[RunRow]:
    """The runs of a group, in the order they were created."""
    runs = store.list_runs()
    members = [r for r in runs if r.config.group == group]
    if not members:
        raise UnknownIdError("run group", group, sorted({r.config.group for r in runs if r.config.group}))
    return sorted(members, key=lambda r: (r.created_at, r.id))


def expand_groups(store: Any, ids: list[str]) -> list[str]:
    """Run ids, with each group id replaced by the ids of its runs."""
    out: list[str] = []
    for value in ids:
        if is_group_id(value):
            out.extend(r.id for r in group_runs(store, value))
        else:
            out.append(value)
    return out
