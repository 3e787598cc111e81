"""The machinery: the job queue, the event log, staff accounts, ingest claims, counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, new_session_token, utcnow


class Job(Base):
    """Work to do after a commit, written in the same transaction (a transactional outbox).

    Workers claim jobs by setting claimed_by; a job that fails is tried again after
    run_after, and after too many tries it stays as failed for `archive check` to show.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "state", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    # What the job is about (a record's public id for "index"), for queries about it.
    subject: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Event(Base):
    """Append-only log of ingest outcomes and catalogue decisions."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int | None] = mapped_column(
        ForeignKey("photos.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    source_path: Mapped[str | None] = mapped_column(String(1000))
    message: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """A member of staff who signs in to the moderator screen."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Part of every session's identity: a new value (sign-out, password change, disable)
    # ends every session of the account, copied cookies included.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IngestClaim(Base):
    """A worker's claim on a dropped scan (all files of one stem), so no two take it."""

    __tablename__ = "ingest_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the stem: unique and short whatever the folder and file names.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    stem: Mapped[str] = mapped_column(String(1000))
    worker: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ArchiveState(Base):
    """One row of counters: public_version advances with every commit visitors can see."""

    __tablename__ = "archive_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_version: Mapped[int] = mapped_column(BigInteger, default=0)


class ReferenceTable(Base):
    """An admin's edited copy of a reference table (gazetteer, variants, periods): the CSV
    text as it would be exported; while no row exists the packaged or configured file is used."""

    __tablename__ = "reference_tables"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class CannedReason(Base):
    """A reason moderators pick when they reject or decline (admins edit the list)."""

    __tablename__ = "canned_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
