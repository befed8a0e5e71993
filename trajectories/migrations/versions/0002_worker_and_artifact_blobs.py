"""Where each episode ran (`episodes.worker`) and artifact bytes in the database (`artifact_blobs`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("episodes") as batch:
        batch.add_column(sa.Column("worker", sa.String(200), nullable=True))
    op.create_table(
        "artifact_blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("artifact_blobs")
    with op.batch_alter_table("episodes") as batch:
        batch.drop_column("worker")
