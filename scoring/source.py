"""Reading what scoring needs from the trajectory store.

`StoreSource` turns the store's rows into `EpisodeSummary` records (with the task's
instruction), pushes the run/env/domain/split filters down to the database, and applies the
model filter on group labels (model names for model agents, agent names for baselines).
"""
from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from typing import Any

from PIL import Image

from scoring.episodes import EpisodeSummary
from scoring.leaderboard import Filters, apply_filters
from scoring.site.episode_view import EpisodeView, build_episode_view, call_view
from trajectories.records import EpisodeRow, RunRow, StepRecord


def summary_from_row(row: EpisodeRow, instruction: str | None = None) -> EpisodeSummary:
    """The store's row, with the task's instruction where it is known."""
    return row.model_copy(update={"instruction": instruction}) if instruction is not None else row


class StoreSource:
    """Episodes, steps, runs and artifacts from a `trajectories.store.TrajectoryStore`."""

    def __init__(self, store: Any, filters: Filters | None = None):
        self.store = store
        self.filters = filters or Filters()

    def instructions(self) -> dict[tuple[str, str], str]:
        return {(t["env"], t["id"]): t.get("instruction") or "" for t in self.store.get_tasks()}

    def episodes(self) -> list[EpisodeSummary]:
        f = self.filters
        instr = self.instructions()
        rows = self.store.iter_episodes(run_ids=f.runs or None, env=f.env, domain=f.domain, split=f.split)
        return apply_filters(
            (summary_from_row(r, instr.get((r.env, r.task_id))) for r in rows), f)

    def attempts(self, episode: EpisodeSummary) -> list[EpisodeSummary]:
        """The episodes of the same task that pass the filters (for cross-links between them)."""
        f = self.filters
        rows = self.store.iter_episodes(run_ids=f.runs or None, env=episode.env, domain=episode.domain,
                                        split=f.split)
        return apply_filters((summary_from_row(r) for r in rows if r.task_id == episode.task_id), f)

    def runs(self, episodes: list[EpisodeSummary] | None = None) -> list[RunRow]:
        wanted = {ep.run_id for ep in episodes} if episodes is not None else None
        return [r for r in self.store.list_runs() if wanted is None or r.id in wanted]

    def episode(self, episode_id: str) -> EpisodeSummary:
        """One episode, whatever the filters (raises the store's unknown-id error)."""
        row = self.store.get_episode(episode_id)
        instruction = self.instructions().get((row.env, row.task_id))
        return summary_from_row(row, instruction)

    def steps(self, episode_id: str) -> list[StepRecord]:
        return self.store.get_steps(episode_id)

    def artifact(self, sha256: str) -> tuple[bytes, str]:
        """The bytes and MIME type of an artifact (raises the store's errors when unknown)."""
        info = self.store.get_artifact_info(sha256)
        return self.store.get_artifact(sha256), info.mime

    def blob(self, sha256: str) -> bytes:
        return self.store.get_artifact(sha256)

    def mime(self, sha256: str) -> str:
        return self.store.get_artifact_info(sha256).mime

    def episode_view(self, episode: str | EpisodeSummary, image_url: Callable[[str], str]) -> EpisodeView:
        """The viewer's model of one episode (pass the summary when you have it: saves queries)."""
        if isinstance(episode, str):
            episode = self.episode(episode)

        @cache
        def size(sha: str) -> tuple[int, int] | None:
            try:
                with Image.open(io.BytesIO(self.store.get_artifact(sha))) as im:
                    return im.size
            except Exception:  # not an image, or missing: show it without an overlay
                return None

        view = build_episode_view(episode, self.steps(episode.episode_id), image_url, size, episode.instruction)
        # Calls made outside any step, e.g. the user simulator's opening line during reset.
        view.setup_calls = [call_view(c) for c in
                            self.store.get_model_calls(episode.episode_id, outside_steps=True)]
        view.model_calls += len(view.setup_calls)
        return view
