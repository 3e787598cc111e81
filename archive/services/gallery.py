"""Read-only queries for the public corner: only published records ever leave here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from archive.jobs.queue import pending_subjects
from archive.models import Photo, PhotoFile
from archive.services.photos import INDEX_JOB
from archive.statuses import FileRole, RecordStatus

KOGL = {
    "공공누리 제1유형": "출처표시",
    "공공누리 제2유형": "출처표시 + 상업적 이용금지",
    "공공누리 제3유형": "출처표시 + 변경금지",
    "공공누리 제4유형": "출처표시 + 상업적 이용금지 + 변경금지",
}


def public_photo(session: Session, public_id: str) -> Photo | None:
    """Return a published record with its files, or None (drafts look like missing)."""
    return session.scalars(
        select(Photo)
        .options(selectinload(Photo.files))
        .where(Photo.public_id == public_id, Photo.status == RecordStatus.PUBLISHED)
    ).first()


class PublicCopy(NamedTuple):
    """A derivative's public copy: where it is and its pixel size (for width and height)."""

    backend: str
    key: str
    width: int | None = None
    height: int | None = None


# One alias for every call: a new alias per call would defeat SQLAlchemy's statement cache
# (2 ms of query building per page at 100,000 records).
_MASTER = aliased(PhotoFile, name="master")


def media_for(session: Session, public_ids: Iterable[str]) -> dict[str, dict[str, PublicCopy]]:
    """Return {public id: {variant: public copy}} of each master's page 0."""
    ids = list(public_ids)
    if not ids:
        return {}
    master = _MASTER
    rows = session.execute(
        select(
            Photo.public_id,
            PhotoFile.variant,
            PhotoFile.backend,
            PhotoFile.public_key,
            PhotoFile.width,
            PhotoFile.height,
        )
        .join(master, (master.photo_id == Photo.id) & (master.role == FileRole.MASTER))
        .join(PhotoFile, (PhotoFile.derived_from_id == master.id) & (PhotoFile.page == 0))
        .where(Photo.public_id.in_(ids), Photo.status == RecordStatus.PUBLISHED)
    )
    found: dict[str, dict[str, PublicCopy]] = {}
    for public_id, variant, backend, key, width, height in rows:
        if key:
            found.setdefault(public_id, {})[variant or ""] = PublicCopy(backend, key, width, height)
    return found


def hidden_until_indexed(session: Session) -> list[str]:
    """Return ids waiting for the index whose record is no longer public (or is gone).

    Searches leave them out, so a withdrawal shows in results and facets at once.
    """
    waiting = pending_subjects(session, INDEX_JOB)
    if not waiting:
        return []
    public = set(
        session.scalars(
            select(Photo.public_id).where(
                Photo.public_id.in_(waiting), Photo.status == RecordStatus.PUBLISHED
            )
        )
    )
    return sorted(waiting - public)


def newest(session: Session, limit: int) -> list[Photo]:
    """Return the most recently published records."""
    return list(
        session.scalars(
            select(Photo)
            .where(Photo.status == RecordStatus.PUBLISHED)
            .order_by(Photo.published_at.desc(), Photo.id.desc())
            .limit(limit)
        )
    )


# What a visitor may help find for a published photo, by field name.
HELP_WANTED = {
    "date": Photo.date_text == "",
    "place": Photo.place_text == "",
    "people": Photo.people == "",
}


def needing_help(
    session: Session, missing: str | None, page: int, per_page: int
) -> tuple[list[Photo], int]:
    """Return published records still missing a date, place or people (or the one named),
    newest first, with how many there are."""
    wanted = [HELP_WANTED[missing]] if missing in HELP_WANTED else list(HELP_WANTED.values())
    where = (Photo.status == RecordStatus.PUBLISHED, or_(*wanted))
    total = session.scalar(select(func.count(Photo.id)).where(*where)) or 0
    photos = session.scalars(
        select(Photo)
        .where(*where)
        .order_by(Photo.published_at.desc(), Photo.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(photos), int(total)


def published_count(session: Session) -> int:
    """Return how many records are public."""
    return int(
        session.scalar(select(func.count(Photo.id)).where(Photo.status == RecordStatus.PUBLISHED))
        or 0
    )


def rights_label(rights: str) -> dict[str, Any]:
    """Return how to show a rights statement: KOGL type with its terms, or 'checking'."""
    for name, terms in KOGL.items():
        if name.replace(" ", "") in (rights or "").replace(" ", ""):
            return {"kogl": name, "terms": terms, "text": f"{name} ({terms})"}
    return {"kogl": None, "terms": None, "text": rights or "저작권 확인 중"}
