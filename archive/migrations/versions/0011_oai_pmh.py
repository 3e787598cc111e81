"""OAI-PMH: records listed by datestamp, and the sets an erased record was in

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("former_sets", sa.JSON(), nullable=True))
    op.create_index("ix_photos_updated_at_id", "photos", ["updated_at", "id"])


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index("ix_photos_updated_at_id", table_name="photos")
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("former_sets")
