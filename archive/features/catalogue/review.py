"""The moderators' queues and decisions: approve, reject, hold, withdraw, restore."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from archive.config import Settings
from archive.errors import InvalidChange
from archive.features.catalogue.edits import set_status
from archive.models import NearDuplicate, Photo
from archive.paging import Page
from archive.records.contributions import note_decision
from archive.records.events import record_event
from archive.records.renditions import derivative_exif, restamp_derivatives
from archive.statuses import RecordStatus, Source
from archive.storage import Storages
from archive.text import clean_text

DRAFT, PUBLISHED = RecordStatus.DRAFT, RecordStatus.PUBLISHED
WITHDRAWN, REJECTED = RecordStatus.WITHDRAWN, RecordStatus.REJECTED
QUEUES: dict[str, ColumnElement[bool]] = {
    "contributions": and_(
        Photo.source == Source.CONTRIBUTION, Photo.status == DRAFT, Photo.held == false()
    ),
    "scans": and_(Photo.source == Source.SCAN, Photo.status == DRAFT, Photo.held == false()),
    "held": and_(Photo.status == DRAFT, Photo.held == true()),
    "published": Photo.status == PUBLISHED,
    "withdrawn": Photo.status == WITHDRAWN,
    "rejected": Photo.status == REJECTED,
}
# Queues of decided records list the newest first; undecided ones the oldest first.
NEWEST_FIRST = ("published", "withdrawn", "rejected")
MISSING: dict[str, ColumnElement[bool]] = {
    "title": Photo.title == "",
    "date": Photo.date_text == "",
    "place": Photo.place_text == "",
    "any": or_(Photo.title == "", Photo.date_text == "", Photo.place_text == ""),
}


def _queue_select(queue: str, missing: str | None) -> Select[Photo]:
    if queue not in QUEUES:
        raise InvalidChange("unknown_queue", f"unknown queue {queue!r}")
    query = select(Photo).where(QUEUES[queue])
    if missing:
        if missing not in MISSING:
            raise InvalidChange("unknown_queue", f"unknown missing field {missing!r}")
        query = query.where(MISSING[missing])
    return query


def list_queue(
    session: Session, queue: str, *, missing: str | None = None, page: int = 1, per_page: int = 48
) -> Page:
    """Return a queue's records, oldest first (published ones newest first)."""
    query = _queue_select(queue, missing)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = (Photo.id.desc(),) if queue in NEWEST_FIRST else (Photo.id,)
    photos = session.scalars(
        query.options(selectinload(Photo.files))
        .order_by(*order)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(photos), total, page, per_page)


def queue_of(photo: Photo) -> str:
    """Return the name of the queue a record is in."""
    if photo.status == DRAFT:
        if photo.held:
            return "held"
        return "contributions" if photo.source == Source.CONTRIBUTION else "scans"
    return str(photo.status)


def next_in_queue(session: Session, queue: str, after: Photo) -> Photo | None:
    """Return the record that follows another in a queue's order, if any."""
    newest_first = queue in NEWEST_FIRST
    position = Photo.id < after.id if newest_first else Photo.id > after.id
    order = Photo.id.desc() if newest_first else Photo.id
    return session.scalars(
        _queue_select(queue, None).where(position).order_by(order).limit(1)
    ).first()


def queue_counts(session: Session) -> dict[str, int]:
    """Return how many records each queue holds."""
    return {
        name: session.scalar(select(func.count()).select_from(Photo).where(condition)) or 0
        for name, condition in QUEUES.items()
    }


def near_duplicates(session: Session, photo: Photo) -> list[tuple[Photo, int]]:
    """Return the records flagged as looking like this one, with their distance."""
    rows = session.execute(
        select(NearDuplicate.photo_id, NearDuplicate.other_id, NearDuplicate.distance).where(
            or_(NearDuplicate.photo_id == photo.id, NearDuplicate.other_id == photo.id)
        )
    ).all()
    distances = {(other if mine == photo.id else mine): distance for mine, other, distance in rows}
    if not distances:
        return []
    others = session.scalars(select(Photo).where(Photo.id.in_(distances))).all()
    return sorted(((o, distances[o.id]) for o in others), key=lambda pair: pair[1])


def approve_photo(
    session: Session, storages: Storages, photo: Photo, *, actor: str, settings: Settings
) -> None:
    """Publish a record: stamp its public files with the current rights and credit."""
    if photo.status == PUBLISHED:
        return
    exif = derivative_exif(photo, settings.default_rights, settings.default_credit)
    restamp_derivatives(session, storages, photo, exif)
    photo.held = False
    photo.decision_note = ""
    set_status(session, photo, PUBLISHED, actor=actor, storages=storages)
    note_decision(photo)


def reject_photo(
    session: Session, storages: Storages, photo: Photo, *, actor: str, reason: str
) -> None:
    """Decide not to publish a record; the reason is shown to its contributor."""
    reason = _reason(reason)
    photo.held = False
    photo.decision_note = reason
    set_status(session, photo, REJECTED, actor=actor, storages=storages, reason=reason)
    note_decision(photo)


def hold_photo(session: Session, photo: Photo, *, actor: str, reason: str = "") -> None:
    """Put an undecided record aside to decide later."""
    if photo.status != DRAFT:
        raise InvalidChange("not_undecided", "only an undecided record can be held")
    if photo.held:
        return
    photo.held = True
    message = clean_text(reason, multiline=True)
    record_event(session, "held", actor=actor, photo=photo, message=message)


def withdraw_photo(
    session: Session, storages: Storages, photo: Photo, *, actor: str, reason: str
) -> None:
    """Take a published photo down (e.g. on a takedown request); its public files go."""
    reason = _reason(reason)
    photo.decision_note = reason
    set_status(session, photo, WITHDRAWN, actor=actor, storages=storages, reason=reason)
    note_decision(photo)


def reopen_photo(session: Session, storages: Storages, photo: Photo, *, actor: str) -> None:
    """Return a rejected or withdrawn record to the undecided queue."""
    set_status(session, photo, DRAFT, actor=actor, storages=storages)
    photo.decision_note = ""
    note_decision(photo)


def _reason(text: str) -> str:
    """Return a decision's reason, which rejection and withdrawal must have.

    :raises InvalidChange: reason_required.
    """
    reason = clean_text(text, multiline=True)
    if not reason:
        raise InvalidChange("reason_required", "a reason is needed for this decision")
    return reason


def bulk_publish(
    session: Session,
    storages: Storages,
    public_ids: Iterable[str],
    *,
    actor: str,
    settings: Settings,
) -> list[str]:
    """Publish the selected undecided scans; return the ids that were published."""
    ids = list(public_ids)
    photos = session.scalars(
        select(Photo)
        .options(selectinload(Photo.files))
        .where(Photo.public_id.in_(ids), Photo.source == Source.SCAN, Photo.status == DRAFT)
    )
    done = []
    for photo in photos:
        approve_photo(session, storages, photo, actor=actor, settings=settings)
        done.append(photo.public_id)
    return done
