"""fuzzy dates, places and the search outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:10:10.515846
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_start", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("date_end", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "date_precision", sa.String(length=16), nullable=False, server_default="unknown"
            )
        )
        batch_op.add_column(sa.Column("date_edtf", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("places", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.create_index(batch_op.f("ix_photos_date_end"), ["date_end"], unique=False)
        batch_op.create_index(batch_op.f("ix_photos_date_start"), ["date_start"], unique=False)
    _derive_existing_dates()


def _derive_existing_dates() -> None:
    """Give records made before this revision their parsed date range."""
    from archive.dates import parse_date

    photos = sa.table(
        "photos",
        sa.column("id", sa.Integer),
        sa.column("date_text", sa.String),
        sa.column("date_start", sa.Integer),
        sa.column("date_end", sa.Integer),
        sa.column("date_precision", sa.String),
        sa.column("date_edtf", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(photos.c.id, photos.c.date_text)).all()
    for photo_id, text in rows:
        parsed = parse_date(text or "")
        connection.execute(
            photos.update()
            .where(photos.c.id == photo_id)
            .values(
                date_start=parsed.start,
                date_end=parsed.end,
                date_precision=parsed.precision,
                date_edtf=parsed.edtf,
            )
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photos_date_start"))
        batch_op.drop_index(batch_op.f("ix_photos_date_end"))
        batch_op.drop_column("places")
        batch_op.drop_column("date_edtf")
        batch_op.drop_column("date_precision")
        batch_op.drop_column("date_end")
        batch_op.drop_column("date_start")

    op.drop_table("search_outbox")
