"""The append-only event log."""

from __future__ import annotations

from typing import Any

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
