"""Store derivatives: images carry only the archive's EXIF (id, rights, credit; re-stamped
on edits), tile pyramids carry nothing but pixels and are stored as one tree."""

from __future__ import annotations

import hashlib
import io

import piexif
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.db import mark_public_change
from archive.errors import StorageError
from archive.imaging.analyse import Rendition
from archive.models import Photo, PhotoFile
from archive.records.publication import fill_public, retire_files
from archive.statuses import FileRole, RecordStatus
from archive.storage import (
    Storage,
    Storages,
    StoredObject,
    folder_digest,
    is_tree,
    rendition_key,
    rendition_tree_key,
)


def derivative_exif(photo: Photo, default_rights: str, default_credit: str) -> bytes:
    """Return the only EXIF a public file carries: archive id, rights and credit."""
    rights = photo.rights or default_rights
    credit = photo.credit or default_credit
    zeroth = {
        piexif.ImageIFD.Copyright: f"{rights} / {credit}".encode(),
        piexif.ImageIFD.Artist: credit.encode(),
        piexif.ImageIFD.DocumentName: photo.public_id.encode(),
    }
    exif_ifd = {piexif.ExifIFD.ImageUniqueID: photo.public_id.encode()}
    return bytes(piexif.dump({"0th": zeroth, "Exif": exif_ifd}))


def stamp(exif: bytes, jpeg: bytes) -> bytes:
    """Return a JPEG (encoded without metadata) with the archive's EXIF inserted."""
    out = io.BytesIO()
    piexif.insert(exif, jpeg, out)
    return out.getvalue()


def store_rendition(storage: Storage, data: bytes, variant: str) -> StoredObject:
    """Store a derivative privately under its content hash."""
    digest = hashlib.sha256(data).hexdigest()
    return storage.put_bytes(rendition_key(digest, variant), data)


def store_derivative(storage: Storage, rendition: Rendition, exif: bytes) -> StoredObject:
    """Store one derivative privately: an image stamped with exif, or a pyramid as a tree."""
    if rendition.folder is None:
        return store_rendition(storage, stamp(exif, rendition.data), rendition.variant)
    digest = rendition.digest or folder_digest(rendition.folder)
    key = rendition_tree_key(digest, rendition.variant)
    stored = storage.put_tree(key, rendition.folder, move=True)  # the folder is discarded after
    if stored.sha256 != digest:
        raise StorageError(f"the stored tiles under {key} do not match their digest")
    return stored


def restamp_derivatives(session: Session, storages: Storages, photo: Photo, exif: bytes) -> int:
    """Rewrite each derivative's EXIF (rights and credit may have been edited); return changes.

    Derivatives are content-addressed, so a changed file gets a new key (in the backend
    new files go to); the old object is removed after the commit, if no row refers to it.
    """
    changed = 0
    for row in [f for f in photo.files if f.role == FileRole.DERIVATIVE]:
        if is_tree(row.key):
            continue  # tiles carry no metadata at all
        with storages.of(row.backend).open(row.key) as handle:
            stamped = stamp(exif, handle.read())
        if hashlib.sha256(stamped).hexdigest() == row.sha256:
            continue
        stored = store_rendition(storages.default, stamped, row.variant or "web")
        old = (row.backend, row.key)
        row.backend, row.key = stored.backend, stored.key
        row.sha256, row.size = stored.sha256, stored.size
        session.flush()
        if not _still_used(session, *old):
            retire_files(session, storages, [old])
        changed += 1
    return changed


def _still_used(session: Session, backend: str, key: str) -> bool:
    used = session.scalar(
        select(func.count())
        .select_from(PhotoFile)
        .where(PhotoFile.backend == backend, PhotoFile.key == key)
    )
    return bool(used)


def replace_renditions(
    session: Session,
    storages: Storages,
    settings: Settings,
    photo: Photo,
    original: PhotoFile,
    renditions: list[Rendition],
) -> int:
    """Put freshly made derivatives of an original in place of its old ones.

    Rows are updated (or added for a new kind); replaced files are deleted after the
    commit, and a published record gets public copies of the new files at once.
    :returns: how many derivatives were replaced or added.
    """
    exif = derivative_exif(photo, settings.default_rights, settings.default_credit)
    current = {
        (row.variant, row.page): row
        for row in photo.files
        if row.role == FileRole.DERIVATIVE and row.derived_from_id == original.id
    }
    changed = 0
    for rendition in renditions:
        stored = store_derivative(storages.default, rendition, exif)
        row = current.get((rendition.variant, rendition.page))
        if row is None:
            row = PhotoFile(
                photo_id=photo.id, role=FileRole.DERIVATIVE, derived_from_id=original.id
            )
            row.variant, row.page = rendition.variant, rendition.page
            photo.files.append(row)
        elif (row.backend, row.key) != (stored.backend, stored.key):
            _retire_row_files(session, storages, row)
        row.backend, row.key, row.sha256, row.size = (
            stored.backend, stored.key, stored.sha256, stored.size,
        )  # fmt: skip
        row.width, row.height, row.format, row.spec = (
            rendition.width, rendition.height, rendition_format(rendition), rendition.spec or None,
        )  # fmt: skip
        changed += 1
    session.flush()
    if photo.status == RecordStatus.PUBLISHED:
        fill_public(session, storages, photo)
        mark_public_change(session)
    return changed


def rendition_format(rendition: Rendition) -> str:
    """Return the format column of a derivative: JPEG, or IIIF for a tile pyramid."""
    return "JPEG" if rendition.folder is None else "IIIF"


def _retire_row_files(session: Session, storages: Storages, row: PhotoFile) -> None:
    """Let go of a derivative's file and public copy (the row is about to get new ones)."""
    old = []
    if not _still_used_elsewhere(session, row, row.backend, row.key):
        old.append((row.backend, row.key))
    if row.public_key:
        old.append((row.backend, row.public_key))
        row.public_key = None
    retire_files(session, storages, old)


def _still_used_elsewhere(session: Session, row: PhotoFile, backend: str, key: str) -> bool:
    others = session.scalar(
        select(func.count())
        .select_from(PhotoFile)
        .where(PhotoFile.backend == backend, PhotoFile.key == key, PhotoFile.id != row.id)
    )
    return bool(others)
