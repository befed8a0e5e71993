"""SQLAlchemy 2.x ORM schema of the trajectory store.

Tables: runs, tasks, episodes, steps, model_calls, artifacts, artifact_blobs. Big payloads live
in the content-addressed artifact store (a folder, the database's `artifact_blobs`, or an S3
bucket; see `trajectories.artifacts`); rows hold their sha256 (a step's `observation_artifacts`
maps names to them; `artifacts` records each blob's type and size).

Statuses and termination reasons are plain strings holding the values of the enums in
`trajectories.records` (no database enum types: they make migrations painful).
JSON columns are JSON on SQLite and JSONB on PostgreSQL.

The Alembic migrations in `trajectories/migrations/versions/` are written by hand to match this
module; a test compares the schema they build with it.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from trajectories import records

# Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")

TASK_ID_MAX = 512   # longest task id the store accepts (τ²-bench telecom ids reach 215)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Run(Base):
    """One invocation of the runner: an env, an agent/model and a configuration."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str | None] = mapped_column(String(200))
    env: Mapped[str] = mapped_column(String(100), index=True)
    agent: Mapped[str] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(200), index=True)
    split: Mapped[str] = mapped_column(String(16), default="test")
    seed: Mapped[int] = mapped_column(Integer, default=0)
    config: Mapped[dict[str, Any]] = mapped_column(JSONType)  # RunConfig.model_dump(mode="json")
    git_revision: Mapped[str | None] = mapped_column(String(64))
    package_versions: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    episodes: Mapped[list[Episode]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )

    def to_row(self, episode_counts: dict[str, int] | None = None) -> records.RunRow:
        return records.RunRow(
            id=self.id, name=self.name, env=self.env, agent=self.agent, model=self.model,
            split=self.split, seed=self.seed, config=records.RunConfig.model_validate(self.config),
            git_revision=self.git_revision, package_versions=self.package_versions or {},
            status=records.RunStatus(self.status), created_at=self.created_at,
            finished_at=self.finished_at, episode_counts=episode_counts or {},
        )


class Task(Base):
    """A task as the environment family described it when a run used it."""

    __tablename__ = "tasks"

    env: Mapped[str] = mapped_column(String(100), primary_key=True)
    id: Mapped[str] = mapped_column(String(TASK_ID_MAX), primary_key=True)
    domain: Mapped[str] = mapped_column(String(100), index=True)
    split: Mapped[str] = mapped_column(String(16), default="test")
    instruction: Mapped[str] = mapped_column(Text, default="")
    infeasible: Mapped[bool] = mapped_column(Boolean, default=False)
    has_solution: Mapped[bool] = mapped_column(Boolean, default=False)
    # "metadata" is reserved on declarative classes; the column keeps the natural name.
    task_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def to_dict(self) -> dict[str, Any]:
        return {
            "env": self.env, "id": self.id, "domain": self.domain, "split": self.split,
            "instruction": self.instruction, "infeasible": self.infeasible,
            "has_solution": self.has_solution, "metadata": self.task_metadata or {},
        }


class Episode(Base):
    """One attempt (trial) of one task within a run."""

    __tablename__ = "episodes"
    __table_args__ = (
        UniqueConstraint("run_id", "task_id", "trial"),
        Index("ix_episodes_env_domain", "env", "domain"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    env: Mapped[str] = mapped_column(String(100))
    domain: Mapped[str] = mapped_column(String(100))
    task_id: Mapped[str] = mapped_column(String(TASK_ID_MAX))
    split: Mapped[str] = mapped_column(String(16), default="test")
    trial: Mapped[int] = mapped_column(Integer, default=0)
    seed: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    termination: Mapped[str | None] = mapped_column(String(32))
    reward: Mapped[float | None] = mapped_column(Float)
    success: Mapped[bool | None] = mapped_column(Boolean)
    steps: Mapped[int] = mapped_column(Integer, default=0)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    wall_time_s: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=1)  # times (re)started
    # Where the latest attempt ran: "<host>/<pid>" locally, plus the Ray node id on a cluster.
    worker: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    run: Mapped[Run] = relationship(back_populates="episodes")
    step_rows: Mapped[list[Step]] = relationship(
        back_populates="episode", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Step.index",
    )

    def to_row(self, agent: str, model: str | None) -> records.EpisodeRow:
        """The episode with its run's agent and model (the caller joined them in)."""
        return records.EpisodeRow(
            id=self.id, run_id=self.run_id, env=self.env, domain=self.domain, task_id=self.task_id,
            split=self.split, trial=self.trial, seed=self.seed, agent=agent, model=model,
            status=records.EpisodeStatus(self.status),
            termination=records.TerminationReason(self.termination) if self.termination else None,
            reward=self.reward, success=self.success, steps=self.steps, tokens_in=self.tokens_in,
            tokens_out=self.tokens_out, cost_usd=self.cost_usd, wall_time_s=self.wall_time_s,
            error=self.error, evaluation=self.evaluation or {}, attempts=self.attempts,
            worker=self.worker, created_at=self.created_at, started_at=self.started_at,
            finished_at=self.finished_at,
        )


class Step(Base):
    """One environment step: observation, action, the env's result, timings."""

    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("episode_id", "step_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    # No index of its own: the unique (episode_id, step_index) index serves lookups by episode.
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column("step_index", Integer)
    observation: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    observation_artifacts: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    action: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    agent_output: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    reward: Mapped[float] = mapped_column(Float, default=0.0)
    terminated: Mapped[bool] = mapped_column(Boolean, default=False)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    info: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    agent_time_s: Mapped[float] = mapped_column(Float, default=0.0)
    env_time_s: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    episode: Mapped[Episode] = relationship(back_populates="step_rows")

    def to_record(self, model_calls: list[records.ModelCall]) -> records.StepRecord:
        return records.StepRecord(
            schema_version=self.schema_version, index=self.index, observation=self.observation,
            observation_artifacts=self.observation_artifacts, action=self.action,
            agent_output=self.agent_output, model_calls=model_calls, reward=self.reward,
            terminated=self.terminated, truncated=self.truncated, info=self.info,
            agent_time_s=self.agent_time_s, env_time_s=self.env_time_s, created_at=self.created_at,
        )


class ModelCall(Base):
    """One model request/response (canonical OpenAI chat shape), with tokens, cost, latency.

    `step_id` is NULL for calls made outside a step (e.g. the user simulator's opening
    message during reset).
    """

    __tablename__ = "model_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)  # order within the step / episode
    model: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32), default="agent")
    provider: Mapped[str] = mapped_column(String(64), default="")
    api: Mapped[str] = mapped_column(String(16), default="chat")
    request: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    response: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    raw_response: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_cached: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    tokens_reasoning: Mapped[int] = mapped_column(Integer, default=0)
    latency_s: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def to_record(self) -> records.ModelCall:
        return records.ModelCall(
            schema_version=self.schema_version, model=self.model, role=self.role,
            provider=self.provider, api=self.api, request=self.request, response=self.response,
            raw_response=self.raw_response, tokens_in=self.tokens_in,
            tokens_cached=self.tokens_cached, tokens_out=self.tokens_out,
            tokens_reasoning=self.tokens_reasoning, latency_s=self.latency_s,
            cost_usd=self.cost_usd, error=self.error, attempt=self.attempt,
            started_at=self.started_at,
        )


class Artifact(Base):
    """A blob in the content-addressed store (the bytes live on disk under its sha256)."""

    __tablename__ = "artifacts"
    __table_args__ = {"sqlite_with_rowid": False}  # one b-tree keyed by the hash, not two

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def to_info(self) -> records.ArtifactInfo:
        return records.ArtifactInfo(sha256=self.sha256, mime=self.mime, size=self.size)


class ArtifactBlob(Base):
    """The bytes of an artifact, when the store keeps them in the database (`--artifacts db`).

    Kept apart from `artifacts` so that listing and joining artifact metadata never reads blobs.
    """

    __tablename__ = "artifact_blobs"
    __table_args__ = {"sqlite_with_rowid": False}

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
