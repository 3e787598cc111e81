"""citizens' memories, suggestions and requests; canned reasons; memories on records

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 06:00:00.000000
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The reasons the review page used to suggest in a hint, now a list admins edit.
FIRST_REASONS = (
    "사진의 저작권을 확인하기 어렵습니다.",
    "사진 속 인물의 동의를 확인하기 어렵습니다.",
    "이미 소장하고 있는 사진과 같습니다.",
    "나주와 관련된 사진인지 확인하기 어렵습니다.",
    "사진과 관련 없는 내용이거나 광고입니다.",
    "다른 사람의 개인정보가 담겨 있어 공개하기 어렵습니다.",
)


def _when(name: str, index: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True, index=index)


# The event log stays append-only with one exception: erasing a record empties the text,
# values and source path of its earlier events (they may quote what was erased); kind,
# actor and time stay.
FROZEN = "kind, actor, source_path, message, detail, created_at"
SQLITE_SCRUB_ONLY = f"""CREATE TRIGGER events_no_update BEFORE UPDATE OF {FROZEN} ON events
    WHEN NOT (NEW.kind IS OLD.kind AND NEW.actor IS OLD.actor
              AND NEW.created_at IS OLD.created_at AND NEW.message = ''
              AND NEW.detail = '{{}}' AND NEW.source_path IS NULL)
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"""
SQLITE_STRICT = f"""CREATE TRIGGER events_no_update BEFORE UPDATE OF {FROZEN} ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"""
POSTGRES_SCRUB_ONLY = """CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.kind IS NOT DISTINCT FROM OLD.kind
         AND NEW.actor IS NOT DISTINCT FROM OLD.actor
         AND NEW.created_at IS NOT DISTINCT FROM OLD.created_at
         AND NEW.message = '' AND NEW.detail::text = '{}' AND NEW.source_path IS NULL THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'the event log is append-only';
    END $$"""
POSTGRES_STRICT = """CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the event log is append-only'; END $$"""


def _event_triggers(scrub: bool) -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(POSTGRES_SCRUB_ONLY if scrub else POSTGRES_STRICT)
        return
    op.execute("DROP TRIGGER IF EXISTS events_no_update")
    op.execute(SQLITE_SCRUB_ONLY if scrub else SQLITE_STRICT)


def upgrade() -> None:
    """Apply this migration."""
    _event_triggers(scrub=True)
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("receipt", sa.String(length=24), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("relation", sa.String(length=200), nullable=False),
        sa.Column("source_note", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("applied", sa.Text(), nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=False),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _when("first_action_at"),
        _when("decided_at"),
        _when("purged_at"),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contribution_id"], ["contributions.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_submissions_photo_id", "submissions", ["photo_id"])
    op.create_index("ix_submissions_content_hash", "submissions", ["content_hash"])
    op.create_index("ix_submissions_decided_at", "submissions", ["decided_at"])
    op.create_index("ix_submissions_queue", "submissions", ["kind", "state", "created_at"])
    reasons = op.create_table(
        "canned_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        reasons,
        [
            {"text": text, "position": n, "active": True, "created_at": now}
            for n, text in enumerate(FIRST_REASONS)
        ],
    )
    with op.batch_alter_table("photos") as batch:
        batch.add_column(
            sa.Column("memory_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("memories_text", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    """Revert this migration (memories, suggestions and requests are dropped)."""
    _event_triggers(scrub=False)
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("memories_text")
        batch.drop_column("memory_count")
    op.drop_table("canned_reasons")
    op.drop_table("submissions")
