"""Move every stored file to another backend (`archive storage migrate --to s3`).

A record at a time: each of its files not yet in the target is copied there, verified
by SHA-256 (public copies of a published record too), and its row then names the new
backend, in one transaction. Files read from their row's backend before and after, so
the service runs on throughout. A killed run goes on where it stopped. The old copies
stay until `archive sweep` (with --include-originals for masters) removes them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from archive.db import Database
from archive.digest import sha256_file, sha256_stream
from archive.errors import StorageError
from archive.models import Photo, PhotoFile
from archive.storage import Storage, Storages, is_tree
from archive.storage.base import tree_digest


@dataclass
class Moved:
    """One record whose files now live in the target backend."""

    public_id: str
    files: int


def records_to_move(db: Database, target: str) -> list[int]:
    """Return the ids of records with a file not in the target backend, oldest first."""
    with db.session() as session:
        rows = session.scalars(
            select(PhotoFile.photo_id).where(PhotoFile.backend != target).distinct()
        )
        return sorted(rows)


def migrate(
    db: Database,
    storages: Storages,
    target: str,
    on_record: Callable[[Moved], None],
    temp_dir: Path,
) -> None:
    """Move every record's files to the target backend, reporting each record."""
    destination = storages.of(target)
    for photo_id in records_to_move(db, target):
        on_record(move_record(db, storages, destination, photo_id, temp_dir))


def move_record(
    db: Database, storages: Storages, destination: Storage, photo_id: int, temp_dir: Path
) -> Moved:
    """Copy one record's files to the destination and point its rows there."""
    with db.session() as session:
        photo = session.scalars(
            select(Photo).options(selectinload(Photo.files)).where(Photo.id == photo_id)
        ).one()
        count = 0
        for row in photo.files:
            if row.backend == destination.backend:
                continue
            source = storages.of(row.backend)
            _copy_across(source, destination, row.key, row.sha256, temp_dir)
            if row.public_key:
                _copy_across(source, destination, row.public_key, row.sha256, temp_dir)
            row.backend = destination.backend
            count += 1
        return Moved(photo.public_id, count)


def _copy_across(
    source: Storage, destination: Storage, key: str, sha256: str, temp_dir: Path
) -> None:
    """Copy one object (or every object of a tree) between backends, verified."""
    if not is_tree(key):
        _copy_object(source, destination, key, sha256, temp_dir)
        return
    entries = []
    for item in source.list_keys(key):
        with source.open(item.key) as handle:
            digest = sha256_stream(handle)[0]
        _copy_object(source, destination, item.key, digest, temp_dir)
        entries.append((item.key[len(key) :], digest))
    if tree_digest(entries) != sha256:
        raise StorageError(f"{key} does not match its recorded tree digest in its old backend")


def _copy_object(
    source: Storage, destination: Storage, key: str, sha256: str, temp_dir: Path
) -> None:
    """Copy one object between backends through a temp file, verified on both sides."""
    temp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=temp_dir, prefix="migrate-", suffix=".part")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out, source.open(key) as handle:
            while chunk := handle.read(1024 * 1024):
                out.write(chunk)
        if sha256_file(path)[0] != sha256:  # a public copy has its derivative's bytes
            raise StorageError(f"{key} does not match its SHA-256 in its old backend")
        destination.put_file(key, path, sha256)
    finally:
        path.unlink(missing_ok=True)
