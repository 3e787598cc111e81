"""Read-only queries for the public corner: only published records ever leave here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import Row, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from archive.fields import PUBLIC
from archive.jobs.queue import pending_subjects
from archive.models import Photo, PhotoFile
from archive.renditions import ON_CARDS
from archive.search.index import INDEX
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


# The master file a derivative is made from.
_MASTER = aliased(PhotoFile, name="master")


# The copies a card shows (declared in archive/renditions.py): not the tiles.
CARD_VARIANTS = tuple(ON_CARDS)
# Statements built once, with the ids as an expanding parameter: results pages run them
# for every page, and building a statement costs more than SQLite answering it.
_MEDIA = (
    select(
        Photo.public_id,
        PhotoFile.variant,
        PhotoFile.backend,
        PhotoFile.public_key,
        PhotoFile.width,
        PhotoFile.height,
    )
    .join(_MASTER, (_MASTER.photo_id == Photo.id) & (_MASTER.role == FileRole.MASTER))
    .join(PhotoFile, (PhotoFile.derived_from_id == _MASTER.id) & (PhotoFile.page == 0))
    .where(
        PhotoFile.variant.in_(CARD_VARIANTS),
        Photo.public_id.in_(bindparam("ids", expanding=True)),
        Photo.status == RecordStatus.PUBLISHED,
    )
)
# What a card shows of a record: the registry's public fields and a few more, as plain
# rows (a page reads two dozen records and changes none).
CARD_COLUMNS = tuple(
    dict.fromkeys(
        [
            Photo.public_id,
            *(getattr(Photo, field.column) for field in PUBLIC),
            Photo.title,
            Photo.rights,
            Photo.places,
            Photo.memory_count,
        ]
    )
)
# Each copy a card shows joined in its own columns: one row per record (a card's record
# and its copies in one query, as media_for finds them).
_COPIES = {variant: aliased(PhotoFile, name=f"copy_{variant}") for variant in CARD_VARIANTS}
_CARDS = select(
    *CARD_COLUMNS,
    *(
        column
        for copy in _COPIES.values()
        for column in (copy.backend, copy.public_key, copy.width, copy.height)
    ),
).outerjoin(_MASTER, (_MASTER.photo_id == Photo.id) & (_MASTER.role == FileRole.MASTER))
for _variant, _copy in _COPIES.items():
    _CARDS = _CARDS.outerjoin(
        _copy,
        (_copy.derived_from_id == _MASTER.id) & (_copy.page == 0) & (_copy.variant == _variant),
    )
_CARDS = _CARDS.where(
    Photo.public_id.in_(bindparam("ids", expanding=True)),
    Photo.status == RecordStatus.PUBLISHED,
).order_by(_MASTER.id)


def card_rows(
    session: Session, public_ids: Iterable[str]
) -> list[tuple[Row[Any], dict[str, PublicCopy]]]:
    """Return what cards show of the published records among public_ids (any order),
    each with its public copies (what media_for returns), in one query."""
    ids = list(public_ids)
    if not ids:
        return []
    found: dict[str, tuple[Row[Any], dict[str, PublicCopy]]] = {}
    width = len(CARD_COLUMNS)
    # On the session's connection: a Core statement through the session pays for the
    # ORM's execution path (a third of the time here) and gains nothing.
    for row in session.connection().execute(_CARDS, {"ids": ids}):
        copies = found.setdefault(row.public_id, (row, {}))[1]
        for n, variant in enumerate(CARD_VARIANTS):
            backend, key, pixels_wide, pixels_high = row[width + 4 * n : width + 4 * n + 4]
            if key:
                copies[variant] = PublicCopy(backend, key, pixels_wide, pixels_high)
    return list(found.values())


def media_for(session: Session, public_ids: Iterable[str]) -> dict[str, dict[str, PublicCopy]]:
    """Return {public id: {variant: public copy}} of each master's page 0 (CARD_VARIANTS)."""
    ids = list(public_ids)
    if not ids:
        return {}
    rows = session.connection().execute(_MEDIA, {"ids": ids})
    found: dict[str, dict[str, PublicCopy]] = {}
    for public_id, variant, backend, key, width, height in rows:
        if key:
            found.setdefault(public_id, {})[variant or ""] = PublicCopy(backend, key, width, height)
    return found


def media_of(photo: Photo) -> dict[str, PublicCopy]:
    """Return what media_for returns for one record whose files are loaded already."""
    masters = {f.id for f in photo.files if f.role == FileRole.MASTER}
    return {
        f.variant or "": PublicCopy(f.backend, f.public_key, f.width, f.height)
        for f in sorted(photo.files, key=lambda f: f.id)
        if f.derived_from_id in masters
        and f.page == 0
        and f.public_key
        and f.variant in CARD_VARIANTS
    }


def hidden_until_indexed(session: Session) -> list[str]:
    """Return ids waiting for the index whose record is no longer public (or is gone).

    Searches leave them out, so a withdrawal shows in results and facets at once.
    """
    waiting = pending_subjects(session, INDEX)
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


def public_index_waiting(session: Session) -> int:
    """Return how many records visitors see, or saw, wait for the index: pages made before
    and after the index takes them in differ (drafts never published do not count, so
    ingesting scans leaves the public pages' validators alone)."""
    waiting = pending_subjects(session, INDEX)
    if not waiting:
        return 0
    never_public = set(
        session.scalars(
            select(Photo.public_id).where(Photo.public_id.in_(waiting), Photo.publication == 0)
        )
    )
    return len(waiting - never_public)


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
