"""contributions, staff users and review fields; the event log becomes append-only

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:21:36.690028
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Columns of an event that no one may change once written (photo_id may still be
# set to NULL when its record is deleted).
FROZEN = "kind, actor, source_path, message, detail, created_at"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER events_no_update BEFORE UPDATE OF {FROZEN} ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END""",
)
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the event log is append-only'; END $$""",
    f"""CREATE TRIGGER events_no_update BEFORE UPDATE OF {FROZEN} ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only()""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only()""",
)


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt", sa.String(length=24), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("rights", sa.String(length=100), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_contributions_decided_at", "contributions", ["decided_at"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("people", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("decision_note", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("contribution_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_photos_contribution_id", ["contribution_id"])
        batch_op.create_foreign_key(
            "fk_photos_contribution_id",
            "contributions",
            ["contribution_id"],
            ["id"],
            ondelete="SET NULL",
        )
    postgres = op.get_context().dialect.name == "postgresql"
    triggers = POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    """Revert this migration."""
    op.execute("DROP TRIGGER IF EXISTS events_no_update" + _on_events())
    op.execute("DROP TRIGGER IF EXISTS events_no_delete" + _on_events())
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_constraint("fk_photos_contribution_id", type_="foreignkey")
        batch_op.drop_index("ix_photos_contribution_id")
        batch_op.drop_column("contribution_id")
        batch_op.drop_column("decision_note")
        batch_op.drop_column("held")
        batch_op.drop_column("people")
    op.drop_table("users")
    op.drop_index("ix_contributions_decided_at", table_name="contributions")
    op.drop_table("contributions")


def _on_events() -> str:
    return " ON events" if op.get_context().dialect.name == "postgresql" else ""
