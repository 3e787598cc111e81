"""Read-only queries for what the corner features: published exhibitions and 오늘의 사진."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.models import Exhibition, ExhibitionItem, Photo, PhotoFile
from archive.statuses import ExhibitionStatus, RecordStatus


@dataclass(frozen=True)
class Shown:
    """A published exhibition as visitors see it: only its published photos, in order."""

    exhibition: Exhibition
    photos: list[tuple[Photo, str]]  # (record, caption)
    cover: Photo | None


def _published_items(
    session: Session, exhibition_ids: list[int]
) -> dict[int, list[tuple[Photo, str]]]:
    rows = session.execute(
        select(ExhibitionItem.exhibition_id, Photo, ExhibitionItem.caption)
        .join(Photo, Photo.id == ExhibitionItem.photo_id)
        .where(
            ExhibitionItem.exhibition_id.in_(exhibition_ids),
            Photo.status == RecordStatus.PUBLISHED,
        )
        .order_by(ExhibitionItem.exhibition_id, ExhibitionItem.position, ExhibitionItem.id)
    )
    found: dict[int, list[tuple[Photo, str]]] = {i: [] for i in exhibition_ids}
    for exhibition_id, photo, caption in rows:
        found[exhibition_id].append((photo, caption))
    return found


def _shown(exhibition: Exhibition, photos: list[tuple[Photo, str]]) -> Shown:
    cover = next((p for p, _c in photos if p.id == exhibition.cover_photo_id), None)
    return Shown(exhibition, photos, cover or (photos[0][0] if photos else None))


def published_exhibitions(session: Session, limit: int = 200) -> list[Shown]:
    """Return published exhibitions, newest first, each with its published photos."""
    exhibitions = list(
        session.scalars(
            select(Exhibition)
            .where(Exhibition.status == ExhibitionStatus.PUBLISHED)
            .order_by(Exhibition.published_at.desc(), Exhibition.id.desc())
            .limit(limit)
        )
    )
    items = _published_items(session, [e.id for e in exhibitions])
    return [_shown(e, items[e.id]) for e in exhibitions if items[e.id]]


def public_exhibition(session: Session, slug: str) -> Shown | None:
    """Return a published exhibition with at least one published photo, or None."""
    exhibition = session.scalar(
        select(Exhibition).where(
            Exhibition.slug == slug, Exhibition.status == ExhibitionStatus.PUBLISHED
        )
    )
    if exhibition is None:
        return None
    photos = _published_items(session, [exhibition.id])[exhibition.id]
    return _shown(exhibition, photos) if photos else None


def exhibitions_of(session: Session, photo: Photo) -> list[Exhibition]:
    """Return the published exhibitions a photo is part of, newest first."""
    return list(
        session.scalars(
            select(Exhibition)
            .join(ExhibitionItem, ExhibitionItem.exhibition_id == Exhibition.id)
            .where(
                ExhibitionItem.photo_id == photo.id,
                Exhibition.status == ExhibitionStatus.PUBLISHED,
            )
            .order_by(Exhibition.published_at.desc())
        )
    )


def photo_of_the_day(session: Session, day: date) -> Photo | None:
    """Return the day's photo: the same for everyone all day, a different one each day.

    A hash of the date chooses one of the published records (in id order), and the pick
    is the first from there that has a public image, going round to the start. Counting
    and skipping read only the status index; only records near the chosen one are looked
    at for an image (counting those with an image read every file: 0.1 s at 100,000).
    """
    published = Photo.status == RecordStatus.PUBLISHED
    total = session.scalar(select(func.count()).select_from(Photo).where(published)) or 0
    if not total:
        return None
    seed = int.from_bytes(hashlib.sha256(day.isoformat().encode()).digest()[:8], "big")
    start = session.scalar(
        select(Photo.id).where(published).order_by(Photo.id).offset(seed % total).limit(1)
    )
    has_image = (
        select(PhotoFile.id)
        .where(
            PhotoFile.photo_id == Photo.id,
            PhotoFile.variant == "thumb",
            PhotoFile.public_key.is_not(None),
        )
        .exists()
    )
    pick = select(Photo).where(published, has_image).order_by(Photo.id).limit(1)
    return session.scalar(pick.where(Photo.id >= (start or 0))) or session.scalar(pick)
