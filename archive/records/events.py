"""The append-only event log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.models import Event, Photo


def record_event(
    session: Session,
    kind: str,
    *,
    actor: str,
    photo: Photo | None = None,
    source_path: str | None = None,
    message: str = "",
    detail: dict[str, Any] | None = None,
) -> Event:
    """Append one event row (never updated or deleted afterwards)."""
    event = Event(
        kind=kind,
        actor=actor,
        photo_id=photo.id if photo is not None else None,
        source_path=source_path,
        message=message,
        detail=detail or {},
    )
    session.add(event)
    return event


def photo_history(session: Session, photo: Photo) -> list[Event]:
    """Return a record's events, oldest first."""
    return list(session.scalars(select(Event).where(Event.photo_id == photo.id).order_by(Event.id)))


def list_events(
    session: Session,
    *,
    actor: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 100,
) -> tuple[list[tuple[Event, str | None, str | None]], int]:
    """Return a page of the log, newest first, with each event's record id and title (None
    when the event is about no record), and the total."""
    conditions = []
    if actor:
        conditions.append(Event.actor == actor)
    if kind:
        conditions.append(Event.kind == kind)
    total = session.scalar(select(func.count()).select_from(Event).where(*conditions)) or 0
    rows = session.execute(
        select(Event, Photo.public_id, Photo.title)
        .join(Photo, Photo.id == Event.photo_id, isouter=True)
        .where(*conditions)
        .order_by(Event.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return [(event, public_id, title) for event, public_id, title in rows], total
