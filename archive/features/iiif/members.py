"""Which published photos make up each IIIF collection: by decade, and by place.

A photo dated across decades ("1960~1970년대") belongs to each decade it overlaps; a
photo names its places from the gazetteer. Members come in date order, then by when
they were published.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from archive.dates import decades_between
from archive.models import Photo, PhotoFile
from archive.records.images import TILES, PublicImage, name_of
from archive.statuses import FileRole, RecordStatus

CHUNK = 500


@dataclass(frozen=True)
class Entry:
    """A published photo as a collection lists it."""

    public_id: str
    title: str
    image: PublicImage | None  # its first image (for the thumbnail), if it has tiles


def _published() -> Any:  # a Select of the columns collections need
    columns = (Photo.id, Photo.public_id, Photo.title, Photo.date_start, Photo.date_end)
    return (
        select(*columns, Photo.places)
        .where(Photo.status == RecordStatus.PUBLISHED)
        .order_by(Photo.date_start.is_(None), Photo.date_start, Photo.published_at, Photo.id)
    )


def index(session: Session) -> tuple[list[tuple[int, int]], list[tuple[str, int]]]:
    """Return the decades and the places that have published photos, with how many."""
    decades: Counter[int] = Counter()
    places: Counter[str] = Counter()
    for row in session.execute(_published()):
        decades.update(decades_between(row.date_start, row.date_end))
        places.update(set(row.places or []))
    return sorted(decades.items()), sorted(places.items())


def in_decade(session: Session, decade: int) -> list[Entry]:
    """Return the published photos whose dates overlap a decade (1970: 1970 to 1979)."""
    rows = session.execute(
        _published().where(Photo.date_start <= decade + 9, Photo.date_end >= decade)
    ).all()
    return _entries(session, rows)


def at_place(session: Session, place: str) -> list[Entry]:
    """Return the published photos that name a place."""
    rows = [row for row in session.execute(_published()) if place in (row.places or [])]
    return _entries(session, rows)


def _entries(session: Session, rows: Sequence[Any]) -> list[Entry]:
    images = _first_images(session, [row.id for row in rows])
    return [Entry(row.public_id, row.title or "제목 없음", images.get(row.id)) for row in rows]


_MASTER = aliased(PhotoFile, name="master")  # one alias: statements stay cached


def _first_images(session: Session, ids: list[int]) -> dict[int, PublicImage]:
    """Return each photo's public pyramid of the front's first page."""
    master = _MASTER
    found: dict[int, PublicImage] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(PhotoFile)
            .join(
                master, (PhotoFile.derived_from_id == master.id) & (master.role == FileRole.MASTER)
            )
            .where(
                PhotoFile.photo_id.in_(ids[start : start + CHUNK]),
                PhotoFile.variant == TILES,
                PhotoFile.page == 0,
                PhotoFile.public_key.is_not(None),
            )
        ).scalars()
        for row in rows:
            assert row.public_key and row.width and row.height
            found[row.photo_id] = PublicImage(
                name_of(row.public_key), row.backend, row.public_key, row.width, row.height,
                FileRole.MASTER, 0,
            )  # fmt: skip
    return found
