"""Read side of the trajectory store: runs, tasks, episodes and steps as pydantic records.

A mixin of `TrajectoryStore`; reads run on the store's read engine (on SQLite a separate pool
whose deferred transactions never block the writer), and `iter_episodes` streams its rows.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trajectories import models as m
from trajectories.artifacts import check_sha256
from trajectories.records import (
    ArtifactInfo,
    EpisodeRow,
    EpisodeStatus,
    ModelCall,
    RunRow,
    StepRecord,
)

FINISHED_STATUSES = (EpisodeStatus.SUCCEEDED.value, EpisodeStatus.FAILED.value)


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else [str(v) for v in value]


class StoreQueries:
    def _read(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def _unknown(self, kind: str, given: str, id_column: Any) -> Exception:
        """An `envs.errors.UnknownIdError` that names the closest existing ids."""
        from envs.errors import UnknownIdError  # imported when needed: `envs` pulls in gymnasium

        with self._read() as s:
            known = s.scalars(select(id_column).limit(5000)).all()
        return UnknownIdError(kind, given, known)

    # -- runs -----------------------------------------------------------------------------------

    @staticmethod
    def _counts(s: Session, run_ids: list[str] | None) -> dict[str, dict[str, int]]:
        q = select(m.Episode.run_id, m.Episode.status, func.count()).group_by(m.Episode.run_id, m.Episode.status)
        if run_ids is not None:
            q = q.where(m.Episode.run_id.in_(run_ids))
        counts: dict[str, dict[str, int]] = {}
        for rid, status, n in s.execute(q):
            counts.setdefault(rid, {})[status] = n
        return counts

    def get_run(self, run_id: str) -> RunRow:
        with self._read() as s:
            run = s.get(m.Run, run_id)
            if run is not None:
                return run.to_row(self._counts(s, [run_id]).get(run_id, {}))
        raise self._unknown("run", run_id, m.Run.id)

    def list_runs(self) -> list[RunRow]:
        """Every run, newest first, with its episode counts by status."""
        with self._read() as s:
            runs = s.scalars(select(m.Run).order_by(m.Run.created_at.desc(), m.Run.id)).all()
            counts = self._counts(s, None)
            return [r.to_row(counts.get(r.id, {})) for r in runs]

    def get_tasks(self, env: str | None = None) -> list[dict[str, Any]]:
        with self._read() as s:
            q = select(m.Task).order_by(m.Task.env, m.Task.id)
            if env is not None:
                q = q.where(m.Task.env == env)
            return [t.to_dict() for t in s.scalars(q)]

    # -- episodes -------------------------------------------------------------------------------

    def finished_episode_keys(self, run_id: str) -> set[tuple[str, int]]:
        """(task_id, trial) of the run's evaluated episodes: these are never run again."""
        with self._read() as s:
            rows = s.execute(select(m.Episode.task_id, m.Episode.trial).where(
                m.Episode.run_id == run_id, m.Episode.status.in_(FINISHED_STATUSES)))
            return {(t, n) for t, n in rows}

    def iter_episodes(
        self,
        run_ids: str | Iterable[str] | None = None,
        env: str | Iterable[str] | None = None,
        domain: str | Iterable[str] | None = None,
        split: str | Iterable[str] | None = None,
        models: str | Iterable[str] | None = None,
        agents: str | Iterable[str] | None = None,
        statuses: str | Iterable[str] | None = None,
        min_reward: float | None = None,
        batch_size: int = 500,
    ) -> Iterator[EpisodeRow]:
        """Stream episodes (with their run's agent and model) matching every given filter.

        Each filter takes one value or several; rows come in (run, task, trial) order,
        `batch_size` at a time from the database.
        """
        E, R = m.Episode, m.Run
        q = select(E, R.agent, R.model).join(R, E.run_id == R.id)
        for column, wanted in ((E.run_id, run_ids), (E.env, env), (E.domain, domain), (E.split, split),
                               (R.model, models), (R.agent, agents), (E.status, statuses)):
            values = _as_list(wanted)
            if values is not None:
                q = q.where(column.in_(values))
        if min_reward is not None:
            q = q.where(E.reward >= min_reward)
        q = q.order_by(E.run_id, E.task_id, E.trial).execution_options(yield_per=batch_size)
        with self._read() as s:
            for episode, agent, model in s.execute(q):
                yield episode.to_row(agent, model)

    def get_episode(self, episode_id: str) -> EpisodeRow:
        with self._read() as s:
            found = s.execute(select(m.Episode, m.Run.agent, m.Run.model).join(m.Run)
                              .where(m.Episode.id == episode_id)).first()
        if found is None:
            raise self._unknown("episode", episode_id, m.Episode.id)
        episode, agent, model = found
        return episode.to_row(agent, model)

    def get_steps(self, episode_id: str) -> list[StepRecord]:
        """The episode's steps in order, each with the model calls that led to it."""
        self.get_episode(episode_id)
        with self._read() as s:
            steps = s.scalars(select(m.Step).where(m.Step.episode_id == episode_id).order_by(m.Step.index)).all()
            calls: dict[int | None, list[ModelCall]] = {}
            for c in s.scalars(select(m.ModelCall).where(m.ModelCall.episode_id == episode_id)
                               .order_by(m.ModelCall.seq, m.ModelCall.id)):
                calls.setdefault(c.step_id, []).append(c.to_record())
            return [st.to_record(calls.get(st.id, [])) for st in steps]

    def get_model_calls(self, episode_id: str, *, outside_steps: bool = False) -> list[ModelCall]:
        """The episode's model calls in the order they were recorded (only those made outside
        any step, e.g. during reset, with `outside_steps=True`)."""
        self.get_episode(episode_id)
        with self._read() as s:
            q = select(m.ModelCall).where(m.ModelCall.episode_id == episode_id).order_by(m.ModelCall.id)
            if outside_steps:
                q = q.where(m.ModelCall.step_id.is_(None))
            return [c.to_record() for c in s.scalars(q)]

    # -- artifacts ------------------------------------------------------------------------------

    def get_artifact_info(self, sha256: str) -> ArtifactInfo:
        check_sha256(sha256)
        with self._read() as s:
            a = s.get(m.Artifact, sha256)
        if a is None:
            from envs.errors import UnknownIdError

            raise UnknownIdError("artifact", sha256, [])
        return a.to_info()
