"""indexes for the public pages

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:20:46.504502
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("photo_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_photo_files_derived_from_id"), ["derived_from_id"], unique=False
        )

    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.create_index(
            "ix_photos_status_published_at", ["status", "published_at"], unique=False
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_index("ix_photos_status_published_at")

    with op.batch_alter_table("photo_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photo_files_derived_from_id"))
