"""Permanent erasure: every copy of a record goes, and a tombstone without content stays.

Used when a person asks for their own image to be removed, or a contributor withdraws
consent. The master, back sides, derivatives and public copies are deleted after the
commit (a job, retried until done); the index drops the record; the record keeps only
its public id, identifier, status "erased", dates and the reason. Earlier events of the
record lose their text and values (the one exception to an append-only log: they may
quote the erased description); the erasure event lists the storage keys (content hashes,
no content) so that `archive check` can confirm none of them remains.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from archive.db import mark_public_change
from archive.models import Event, NearDuplicate, Photo, PhotoFile, Submission, TechnicalMetadata
from archive.records.contributions import note_decision
from archive.records.downloads import download_prefix
from archive.records.events import record_event
from archive.records.photos import queue_reindex
from archive.records.publication import StoredKey, retire_files
from archive.statuses import RecordStatus, check_transition
from archive.storage import Storages
from archive.text import clean_text

ERASED_EVENT = "erased"
_EMPTIED: dict[str, Any] = {
    "title": "",
    "description": "",
    "date_text": "",
    "date_start": None,
    "date_end": None,
    "date_precision": "unknown",
    "date_edtf": None,
    "place_text": "",
    "places": [],
    "tags": [],
    "people": "",
    "credit": "",
    "phash": None,
    "decision_note": "",
    "memory_count": 0,
    "memories_text": "",
}


def erase_photo(
    session: Session, storages: Storages, photo: Photo, *, actor: str, reason: str
) -> list[StoredKey]:
    """Erase a record for good; return the stored files that will be deleted.

    :raises InvalidChange: invalid_transition, for a record already erased.
    """
    check_transition(photo.status, RecordStatus.ERASED)
    old = photo.status
    files = _stored_keys(photo)
    files += [(s.backend, download_prefix(photo.public_id)) for s in storages.available()]
    kept_elsewhere = _shared(session, photo, files)
    doomed = [f for f in files if f not in kept_elsewhere]
    _scrub_history(session, photo)
    file_ids = [row.id for row in photo.files]
    session.execute(delete(TechnicalMetadata).where(TechnicalMetadata.file_id.in_(file_ids)))
    session.execute(delete(PhotoFile).where(PhotoFile.photo_id == photo.id))
    session.expire(photo, ["files"])
    session.execute(
        delete(NearDuplicate).where(
            or_(NearDuplicate.photo_id == photo.id, NearDuplicate.other_id == photo.id)
        )
    )
    # Places and years are not personal; harvesters of a place or decade set must still
    # be told the record is gone (archive.features.oai.repository).
    photo.former_sets = {
        "places": list(photo.places or []),
        "date_start": photo.date_start,
        "date_end": photo.date_end,
    }
    for column, value in _EMPTIED.items():
        setattr(photo, column, value)
    photo.status = RecordStatus.ERASED
    photo.held = False
    note_decision(photo)  # an erased photo counts as decided for its contributor's data
    retire_files(session, storages, doomed)
    mark_public_change(session)
    queue_reindex(session, photo)
    record_event(
        session,
        ERASED_EVENT,
        actor=actor,
        photo=photo,
        message=clean_text(reason, 500),
        detail={"status": {"old": old, "new": RecordStatus.ERASED}, "files": doomed},
    )
    return doomed


def _stored_keys(photo: Photo) -> list[StoredKey]:
    keys: list[StoredKey] = []
    for row in photo.files:
        keys.append((row.backend, row.key))
        if row.public_key:
            keys.append((row.backend, row.public_key))
    return list(dict.fromkeys(keys))


def _shared(session: Session, photo: Photo, files: list[StoredKey]) -> set[StoredKey]:
    """Return the files another record also points at (the same image sent twice)."""
    keys = [key for _backend, key in files]
    if not keys:
        return set()
    rows = session.execute(
        select(PhotoFile.backend, PhotoFile.key).where(
            PhotoFile.photo_id != photo.id, PhotoFile.key.in_(keys)
        )
    ).all()
    return {(backend, key) for backend, key in rows}


def _scrub_history(session: Session, photo: Photo) -> None:
    """Empty the texts and values of the record's earlier events and voices."""
    session.execute(
        update(Event)
        .where(Event.photo_id == photo.id)
        .values(message="", detail={}, source_path=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Submission)
        .where(Submission.photo_id == photo.id)
        .values(body="", applied="", relation="", source_note="", flags=[])
        .execution_options(synchronize_session=False)
    )


def erased_files(session: Session) -> list[tuple[str, StoredKey]]:
    """Return (public id, file) of every file an erasure meant to delete."""
    rows = session.execute(
        select(Photo.public_id, Event.detail)
        .join(Photo, Photo.id == Event.photo_id)
        .where(Event.kind == ERASED_EVENT, Photo.status == RecordStatus.ERASED)
    ).all()
    return [
        (public_id, (str(backend), str(key)))
        for public_id, detail in rows
        for backend, key in (detail or {}).get("files", [])
    ]
