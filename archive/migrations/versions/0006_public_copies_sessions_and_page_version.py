"""public copies of derivatives, staff session tokens and the public page version

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 02:00:00.000000
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("publication", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("photo_files") as batch:
        batch.add_column(sa.Column("public_key", sa.String(length=400), nullable=True))
        batch.create_index("ix_photo_files_public_key", ["public_key"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(session_token=secrets.token_hex(16))
        )
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)
    state = op.create_table(
        "archive_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(state, [{"id": 1, "public_version": 0}])


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table("archive_state")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_changed_at")
        batch.drop_column("session_token")
    with op.batch_alter_table("photo_files") as batch:
        batch.drop_index("ix_photo_files_public_key")
        batch.drop_column("public_key")
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("publication")
