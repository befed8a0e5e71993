"""Initial schema: runs, tasks, episodes, steps, model_calls, artifacts.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were at this revision (not imported from models).
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("env", sa.String(100), nullable=False),
        sa.Column("agent", sa.String(100), nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("split", sa.String(16), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("git_revision", sa.String(64), nullable=True),
        sa.Column("package_versions", JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_env", "runs", ["env"])
    op.create_index("ix_runs_model", "runs", ["model"])
    op.create_index("ix_runs_status", "runs", ["status"])

    op.create_table(
        "tasks",
        sa.Column("env", sa.String(100), nullable=False),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("domain", sa.String(100), nullable=False),
        sa.Column("split", sa.String(16), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("infeasible", sa.Boolean(), nullable=False),
        sa.Column("has_solution", sa.Boolean(), nullable=False),
        sa.Column("metadata", JSON, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("env", "id", name="pk_tasks"),
    )
    op.create_index("ix_tasks_domain", "tasks", ["domain"])

    op.create_table(
        "episodes",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("env", sa.String(100), nullable=False),
        sa.Column("domain", sa.String(100), nullable=False),
        sa.Column("task_id", sa.String(200), nullable=False),
        sa.Column("split", sa.String(16), nullable=False),
        sa.Column("trial", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("termination", sa.String(32), nullable=True),
        sa.Column("reward", sa.Float(), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=True),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("wall_time_s", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("evaluation", JSON, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_episodes_run_id_runs", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_episodes"),
        sa.UniqueConstraint("run_id", "task_id", "trial", name="uq_episodes_run_id_task_id_trial"),
    )
    op.create_index("ix_episodes_run_id", "episodes", ["run_id"])
    op.create_index("ix_episodes_status", "episodes", ["status"])
    op.create_index("ix_episodes_env_domain", "episodes", ["env", "domain"])

    op.create_table(
        "steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.String(64), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("observation", JSON, nullable=False),
        sa.Column("observation_artifacts", JSON, nullable=False),
        sa.Column("action", JSON, nullable=True),
        sa.Column("agent_output", JSON, nullable=False),
        sa.Column("reward", sa.Float(), nullable=False),
        sa.Column("terminated", sa.Boolean(), nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("info", JSON, nullable=False),
        sa.Column("agent_time_s", sa.Float(), nullable=False),
        sa.Column("env_time_s", sa.Float(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], name="fk_steps_episode_id_episodes", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_steps"),
        sa.UniqueConstraint("episode_id", "step_index", name="uq_steps_episode_id_step_index"),
    )

    op.create_table(
        "model_calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.String(64), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("api", sa.String(16), nullable=False),
        sa.Column("request", JSON, nullable=False),
        sa.Column("response", JSON, nullable=False),
        sa.Column("raw_response", JSON, nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_cached", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("tokens_reasoning", sa.Integer(), nullable=False),
        sa.Column("latency_s", sa.Float(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], name="fk_model_calls_episode_id_episodes", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["step_id"], ["steps.id"], name="fk_model_calls_step_id_steps", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_model_calls"),
    )
    op.create_index("ix_model_calls_episode_id", "model_calls", ["episode_id"])
    op.create_index("ix_model_calls_step_id", "model_calls", ["step_id"])

    op.create_table(
        "artifacts",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_artifacts"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for index, table in (
        ("ix_model_calls_step_id", "model_calls"),
        ("ix_model_calls_episode_id", "model_calls"),
        ("ix_episodes_env_domain", "episodes"),
        ("ix_episodes_status", "episodes"),
        ("ix_episodes_run_id", "episodes"),
        ("ix_tasks_domain", "tasks"),
        ("ix_runs_status", "runs"),
        ("ix_runs_model", "runs"),
        ("ix_runs_env", "runs"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("artifacts", "model_calls", "steps", "episodes", "tasks", "runs"):
        op.drop_table(table)
