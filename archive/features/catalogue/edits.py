"""Edit, publish, withdraw and delete records, with an audit event for every change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from archive.db import mark_public_change
from archive.errors import InvalidChange
from archive.fields import BY_NAME, EDITABLE, FieldError, clean_value
from archive.models import Photo
from archive.places.gazetteer import Gazetteer
from archive.records.events import record_event
from archive.records.photos import identifier_taken, queue_reindex, set_date, set_place
from archive.records.publication import publish_files, unpublish_files
from archive.statuses import RecordStatus, check_transition
from archive.storage import Storages

__all__ = ["EDITABLE", "InvalidChange", "delete_photo", "set_status", "update_photo"]


def _current(photo: Photo, name: str) -> Any:
    return getattr(photo, BY_NAME[name].column)


def update_photo(
    session: Session,
    photo: Photo,
    changes: dict[str, Any],
    *,
    actor: str,
    gazetteer: Gazetteer,
    via: str = "",
) -> dict[str, tuple[Any, Any]]:
    """Apply descriptive changes, re-derive date and place, and log old → new.

    :param via: what the change came from, for the audit log (e.g. "시민 제보 #…").
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidChange("unknown_field", f"cannot edit {', '.join(sorted(unknown))}")
    diff: dict[str, tuple[Any, Any]] = {}
    for name, value in changes.items():
        try:
            new, _ = clean_value(BY_NAME[name], value)
        except FieldError as exc:
            raise InvalidChange("invalid_value", exc.english, exc.korean) from exc
        if name == "identifier":
            new = new or None
            if new and new != photo.identifier and identifier_taken(session, str(new)):
                raise InvalidChange(
                    "identifier_taken",
                    f"관리번호 {new}은(는) 이미 다른 사진에 쓰였습니다 / identifier {new} is taken",
                )
        old = _current(photo, name)
        if old == new:
            continue
        diff[name] = (old, new)
        if name == "date":
            set_date(photo, str(new))
        elif name == "place":
            set_place(photo, str(new), gazetteer)
        else:
            setattr(photo, name, new)
    if diff:
        session.flush()
        queue_reindex(session, photo)
        record_event(
            session,
            "edited",
            actor=actor,
            photo=photo,
            message=via,
            detail={k: {"old": o, "new": n} for k, (o, n) in diff.items()},
        )
    return diff


def set_status(
    session: Session,
    photo: Photo,
    status: str,
    *,
    actor: str,
    storages: Storages,
    reason: str = "",
) -> None:
    """Move a record to another status (as TRANSITIONS allows); its public files follow.

    :raises InvalidChange: invalid_transition.
    """
    if photo.status == status:
        return
    if status == RecordStatus.ERASED:
        raise InvalidChange("invalid_transition", "records are erased by erase_photo")
    check_transition(photo.status, status)
    old = photo.status
    photo.status = status
    if status == RecordStatus.PUBLISHED:
        photo.published_at = datetime.now(UTC)
        publish_files(session, storages, photo)
    elif old == RecordStatus.PUBLISHED:
        unpublish_files(session, storages, photo)
    mark_public_change(session)
    queue_reindex(session, photo)
    record_event(
        session,
        status,
        actor=actor,
        photo=photo,
        message=reason,
        detail={"status": {"old": old, "new": status}},
    )


def delete_photo(
    session: Session, photo: Photo, *, actor: str, storages: Storages, reason: str = ""
) -> None:
    """Delete a record: its public copies go at once, other files at the next sweep."""
    unpublish_files(session, storages, photo)
    mark_public_change(session)
    queue_reindex(session, photo)
    record_event(
        session,
        "deleted",
        actor=actor,
        photo=None,
        message=reason,
        detail={"public_id": photo.public_id, "title": photo.title},
    )
    session.delete(photo)
    session.flush()
