"""The records other archives harvest over OAI-PMH, listed by datestamp.

A record belongs to the repository from its first publication on: while published it is
disseminated in full; withdrawn, returned to a draft or erased it stays as a deleted
record for good (deletedRecord "persistent"), from its own row (an erased row is a
tombstone: status, ids and dates). A record's datestamp is its `updated_at`, which every
change of the row moves (edits, rights, approvals, withdrawal, erasure, places re-read
from a renamed gazetteer entry), and which exhibition changes move for their photos
(`archive.records.photos.touch`).

Lists go in (datestamp, id) order and continue after a cursor, never at an offset, so a
record changed during a harvest moves past the harvest's end (`before`) instead of
shifting the pages: nothing is skipped and nothing comes twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from archive.features.oai.sets import exhibitions_of, in_set, record_specs
from archive.models import Photo, PhotoFile
from archive.places.gazetteer import Gazetteer
from archive.records.images import TILES
from archive.statuses import RecordStatus

# Published now, or once: withdrawn records and those whose files were ever made public.
IN_REPOSITORY = or_(
    Photo.status.in_((RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN)), Photo.publication > 0
)
CHUNK = 500


@dataclass(frozen=True)
class Cursor:
    """Where a list stopped: the last record's datestamp and id."""

    datestamp: datetime
    id: int


@dataclass(frozen=True)
class Selection:
    """What a list asks for: datestamps from `since` (inclusive) to `before` (exclusive)
    and, optionally, one set."""

    since: datetime | None
    before: datetime
    set_spec: str | None = None


@dataclass
class Item:
    """A record as a harvester gets it."""

    photo: Photo
    sets: list[str]
    exhibitions: list[tuple[str, str]]  # (slug, title) of published exhibitions
    zoomable: bool = False  # has a public IIIF image, so a manifest worth naming

    @property
    def deleted(self) -> bool:
        """Return whether the record is no longer published (withdrawn, draft, erased)."""
        return self.photo.status != RecordStatus.PUBLISHED

    @property
    def datestamp(self) -> datetime:
        """Return the record's datestamp in UTC."""
        return as_utc(self.photo.updated_at)


def as_utc(value: datetime) -> datetime:
    """Return a stored time as an aware UTC datetime (SQLite gives it back naive)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def find(session: Session, gazetteer: Gazetteer, public_id: str) -> Item | None:
    """Return a record of the repository by public id (None if it was never published)."""
    photo = session.scalar(select(Photo).where(Photo.public_id == public_id, IN_REPOSITORY))
    return _items(session, gazetteer, [photo])[0] if photo else None


def earliest(session: Session) -> datetime | None:
    """Return the earliest datestamp in the repository."""
    value = session.scalar(select(func.min(Photo.updated_at)).where(IN_REPOSITORY))
    return as_utc(value) if value else None


def page(
    session: Session,
    gazetteer: Gazetteer,
    selection: Selection,
    after: Cursor | None,
    size: int,
) -> tuple[list[Item], bool]:
    """Return up to size records after the cursor, and whether more follow."""
    found: list[Item] = []
    for item in _matching(session, gazetteer, selection, after, size + 1):
        found.append(item)
        if len(found) > size:
            return found[:size], True
    return found, False


def count(session: Session, gazetteer: Gazetteer, selection: Selection) -> int:
    """Return how many records the selection holds (a list's completeListSize)."""
    if selection.set_spec is None:
        query = select(func.count()).select_from(Photo).where(*_window(selection, None))
        return int(session.scalar(query) or 0)
    columns = (Photo.id, Photo.status, Photo.places, Photo.date_start, Photo.date_end)
    rows = session.execute(
        select(*columns, Photo.former_sets).where(*_window(selection, None))
    ).all()
    shows = exhibitions_of(session, [row.id for row in rows])
    spec = selection.set_spec
    return sum(
        in_set(spec, record_specs(row, gazetteer, [s for s, _t in shows.get(row.id, [])]))
        for row in rows
    )


def _window(selection: Selection, after: Cursor | None) -> list[Any]:
    conditions: list[Any] = [IN_REPOSITORY, Photo.updated_at < selection.before]
    if selection.since is not None:
        conditions.append(Photo.updated_at >= selection.since)
    if after is not None:
        conditions.append(
            or_(
                Photo.updated_at > after.datestamp,
                and_(Photo.updated_at == after.datestamp, Photo.id > after.id),
            )
        )
    return conditions


def _matching(
    session: Session,
    gazetteer: Gazetteer,
    selection: Selection,
    after: Cursor | None,
    wanted: int,
) -> Iterator[Item]:
    """Yield the selection's records in (datestamp, id) order after the cursor."""
    batch = wanted if selection.set_spec is None else max(CHUNK, wanted)
    while True:
        photos = list(
            session.scalars(
                select(Photo)
                .where(*_window(selection, after))
                .order_by(Photo.updated_at, Photo.id)
                .limit(batch)
            )
        )
        for item in _items(session, gazetteer, photos):
            if selection.set_spec is None or in_set(selection.set_spec, item.sets):
                yield item
        if len(photos) < batch:
            return
        last = photos[-1]
        after = Cursor(last.updated_at, last.id)


def _items(session: Session, gazetteer: Gazetteer, photos: list[Photo]) -> list[Item]:
    ids = [photo.id for photo in photos]
    shows = exhibitions_of(session, ids)
    zoomable = set(
        session.scalars(
            select(PhotoFile.photo_id).where(
                PhotoFile.photo_id.in_(ids),
                PhotoFile.variant == TILES,
                PhotoFile.public_key.is_not(None),
            )
        )
    )
    items = []
    for photo in photos:
        shown = shows.get(photo.id, []) if photo.status == RecordStatus.PUBLISHED else []
        sets = record_specs(photo, gazetteer, [slug for slug, _title in shows.get(photo.id, [])])
        items.append(Item(photo, sets, shown, photo.id in zoomable))
    return items
