"""The public prefix follows publication: copies in on publish, out on withdrawal.

Derivatives of every record live privately under renditions/. Only while a record is
published does a copy of each sit under derivatives/ (the prefix a CDN or bucket policy
may open), named by content hash and publication count. Copies are made before the
commit and removed again if it fails; a withdrawal's copies go once it has committed.
Whatever a crash leaves behind, `archive sweep` puts right.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.orm import Session

from archive.db import after_commit, on_rollback
from archive.errors import NotFound, StorageError
from archive.models import Photo, PhotoFile
from archive.storage import Storage, public_key

log = logging.getLogger(__name__)


def derivatives(photo: Photo) -> list[PhotoFile]:
    """Return a record's derivative rows."""
    return [row for row in photo.files if row.role == "derivative"]


def publish_files(session: Session, storage: Storage, photo: Photo) -> list[str]:
    """Copy a record's derivatives into the public prefix under its next publication.

    :returns: the public keys written.
    """
    photo.publication = (photo.publication or 0) + 1
    written: list[str] = []
    on_rollback(session, lambda: delete_keys(storage, written))
    for row in derivatives(photo):
        key = public_key(row.sha256, row.variant or "web", photo.publication)
        storage.copy(row.key, key)
        written.append(key)
        if row.public_key and row.public_key != key:
            retire_public(session, storage, [row.public_key])
        row.public_key = key
    return written


def fill_public(session: Session, storage: Storage, photo: Photo) -> list[str]:
    """Copy a published record's derivatives that have no public copy yet (new back sides).

    :returns: the public keys written.
    """
    written: list[str] = []
    on_rollback(session, lambda: delete_keys(storage, written))
    version = max(photo.publication or 0, 1)
    for row in derivatives(photo):
        if row.public_key is None:
            key = public_key(row.sha256, row.variant or "web", version)
            storage.copy(row.key, key)
            written.append(key)
            row.public_key = key
    return written


def unpublish_files(session: Session, storage: Storage, photo: Photo) -> None:
    """Take a record's copies out of the public prefix once the change commits."""
    keys = [row.public_key for row in derivatives(photo) if row.public_key]
    for row in derivatives(photo):
        row.public_key = None
    retire_public(session, storage, keys)


def retire_public(session: Session, storage: Storage, keys: Iterable[str]) -> None:
    """Delete public copies after the commit (they stay if it fails)."""
    keys = list(keys)
    if keys:
        after_commit(session, lambda: delete_keys(storage, keys))


def delete_keys(storage: Storage, keys: Iterable[str]) -> None:
    """Delete stored objects, logging (not raising) what fails: the sweep retries."""
    for key in keys:
        try:
            storage.delete(key)
        except (StorageError, NotFound, OSError) as exc:
            log.error("could not delete %s (archive sweep will): %s", key, exc)
