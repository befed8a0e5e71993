"""Task ids up to 512 characters (`tasks.id`, `episodes.task_id`): τ²-bench's telecom ids are
longer than 200.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("id", existing_type=sa.String(200), type_=sa.String(512), existing_nullable=False)
    with op.batch_alter_table("episodes") as batch:
        batch.alter_column("task_id", existing_type=sa.String(200), type_=sa.String(512), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("episodes") as batch:
        batch.alter_column("task_id", existing_type=sa.String(512), type_=sa.String(200), existing_nullable=False)
    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("id", existing_type=sa.String(512), type_=sa.String(200), existing_nullable=False)
