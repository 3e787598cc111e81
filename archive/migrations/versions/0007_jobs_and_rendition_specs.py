"""one durable job queue (replaces the search outbox); rendition specs on derivatives

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    jobs = op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_jobs_kind", "jobs", ["kind"])
    op.create_index("ix_jobs_subject", "jobs", ["subject"])
    op.create_index("ix_jobs_due", "jobs", ["state", "run_after"])
    outbox = sa.table(
        "search_outbox",
        sa.column("public_id", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    queued = connection.execute(sa.select(outbox.c.public_id, outbox.c.created_at)).all()
    if queued:
        op.bulk_insert(
            jobs,
            [
                {
                    "kind": "index",
                    "subject": public_id,
                    "payload": {},
                    "state": "pending",
                    "attempts": 0,
                    "run_after": created,
                    "last_error": "",
                    "created_at": created,
                }
                for public_id, created in queued
            ],
        )
    op.drop_table("search_outbox")
    with op.batch_alter_table("photo_files") as batch:
        batch.add_column(sa.Column("spec", sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Revert this migration (queued index work is kept as outbox rows)."""
    with op.batch_alter_table("photo_files") as batch:
        batch.drop_column("spec")
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        "INSERT INTO search_outbox (public_id, created_at) "
        "SELECT subject, created_at FROM jobs WHERE kind = 'index' AND subject IS NOT NULL"
    )
    op.drop_table("jobs")
