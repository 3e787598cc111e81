"""Approved memories as the public sees them, and their count and text on the record.

The record keeps how many memories it shows and their text (for cards, the API and
search, at a lower weight than its own fields); every approval or take-down refreshes
them in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from archive.db import mark_public_change
from archive.models import Photo, Submission
from archive.records.photos import queue_reindex
from archive.statuses import RecordStatus, SubmissionKind, SubmissionState

ANONYMOUS = "익명"
MAX_SEARCHED = 20_000  # characters of memories the search reads per record


@dataclass(frozen=True)
class PublicMemory:
    """One approved memory: what a visitor may read of it (never the contact)."""

    name: str  # the name they chose to show, or 익명
    relation: str
    text: str
    shared_at: datetime
    public_id: str  # of the photo
    number: int  # stable, for links and feed entries
    approved_at: datetime | None


def _shown(photo_ids: list[int], newest_first: bool) -> Select[Submission, str]:
    order = Submission.created_at.desc() if newest_first else Submission.created_at
    return (
        select(Submission, Photo.public_id)
        .join(Photo, Photo.id == Submission.photo_id)
        .where(
            Submission.photo_id.in_(photo_ids),
            Submission.kind == SubmissionKind.MEMORY,
            Submission.state == SubmissionState.APPROVED,
        )
        .order_by(order, Submission.id)
    )


def _public(submission: Submission, public_id: str) -> PublicMemory:
    name = submission.name if submission.show_name and submission.name else ANONYMOUS
    return PublicMemory(
        name,
        submission.relation,
        submission.body,
        submission.created_at,
        public_id,
        submission.id,
        submission.decided_at,
    )


def public_memories(
    session: Session, photo: Photo, newest_first: bool = True
) -> list[PublicMemory]:
    """Return a published photo's approved memories."""
    if not photo.memory_count:  # kept by refresh_memories: most photos have none yet
        return []
    rows = session.execute(_shown([photo.id], newest_first)).all()
    return [_public(submission, public_id) for submission, public_id in rows]


def recent_memories(session: Session, limit: int) -> list[tuple[Photo, PublicMemory]]:
    """Return the newest approved memories of published photos (for the feed)."""
    rows = session.execute(
        select(Submission, Photo)
        .join(Photo, Photo.id == Submission.photo_id)
        .where(
            Submission.kind == SubmissionKind.MEMORY,
            Submission.state == SubmissionState.APPROVED,
            Photo.status == RecordStatus.PUBLISHED,
        )
        .order_by(Submission.decided_at.desc(), Submission.id.desc())
        .limit(limit)
    ).all()
    return [(photo, _public(submission, photo.public_id)) for submission, photo in rows]


def refresh_memories(session: Session, photo: Photo) -> None:
    """Recount a record's shown memories and their text; the index and pages follow."""
    session.flush()
    texts = [
        f"{submission.relation} {submission.body}".strip()
        for submission, _id in session.execute(_shown([photo.id], False)).all()
    ]
    photo.memory_count = len(texts)
    photo.memories_text = "\n".join(texts)[:MAX_SEARCHED]
    queue_reindex(session, photo)
    mark_public_change(session)
