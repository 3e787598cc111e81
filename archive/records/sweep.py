"""Put stored files right after crashes and upgrades: what `archive sweep` does.

In every storage backend the settings can reach:
- derivatives still kept in the public prefix (the layout before public copies) move to
  the private renditions/ prefix;
- every published record has its public copies, and nothing else is in the public prefix;
- files no row refers to (left by a killed worker between storing and committing) are
  removed once older than a grace period (originals only when asked);
- folders that hold no file (their names may tell what they held) are removed;
- claims of workers that died are dropped.
`survey()` reports the same without changing anything, for `archive check`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.db import Database
from archive.models import Photo, PhotoFile
from archive.records.claims import drop_stale_claims
from archive.records.publication import StoredKey, delete_now, fill_public, retire_files
from archive.statuses import FileRole, RecordStatus
from archive.storage import (
    PUBLIC_PREFIX,
    RENDITION_PREFIX,
    Storages,
    rendition_key,
    tree_prefixes,
)

GRACE_SECONDS = 3600  # younger files may belong to a transaction still under way
ORIGINAL_PREFIXES = ("masters/", "uploads/")


@dataclass
class SweepReport:
    """What a survey found, or what a sweep did."""

    relocated: int = 0  # derivatives moved out of the public prefix
    filled: int = 0  # public copies made for published records that lacked them
    stray_public: list[StoredKey] = field(default_factory=list)  # of no published record
    orphans: list[StoredKey] = field(default_factory=list)  # derivatives no row refers to
    orphan_originals: list[StoredKey] = field(default_factory=list)
    empty_folders: list[StoredKey] = field(default_factory=list)  # left by deletions
    stale_claims: int = 0

    def as_json(self) -> dict[str, int]:
        """Return the counts."""
        return {
            "relocated": self.relocated,
            "filled": self.filled,
            "stray_public": len(self.stray_public),
            "orphans": len(self.orphans),
            "orphan_originals": len(self.orphan_originals),
            "empty_folders": len(self.empty_folders),
            "stale_claims": self.stale_claims,
        }


def survey_database(session: Session) -> SweepReport:
    """Count derivatives in the old layout and published ones lacking a public copy."""
    rows = session.execute(
        select(PhotoFile.key, PhotoFile.public_key, Photo.status)
        .join(Photo)
        .where(PhotoFile.role == FileRole.DERIVATIVE)
    ).all()
    report = SweepReport()
    report.relocated = sum(1 for r in rows if r.key.startswith(PUBLIC_PREFIX))
    report.filled = sum(1 for r in rows if r.status == RecordStatus.PUBLISHED and not r.public_key)
    return report


def survey(
    session: Session, storages: Storages, grace_seconds: float = GRACE_SECONDS
) -> SweepReport:
    """Find what a sweep would put right, changing nothing."""
    report = survey_database(session)
    rows = session.execute(
        select(PhotoFile.backend, PhotoFile.key, PhotoFile.public_key, Photo.status).join(Photo)
    ).all()
    cutoff = datetime.now(UTC) - timedelta(seconds=grace_seconds)
    for storage in storages.available():
        _find_unreferenced(report, storage.backend, storage, rows, cutoff)
        report.empty_folders += [(storage.backend, f) for f in storage.empty_folders()]
    return report


def _find_unreferenced(
    report: SweepReport, backend: str, storage: Any, rows: Sequence[Any], cutoff: datetime
) -> None:
    """List one backend's files no row refers to (public copies: no published record's)."""
    keys = {r.key for r in rows if r.backend == backend}
    public = {
        r.public_key
        for r in rows
        if r.backend == backend and r.public_key and r.status == RecordStatus.PUBLISHED
    }
    for listed in storage.list_keys(PUBLIC_PREFIX):
        owned = _owned(listed.key, public) or _owned(listed.key, keys)
        if not owned and listed.modified < cutoff:
            report.stray_public.append((backend, listed.key))
    for prefix in (RENDITION_PREFIX, *ORIGINAL_PREFIXES):
        found = report.orphans if prefix == RENDITION_PREFIX else report.orphan_originals
        for listed in storage.list_keys(prefix):
            if not _owned(listed.key, keys) and listed.modified < cutoff:
                found.append((backend, listed.key))


def _owned(key: str, keys: set[str]) -> bool:
    """Return whether a stored object is one of keys, or lies in a tree among them."""
    return key in keys or any(tree in keys for tree in tree_prefixes(key))


def sweep(
    db: Database,
    storages: Storages,
    *,
    lease_seconds: float,
    include_originals: bool = False,
    grace_seconds: float = GRACE_SECONDS,
) -> SweepReport:
    """Put stored files and claims right; return what was done."""
    report = upgrade_files(db, storages, force=True)
    with db.session() as session:
        _unpublish_strays(session, storages)
    with db.session() as session:
        found = survey(session, storages, grace_seconds)
    delete_now(storages, found.stray_public)
    delete_now(storages, found.orphans)
    report.stray_public, report.orphans = found.stray_public, found.orphans
    report.orphan_originals = found.orphan_originals
    if include_originals:
        delete_now(storages, found.orphan_originals)
    report.empty_folders = found.empty_folders
    for storage in storages.available():
        storage.remove_empty_folders()
    report.stale_claims = drop_stale_claims(db, lease_seconds)
    return report


def upgrade_files(db: Database, storages: Storages, *, force: bool = False) -> SweepReport:
    """Bring derivatives to the current layout and make missing public copies.

    Run by `archive db upgrade`; cheap when there is nothing to do (only the database
    is asked) unless force, which also replaces public copies whose files are gone.
    """
    report = SweepReport()
    with db.session() as session:
        pending = survey_database(session)
    if pending.relocated:
        with db.session() as session:
            report.relocated = _relocate(session, storages)
    if force or pending.relocated or pending.filled:
        present: set[StoredKey] = set()
        for storage in storages.available():
            for listed in storage.list_keys(PUBLIC_PREFIX):
                present.add((storage.backend, listed.key))
                present.update((storage.backend, t) for t in tree_prefixes(listed.key))
        with db.session() as session:
            report.filled = _fill(session, storages, present)
    return report


def _relocate(session: Session, storages: Storages) -> int:
    """Move derivatives kept in the public prefix to renditions/ (then delete the old)."""
    rows = session.scalars(
        select(PhotoFile).where(
            PhotoFile.role == FileRole.DERIVATIVE, PhotoFile.key.startswith(PUBLIC_PREFIX)
        )
    ).all()
    old = [(row.backend, row.key) for row in rows]
    for row in rows:
        key = rendition_key(row.sha256, row.variant or "web")
        storages.of(row.backend).copy(row.key, key)
        row.key = key
    retire_files(session, storages, old)
    return len(rows)


def _fill(session: Session, storages: Storages, present: set[StoredKey]) -> int:
    """Give published records any public copy they lack (or whose file is gone)."""
    rows = session.execute(
        select(PhotoFile.photo_id, PhotoFile.backend, PhotoFile.public_key)
        .join(Photo)
        .where(Photo.status == RecordStatus.PUBLISHED, PhotoFile.role == FileRole.DERIVATIVE)
    ).all()
    lacking = sorted({r.photo_id for r in rows if (r.backend, r.public_key) not in present})
    made = 0
    for start in range(0, len(lacking), 500):
        photos = session.scalars(
            select(Photo)
            .options(selectinload(Photo.files))
            .where(Photo.id.in_(lacking[start : start + 500]))
        ).all()
        for photo in photos:
            for row in photo.files:
                if row.public_key and (row.backend, row.public_key) not in present:
                    row.public_key = None
            made += len(fill_public(session, storages, photo))
    return made


def _unpublish_strays(session: Session, storages: Storages) -> None:
    """Clear public copies of records that are not published (a failed deletion)."""
    rows = session.scalars(
        select(PhotoFile)
        .join(Photo)
        .where(PhotoFile.public_key.is_not(None), Photo.status != RecordStatus.PUBLISHED)
    ).all()
    keys = [(row.backend, row.public_key) for row in rows if row.public_key]
    for row in rows:
        row.public_key = None
    retire_files(session, storages, keys)
