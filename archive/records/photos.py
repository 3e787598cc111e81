"""Create records and attach files to them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from archive.dates import parse_date
from archive.db import mark_public_change
from archive.fields import FIELDS
from archive.models import NearDuplicate, Photo, PhotoFile, TechnicalMetadata
from archive.places.gazetteer import Gazetteer
from archive.search.index import queue_document
from archive.statuses import ORIGINAL_ROLES, FileRole, RecordStatus


def find_original_by_sha(session: Session, sha256: str) -> PhotoFile | None:
    """Return a preserved original (master, back or alternate) with this SHA-256."""
    return session.scalars(
        select(PhotoFile)
        .where(PhotoFile.sha256 == sha256, PhotoFile.role.in_(ORIGINAL_ROLES))
        .limit(1)
    ).first()


def find_master_by_stem(session: Session, stem: str) -> PhotoFile | None:
    """Return the master whose drop-folder stem matches (for back sides and alternates)."""
    return session.scalars(
        select(PhotoFile)
        .where(PhotoFile.source_stem == stem, PhotoFile.role == FileRole.MASTER)
        .order_by(PhotoFile.id.desc())
        .limit(1)
    ).first()


def identifier_taken(session: Session, identifier: str) -> bool:
    """Return whether an accession number is already used by a record."""
    return session.scalar(select(Photo.id).where(Photo.identifier == identifier)) is not None


def create_photo(
    session: Session, fields: dict[str, Any], *, source: str, gazetteer: Gazetteer
) -> Photo:
    """Create a record from descriptive fields; status published also sets published_at."""
    status = RecordStatus(fields.get("status", RecordStatus.DRAFT))
    photo = Photo(
        identifier=fields.get("identifier") or None,
        title=fields.get("title", ""),
        description=fields.get("description", ""),
        people=fields.get("people", ""),
        tags=list(fields.get("tags", [])),
        rights=fields.get("rights", ""),
        credit=fields.get("credit", ""),
        source=source,
        status=status,
        published_at=datetime.now(UTC) if status == RecordStatus.PUBLISHED else None,
    )
    set_date(photo, fields.get("date", ""))
    set_place(photo, fields.get("place", ""), gazetteer)
    session.add(photo)
    session.flush()
    queue_reindex(session, photo)
    return photo


def set_date(photo: Photo, text: str) -> None:
    """Keep the date as written and derive its year range, precision and EDTF."""
    parsed = parse_date(text)
    photo.date_text = text
    photo.date_start, photo.date_end = parsed.start, parsed.end
    photo.date_precision, photo.date_edtf = parsed.precision, parsed.edtf


def set_place(photo: Photo, text: str, gazetteer: Gazetteer) -> None:
    """Keep the place as written and match it to gazetteer entries."""
    photo.place_text = text
    photo.places = [place.name for place, _matched in gazetteer.find_in(text)]


def queue_reindex(session: Session, photo: Photo) -> None:
    """Ask for this record's search document to be rewritten (see queue_document)."""
    queue_document(session, photo.public_id)
    if photo.status == RecordStatus.PUBLISHED:
        mark_public_change(session)


def touch(session: Session, photo_ids: Iterable[int]) -> None:
    """Move the records' datestamps (updated_at) for a change made outside their rows
    that harvesters must see: an exhibition they are in was published, renamed or changed."""
    ids = sorted(set(photo_ids))
    if ids:
        session.execute(
            update(Photo)
            .where(Photo.id.in_(ids))
            .values(updated_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )


def add_file(session: Session, photo: Photo, **columns: Any) -> PhotoFile:
    """Add a stored file row to a record."""
    row = PhotoFile(photo_id=photo.id, **columns)
    session.add(row)
    session.flush()
    return row


def add_technical(session: Session, file: PhotoFile, technical: dict[str, Any]) -> None:
    """Attach technical metadata to a stored original."""
    session.add(TechnicalMetadata(file_id=file.id, **technical))


def flag_near_duplicates(
    session: Session, photo: Photo, max_distance: int
) -> list[tuple[Photo, int]]:
    """Flag records whose perceptual hash is within max_distance of this one's."""
    if not photo.phash:
        return []
    mine = int(photo.phash, 16)
    found: list[tuple[Photo, int]] = []
    rows = session.execute(
        select(Photo.id, Photo.phash).where(Photo.phash.is_not(None), Photo.id != photo.id)
    )
    for other_id, other_hash in rows:
        if not other_hash:
            continue
        distance = (mine ^ int(other_hash, 16)).bit_count()
        if distance <= max_distance:
            other = session.get_one(Photo, other_id)
            session.add(NearDuplicate(photo_id=photo.id, other_id=other_id, distance=distance))
            found.append((other, distance))
    return found


def list_photos(session: Session) -> Iterable[Photo]:
    """Yield every record with its files, oldest first."""
    yield from session.scalars(select(Photo).options(selectinload(Photo.files)).order_by(Photo.id))


def photo_summary(photo: Photo) -> dict[str, Any]:
    """Return a record as `archive photos list` gives it: every field of the registry (a
    new field appears here without a change), then where it came from and its files."""
    master = photo.master()
    return {
        "id": photo.public_id,
        **{field.name: getattr(photo, field.column) for field in FIELDS},
        "source": photo.source,
        "sha256": master.sha256 if master else None,
        "width": master.width if master else None,
        "height": master.height if master else None,
        "files": [
            {"role": f.role, "variant": f.variant, "page": f.page, "key": f.key}
            for f in photo.files
        ],
    }
