"""Read-only queries for the public corner: only published records ever leave here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from archive.models import Photo, PhotoFile

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
        .where(Photo.public_id == public_id, Photo.status == "published")
    ).first()


def media_for(session: Session, public_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """Return {public id: {variant: derivative sha256}} of page 0 of each master, one query."""
    ids = list(public_ids)
    if not ids:
        return {}
    master = aliased(PhotoFile)
    rows = session.execute(
        select(Photo.public_id, PhotoFile.variant, PhotoFile.sha256)
        .join(master, (master.photo_id == Photo.id) & (master.role == "master"))
        .join(PhotoFile, (PhotoFile.derived_from_id == master.id) & (PhotoFile.page == 0))
        .where(Photo.public_id.in_(ids), Photo.status == "published")
    )
    found: dict[str, dict[str, str]] = {}
    for public_id, variant, sha256 in rows:
        found.setdefault(public_id, {})[variant or ""] = sha256
    return found


def newest(session: Session, limit: int) -> list[Photo]:
    """Return the most recently published records."""
    return list(
        session.scalars(
            select(Photo)
            .where(Photo.status == "published")
            .order_by(Photo.published_at.desc(), Photo.id.desc())
            .limit(limit)
        )
    )


def published_count(session: Session) -> int:
    """Return how many records are public."""
    return int(session.scalar(select(func.count(Photo.id)).where(Photo.status == "published")) or 0)


def public_derivative(session: Session, sha256: str, variant: str) -> PhotoFile | None:
    """Return a derivative file of a published record by its content hash."""
    return session.scalars(
        select(PhotoFile)
        .join(Photo)
        .where(
            PhotoFile.sha256 == sha256,
            PhotoFile.role == "derivative",
            PhotoFile.variant == variant,
            Photo.status == "published",
        )
        .limit(1)
    ).first()


def rights_label(rights: str) -> dict[str, Any]:
    """Return how to show a rights statement: KOGL type with its terms, or 'checking'."""
    for name, terms in KOGL.items():
        if name.replace(" ", "") in (rights or "").replace(" ", ""):
            return {"kogl": name, "terms": terms, "text": f"{name} ({terms})"}
    return {"kogl": None, "terms": None, "text": rights or "저작권 확인 중"}
