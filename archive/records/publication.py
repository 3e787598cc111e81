"""The public prefix follows publication: copies in on publish, out on withdrawal.

Derivatives of every record live privately under renditions/. Only while a record is
published does a copy of each sit under derivatives/ (the prefix a CDN or bucket policy
may open), named by content hash and publication count, in the same backend as the
derivative (a tile pyramid is copied as one tree). Copies are made before the commit
and removed again if it fails; files that are no longer wanted are deleted by a job
written in the same transaction, done right after the commit and otherwise by a worker.
Whatever a crash leaves, `archive sweep` puts right.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from archive.db import on_rollback
from archive.errors import NotFound, StorageError
from archive.jobs.kinds import PATIENT, JobKind
from archive.jobs.queue import Claimed, enqueue
from archive.models import Photo, PhotoFile
from archive.statuses import FileRole
from archive.storage import Storages, is_tree, public_copy_key

log = logging.getLogger(__name__)
StoredKey = tuple[str, str]  # (backend, key)


def _delete_files(context: Any, job: Claimed) -> None:
    """Delete the files a job names (context: the worker's JobContext)."""
    files = [(str(backend), str(key)) for backend, key in job.payload.get("files", [])]
    delete_strictly(context.storages, files)


# Tried for days: an object store that is down must not leave an erased record's files.
DELETE_FILES = JobKind("delete-files", "파일 지우기", PATIENT, _delete_files)


def derivatives(photo: Photo) -> list[PhotoFile]:
    """Return a record's derivative rows."""
    return [row for row in photo.files if row.role == FileRole.DERIVATIVE]


def publish_files(session: Session, storages: Storages, photo: Photo) -> list[StoredKey]:
    """Copy a record's derivatives into the public prefix under its next publication."""
    photo.publication = (photo.publication or 0) + 1
    return _copy_in(session, storages, photo, photo.publication, every=True)


def fill_public(session: Session, storages: Storages, photo: Photo) -> list[StoredKey]:
    """Copy a published record's derivatives that have no public copy yet (new back sides)."""
    return _copy_in(session, storages, photo, max(photo.publication or 0, 1), every=False)


def _copy_in(
    session: Session, storages: Storages, photo: Photo, version: int, *, every: bool
) -> list[StoredKey]:
    written: list[StoredKey] = []
    on_rollback(session, lambda: delete_now(storages, written))
    for row in derivatives(photo):
        if not every and row.public_key is not None:
            continue
        tree = is_tree(row.key)
        key = public_copy_key(row.sha256, row.variant or "web", version, tree)
        storage = storages.of(row.backend)
        written.append((row.backend, key))  # before copying: a tree may fail half-way
        if tree:
            storage.copy_tree(row.key, key)
        else:
            storage.copy(row.key, key)
        if row.public_key and row.public_key != key:
            retire_files(session, storages, [(row.backend, row.public_key)])
        row.public_key = key
    return written


def unpublish_files(session: Session, storages: Storages, photo: Photo) -> None:
    """Take a record's copies out of the public prefix once the change commits."""
    keys = [(row.backend, row.public_key) for row in derivatives(photo) if row.public_key]
    for row in derivatives(photo):
        row.public_key = None
    retire_files(session, storages, keys)


def retire_files(session: Session, storages: Storages, files: Iterable[StoredKey]) -> None:
    """Delete stored files once the change commits: at once, or later by a worker."""
    files = list(files)
    if files:
        enqueue(
            session,
            DELETE_FILES,
            {"files": [list(f) for f in files]},
            eager=lambda: delete_strictly(storages, files),
        )


def delete_strictly(storages: Storages, files: Iterable[StoredKey]) -> None:
    """Delete stored files; raise on the first that fails (the job is tried again)."""
    for backend, key in files:
        storages.of(backend).remove(key)


def delete_now(storages: Storages, files: Iterable[StoredKey]) -> None:
    """Delete stored files, logging (not raising) what fails: the sweep finds it."""
    for backend, key in files:
        try:
            storages.of(backend).remove(key)
        except (StorageError, NotFound, OSError) as exc:
            log.error("could not delete %s (archive sweep will): %s", key, exc)
