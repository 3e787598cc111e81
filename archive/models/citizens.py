"""What citizens send: photos (contributions), and memories, suggestions and requests."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.models.base import Base, utcnow
from archive.statuses import SubmissionState

if TYPE_CHECKING:
    from archive.models.records import Photo


class Contribution(Base):
    """One sending of the contribution form: the contributor and their consent.

    Name and contact are personal data: only moderator pages show them, and
    `archive purge-personal-data` erases them after the retention period.
    """

    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Number the contributor quotes when they call the office.
    receipt: Mapped[str] = mapped_column(String(24), unique=True)
    # SHA-256 of the secret in the contributor's private status link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    show_name: Mapped[bool] = mapped_column(default=False)
    rights: Mapped[str] = mapped_column(String(100))
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the last of its photos was decided (published or rejected).
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    photos: Mapped[list[Photo]] = relationship(back_populates="contribution", order_by="Photo.id")
    # Requests to erase one of these photos, sent from the contributor's status link.
    withdrawals: Mapped[list[Submission]] = relationship(order_by="Submission.id", viewonly=True)


class Submission(Base):
    """A memory, a suggestion or a request a visitor sent about one photo.

    Name and contact are personal data: only moderator pages show them, and the
    retention purge erases them once the item has been decided long enough ago.
    """

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_queue", "kind", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=SubmissionState.PENDING)
    receipt: Mapped[str] = mapped_column(String(24), unique=True)
    # SHA-256 of the secret in the sender's private status link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    # A contributor withdrawing consent from their status link.
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="SET NULL")
    )
    # The memory, the suggested value, or the request's details.
    body: Mapped[str] = mapped_column(Text, default="")
    field: Mapped[str] = mapped_column(String(32), default="")  # of a suggestion
    relation: Mapped[str] = mapped_column(String(200), default="")  # of a memory
    source_note: Mapped[str] = mapped_column(String(200), default="")  # of a suggestion
    reason: Mapped[str] = mapped_column(String(16), default="")  # of a request
    name: Mapped[str] = mapped_column(String(100), default="")
    show_name: Mapped[bool] = mapped_column(default=False)
    contact: Mapped[str] = mapped_column(String(200), default="")
    notify: Mapped[bool] = mapped_column(default=False)  # agreed to be told by e-mail
    # Same kind, photo, field and text: the same thing sent twice.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Notes for the moderator, e.g. "date_unreadable".
    flags: Mapped[list[str]] = mapped_column(default=list)
    applied: Mapped[str] = mapped_column(Text, default="")  # the value a suggestion became
    resolution: Mapped[str] = mapped_column(String(16), default="")  # of a granted request
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    first_action_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    photo: Mapped[Photo] = relationship()


class CannedReason(Base):
    """A reason moderators pick when they reject or decline (admins edit the list)."""

    __tablename__ = "canned_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
