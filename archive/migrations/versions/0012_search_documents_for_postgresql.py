"""The PostgreSQL search backend's table of analysed documents, its state and term counts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TERMS = postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite")
NAMES = postgresql.ARRAY(sa.Text()).with_variant(sa.JSON(), "sqlite")
NUMBERS = postgresql.ARRAY(sa.Integer()).with_variant(sa.JSON(), "sqlite")
STORED = postgresql.JSONB().with_variant(sa.JSON(), "sqlite")


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "search_documents",
        sa.Column("public_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("year_start", sa.Integer(), nullable=False),
        sa.Column("year_end", sa.Integer(), nullable=False),
        sa.Column("precision", sa.Integer(), nullable=False),
        sa.Column("places", NAMES, nullable=False),
        sa.Column("lengths", NUMBERS, nullable=False),
        sa.Column("terms", TERMS, nullable=False),
        sa.Column("stored", STORED, nullable=False),
    )
    op.create_index(
        "ix_search_documents_terms", "search_documents", ["terms"], postgresql_using="gin"
    )
    op.create_index(
        "ix_search_documents_places", "search_documents", ["places"], postgresql_using="gin"
    )
    op.create_index(
        "ix_search_documents_status_years",
        "search_documents",
        ["status", "year_start", "year_end"],
    )
    op.create_table(
        "search_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("counted", sa.BigInteger(), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("described", STORED, nullable=False),
    )
    op.create_table(
        "search_terms",
        sa.Column("term", sa.Text(), primary_key=True),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("fields", NUMBERS, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE search_documents_seq")


def downgrade() -> None:
    """Revert this migration."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE search_documents_seq")
    op.drop_table("search_terms")
    op.drop_table("search_state")
    op.drop_index("ix_search_documents_status_years", table_name="search_documents")
    op.drop_index("ix_search_documents_places", table_name="search_documents")
    op.drop_index("ix_search_documents_terms", table_name="search_documents")
    op.drop_table("search_documents")
