"""The trajectory store: runs, tasks, episodes, steps, model calls and artifacts.

Synchronous and thread-safe, so the asyncio runner can call it from worker threads: every
method runs its own transaction. On PostgreSQL writers use pooled connections concurrently; on
SQLite (one writer at a time by design) they take turns on one connection under a lock, and
reads use a separate pool that never blocks them. Each write is one transaction, so a process
killed with SIGKILL leaves either all of a step or none of it; artifacts are written
(atomically) before the rows that refer to them.
"""
from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trajectories import models as m
from trajectories.artifacts import ArtifactBackend, as_bytes, open_artifacts, sha256_hex
from trajectories.db import StoreError, make_engines, safe_url, translate_errors
from trajectories.provenance import fill_provenance
from trajectories.queries import FINISHED_STATUSES, StoreQueries
from trajectories.records import (
    EpisodeResult,
    EpisodeStatus,
    ModelCall,
    RunConfig,
    RunStatus,
    StepRecord,
    TerminationReason,
)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
UNFINISHED_STATUSES = (EpisodeStatus.PENDING.value, EpisodeStatus.RUNNING.value)
INTERRUPTED_ERROR = "interrupted: the process recording this episode stopped before it finished"
TASK_COLUMNS = ("domain", "split", "instruction", "infeasible", "has_solution")


_MIGRATION_LOCK = threading.Lock()
_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# Statements on the hot path, built once (SQLAlchemy then reuses their compiled form).
_EPISODE_STATUS = select(m.Episode.status).where(m.Episode.id == bindparam("eid"))
_INSERT_STEP = insert(m.Step.__table__)
_INSERT_MODEL_CALL = insert(m.ModelCall.__table__)


class EpisodeFinishedError(StoreError):
    """The episode was already evaluated; it is never re-run or overwritten."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def new_id(prefix: str) -> str:
    """Short readable unique id, e.g. run-20261129-ab12cd."""
    return f"{prefix}-{_now():%Y%m%d}-{secrets.token_hex(3 if prefix == 'run' else 6)}"


class TrajectoryStore(StoreQueries):
    def __init__(self, url: str, artifacts: str | Path, *, fsync_artifacts: bool = False):
        """`artifacts`: a folder, `db` (the database's own artifact_blobs) or `s3://bucket/prefix`."""
        self.engines = make_engines(url)
        self.url = self.engines.url
        self.artifacts: ArtifactBackend = open_artifacts(artifacts, self.engines, fsync=fsync_artifacts)
        self._dialect = self.engines.dialect
        self._insert_artifact = self._insert(m.Artifact.__table__).on_conflict_do_nothing()
        # SQLite has one writer at a time. Queue this process's writers on a lock rather than
        # on SQLite's busy handler, which sleeps in steps of up to 100 ms.
        self._write_lock = threading.Lock() if self._dialect == "sqlite" else None
        self._sqlite_writer: Connection | None = None

    def __repr__(self) -> str:
        return f"TrajectoryStore({safe_url(self.url)!r}, {self.artifacts.location!r})"

    def close(self) -> None:
        if self._write_lock is not None:
            with self._write_lock:
                if self._sqlite_writer is not None:
                    self._sqlite_writer.close()
                    self._sqlite_writer = None
        self.engines.dispose()

    def __enter__(self) -> TrajectoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -----------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        if self._write_lock is None:  # PostgreSQL: pooled connections, concurrent writers
            with translate_errors(self.url), self.engines.write.begin() as conn:
                yield conn
            return
        # SQLite: writers take turns anyway, so they share one connection (no pool round trip).
        with self._write_lock, translate_errors(self.url):
            conn = self._sqlite_writer
            if conn is None or conn.closed or conn.invalidated:
                conn = self._sqlite_writer = self.engines.write.connect()
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with translate_errors(self.url), Session(self.engines.read) as session:
            yield session

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(table)

    # -- schema ---------------------------------------------------------------------------------

    # Alembic is imported only here: most users of the store never migrate.
    def _alembic_config(self) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        return cfg

    def _migrate(self, fn: Any, revision: str) -> None:
        cfg = self._alembic_config()
        # Alembic keeps its migration context in module globals: one migration per process at
        # a time. Other processes are kept out by the database (see migrations/env.py).
        with _MIGRATION_LOCK, self._tx() as conn:
            cfg.attributes["connection"] = conn
            fn(cfg, revision)

    def upgrade(self, revision: str = "head") -> None:
        """Create or upgrade the schema (Alembic); safe to call from several processes."""
        from alembic import command

        self._migrate(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        from alembic import command

        self._migrate(command.downgrade, revision)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with translate_errors(self.url), self.engines.read.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    # -- runs -----------------------------------------------------------------------------------

    def start_run(self, config: RunConfig, run_id: str | None = None) -> str:
        config = fill_provenance(config)
        values = dict(
            name=config.name, env=config.env, agent=config.agent, model=config.model,
            split=config.split, seed=config.seed, config=config.model_dump(mode="json"),
            git_revision=config.git_revision, package_versions=config.package_versions,
            status=RunStatus.RUNNING.value, created_at=_now(), schema_version=config.schema_version,
        )
        if run_id is not None and not _ID.fullmatch(run_id):
            raise ValueError(f"invalid run id {run_id!r}: use 1-64 letters, digits and . _ : -")
        for _ in range(5):
            rid = run_id or new_id("run")
            try:
                with self._tx() as conn:
                    conn.execute(insert(m.Run.__table__).values(id=rid, **values))
                return rid
            except IntegrityError:
                if run_id is not None:
                    raise StoreError(f"run {run_id!r} already exists; resume it instead") from None
        raise StoreError("could not allocate a unique run id")

    def finish_run(self, run_id: str, status: RunStatus | str) -> None:
        status = RunStatus(status)
        with self._tx() as conn:
            res = conn.execute(
                update(m.Run.__table__).where(m.Run.__table__.c.id == run_id)
                .values(status=status.value, finished_at=_now() if status != RunStatus.RUNNING else None)
            )
        if res.rowcount == 0:
            raise self._unknown("run", run_id, m.Run.id)

    # -- tasks ----------------------------------------------------------------------------------

    def upsert_tasks(self, tasks: Sequence[dict[str, Any] | Any]) -> int:
        """Insert or update task descriptions (TaskInfo dicts or models); returns how many."""
        rows = []
        for t in tasks:
            d = dict(t.model_dump(mode="json") if hasattr(t, "model_dump") else t)
            if not d.get("env") or not d.get("id"):
                raise ValueError(f"a task needs 'env' and 'id': {d!r}")
            meta = dict(d.pop("metadata", None) or {})
            row: dict[str, Any] = {"env": d.pop("env"), "id": d.pop("id")}
            row["domain"] = d.pop("domain", "") or ""
            row["split"] = d.pop("split", "test") or "test"
            row["instruction"] = d.pop("instruction", "") or ""
            row["infeasible"] = bool(d.pop("infeasible", False))
            row["has_solution"] = bool(d.pop("has_solution", False))
            meta.update({k: v for k, v in d.items() if v is not None})  # e.g. tau2's "writes"
            row["metadata"] = meta
            row["updated_at"] = _now()
            rows.append(row)
        if not rows:
            return 0
        table = m.Task.__table__
        stmt = self._insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.env, table.c.id],
            set_={c: stmt.excluded[c] for c in (*TASK_COLUMNS, "metadata", "updated_at")},
        )
        with self._tx() as conn:
            conn.execute(stmt, rows)
        return len(rows)

    # -- episodes -------------------------------------------------------------------------------

    def start_episode(
        self, run_id: str, env: str, domain: str, task_id: str, split: str, trial: int, seed: int | None,
        worker: str | None = None,
    ) -> str:
        """Create the episode (run, task, trial), or reset and reuse an unfinished one.

        `worker` names where this attempt runs (see `agents.episode.worker_label`)."""
        for what, value, lo, hi in (("task id", task_id, 1, m.TASK_ID_MAX), ("env", env, 1, 100), ("domain", domain, 0, 100)):
            if not isinstance(value, str) or not lo <= len(value) <= hi:
                raise ValueError(f"invalid {what} {value!r}: a string of {lo} to {hi} characters")
        ep = m.Episode.__table__
        fresh = dict(
            env=env, domain=domain, split=split, seed=seed, status=EpisodeStatus.RUNNING.value,
            termination=None, reward=None, success=None, steps=0, tokens_in=0, tokens_out=0,
            cost_usd=0.0, wall_time_s=None, error=None, evaluation={}, started_at=_now(), finished_at=None,
            worker=worker,
        )
        for _ in range(3):  # a concurrent start of the same key may win the insert; look again
            try:
                with self._tx() as conn:
                    if conn.execute(select(m.Run.id).where(m.Run.id == run_id)).first() is None:
                        raise self._unknown("run", run_id, m.Run.id)
                    found = conn.execute(
                        select(ep.c.id, ep.c.status).where(
                            ep.c.run_id == run_id, ep.c.task_id == task_id, ep.c.trial == trial
                        ).with_for_update()
                    ).first()
                    if found is None:
                        eid = new_id("ep")
                        conn.execute(insert(ep).values(
                            id=eid, run_id=run_id, task_id=task_id, trial=trial, attempts=1,
                            created_at=_now(), schema_version=1, **fresh,
                        ))
                        return eid
                    eid, status = found
                    if status in FINISHED_STATUSES:
                        raise EpisodeFinishedError(
                            f"episode {eid} ({task_id!r}, trial {trial}) of run {run_id} already "
                            f"finished ({status}); it is not run again"
                        )
                    self._clear_episode(conn, eid)
                    conn.execute(update(ep).where(ep.c.id == eid).values(attempts=ep.c.attempts + 1, **fresh))
                    return eid
            except IntegrityError:
                continue
        raise StoreError(f"could not start episode ({run_id}, {task_id!r}, {trial}): concurrent starts kept colliding")

    @staticmethod
    def _clear_episode(conn: Connection, episode_id: str) -> None:
        # Model calls go first (those outside steps have no step to cascade from).
        conn.execute(delete(m.ModelCall.__table__).where(m.ModelCall.__table__.c.episode_id == episode_id))
        conn.execute(delete(m.Step.__table__).where(m.Step.__table__.c.episode_id == episode_id))

    def _episode_status(self, conn: Connection, episode_id: str) -> str:
        status = conn.execute(_EPISODE_STATUS, {"eid": episode_id}).scalar()
        if status is None:
            raise self._unknown("episode", episode_id, m.Episode.id)
        return status

    def record_step(
        self, episode_id: str, step: StepRecord, artifacts: dict[str, tuple[bytes, str]] | None = None,
    ) -> int:
        """Store one step (and its artifacts and model calls) in one transaction; returns its id."""
        # Everything is converted before anything is written, so bad input leaves no trace.
        blobs = [(name, as_bytes(data), mime) for name, (data, mime) in (artifacts or {}).items()]
        written = {name: (sha256_hex(data), mime, len(data)) for name, data, mime in blobs}
        refs = {**step.observation_artifacts, **{name: sha for name, (sha, _, _) in written.items()}}
        row = _dump(step, exclude={"model_calls", "index", "schema_version"})
        row.update(observation_artifacts=refs, episode_id=episode_id, step_index=step.index,
                   schema_version=step.schema_version, created_at=step.created_at or _now())
        calls = _call_rows(episode_id, step.model_calls)
        for name, data, _ in blobs:  # blobs first: committed rows never name a missing file
            self.artifacts.write(written[name][0], data)
        with self._tx() as conn:
            status = self._episode_status(conn, episode_id)
            if status in FINISHED_STATUSES:
                raise EpisodeFinishedError(f"episode {episode_id} already finished ({status}); no more steps")
            if written:
                conn.execute(self._insert_artifact, [
                    {"sha256": sha, "mime": mime, "size": size, "created_at": _now()} for sha, mime, size in written.values()
                ])
            self._require_artifacts(conn, [sha for name, sha in refs.items() if name not in written])
            try:  # the error aborts the whole transaction: nothing of this step is kept
                step_id = conn.execute(_INSERT_STEP, row).inserted_primary_key[0]
            except IntegrityError:
                raise StoreError(f"step {step.index} of episode {episode_id} is already recorded") from None
            if calls:
                conn.execute(_INSERT_MODEL_CALL, [{**c, "step_id": step_id} for c in calls])
        return step_id

    def _require_artifacts(self, conn: Connection, shas: list[str]) -> None:
        if not shas:
            return
        known = set(conn.scalars(select(m.Artifact.sha256).where(m.Artifact.sha256.in_(shas))))
        missing = [s for s in shas if s not in known]
        if missing:
            raise StoreError(f"observation refers to artifacts that were never stored: {missing}; use put_artifact first")

    def record_model_calls(self, episode_id: str, calls: Sequence[ModelCall]) -> None:
        """Store model calls made outside any step (e.g. the simulated user's opening turn)."""
        rows = _call_rows(episode_id, calls)
        with self._tx() as conn:
            self._episode_status(conn, episode_id)
            if rows:
                conn.execute(_INSERT_MODEL_CALL, [{**c, "step_id": None} for c in rows])

    def finish_episode(self, episode_id: str, result: EpisodeResult) -> None:
        if result.status in (EpisodeStatus.PENDING, EpisodeStatus.RUNNING):
            raise ValueError(f"finish_episode needs a final status, not {result.status.value!r}")
        values = _dump(result)
        with self._tx() as conn:
            status = self._episode_status(conn, episode_id)
            if status in FINISHED_STATUSES:  # an evaluation, once stored, is never overwritten
                raise EpisodeFinishedError(f"episode {episode_id} already finished ({status})")
            conn.execute(update(m.Episode.__table__).where(m.Episode.__table__.c.id == episode_id)
                         .values(**values, finished_at=_now()))

    def abandon_episode(self, run_id: str, env: str, domain: str, task_id: str, split: str, trial: int,
                        seed: int | None, result: EpisodeResult) -> str:
        """Finish the episode (run, task, trial) with `result` when its worker was lost.

        The steps it recorded stay for inspection; an episode the lost worker never got to
        start is created first. A finished episode is left as it is. Returns its id.
        """
        ep = m.Episode.__table__
        with self._read() as session:
            found = session.execute(select(ep.c.id, ep.c.status).where(
                ep.c.run_id == run_id, ep.c.task_id == task_id, ep.c.trial == trial)).first()
        if found is None:
            episode_id = self.start_episode(run_id, env, domain, task_id, split, trial, seed)
        elif found[1] in FINISHED_STATUSES:
            return found[0]
        else:
            episode_id = found[0]
        try:
            self.finish_episode(episode_id, result)
        except EpisodeFinishedError:  # the worker finished it after all, just before dying
            pass
        return episode_id

    def reset_unfinished_episodes(self, run_id: str) -> int:
        """Mark episodes a killed process left running as infrastructure errors (retried on resume)."""
        self.get_run(run_id)
        ep = m.Episode.__table__
        with self._tx() as conn:
            res = conn.execute(update(ep).where(ep.c.run_id == run_id, ep.c.status.in_(UNFINISHED_STATUSES)).values(
                status=EpisodeStatus.ERROR.value, termination=TerminationReason.INFRA_ERROR.value,
                error=INTERRUPTED_ERROR, finished_at=_now()))
            return res.rowcount

    # -- artifacts ------------------------------------------------------------------------------

    def put_artifact(self, data: bytes, mime: str) -> str:
        sha = self.artifacts.put(data)
        with self._tx() as conn:
            conn.execute(self._insert_artifact, {"sha256": sha, "mime": mime, "size": len(data), "created_at": _now()})
        return sha

    def get_artifact(self, sha256: str) -> bytes:
        return self.artifacts.get(sha256)


def _json_fallback(value: Any) -> Any:
    """JSON for the few non-JSON values environments hand over (numpy scalars)."""
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        return value.item()
    if type(value).__module__ == "numpy" or isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"a {type(value).__name__} cannot be stored in a JSON column: pass it as an artifact "
            "(record_step(..., artifacts={name: (bytes, mime)}), e.g. a PNG of an image array)"
        )
    raise TypeError(f"a {type(value).__name__} cannot be stored in a JSON column: convert it to JSON types first")


def _dump(record: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        return record.model_dump(mode="json", fallback=_json_fallback, **kwargs)
    except (TypeError, ValueError) as exc:  # pydantic wraps the fallback's TypeError
        raise ValueError(f"cannot store {type(record).__name__}: {exc}") from None


def _call_rows(episode_id: str, calls: Sequence[ModelCall]) -> list[dict[str, Any]]:
    return [{**_dump(c), "episode_id": episode_id, "seq": i, "started_at": c.started_at} for i, c in enumerate(calls)]
