"""Put stored files right after crashes and upgrades: what `archive sweep` does.

- derivatives still kept in the public prefix (the layout before public copies) move to
  the private renditions/ prefix;
- every published record has its public copies, and nothing else is in the public prefix;
- files no record refers to (left by a killed worker between storing and committing)
  are removed once they are older than a grace period (originals only when asked);
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

from archive.db import Database, after_commit
from archive.models import Photo, PhotoFile
from archive.services.claims import drop_stale_claims
from archive.services.publication import delete_keys, fill_public
from archive.storage import PUBLIC_PREFIX, RENDITION_PREFIX, Storage, rendition_key

GRACE_SECONDS = 3600  # younger files may belong to a transaction still under way
ORIGINAL_PREFIXES = ("masters/", "uploads/")


@dataclass
class SweepReport:
    """What a survey found, or what a sweep did."""

    relocated: int = 0  # derivatives moved out of the public prefix
    filled: int = 0  # public copies made for published records that lacked them
    stray_public: list[str] = field(default_factory=list)  # public files of no published record
    orphans: list[str] = field(default_factory=list)  # derivatives no record refers to
    orphan_originals: list[str] = field(default_factory=list)
    stale_claims: int = 0

    def as_json(self) -> dict[str, int]:
        """Return the counts."""
        return {
            "relocated": self.relocated,
            "filled": self.filled,
            "stray_public": len(self.stray_public),
            "orphans": len(self.orphans),
            "orphan_originals": len(self.orphan_originals),
            "stale_claims": self.stale_claims,
        }


def survey(session: Session, storage: Storage, grace_seconds: float = GRACE_SECONDS) -> SweepReport:
    """Find what a sweep would put right, changing nothing."""
    report = survey_database(session)
    rows = session.execute(
        select(PhotoFile.key, PhotoFile.public_key, Photo.status).join(Photo)
    ).all()
    _find_unreferenced(report, storage, rows, grace_seconds)
    return report


def _is_public(key: str) -> bool:
    return key.startswith(PUBLIC_PREFIX)


def _find_unreferenced(
    report: SweepReport, storage: Storage, rows: Sequence[Any], grace_seconds: float
) -> None:
    """List stored files no row refers to (public copies: no published record's)."""
    cutoff = datetime.now(UTC) - timedelta(seconds=grace_seconds)
    keys = {r.key for r in rows}
    public = {r.public_key for r in rows if r.public_key and r.status == "published"}
    for listed in storage.list_keys(PUBLIC_PREFIX):
        if listed.key not in public and listed.key not in keys and listed.modified < cutoff:
            report.stray_public.append(listed.key)
    for prefix, found in (
        (RENDITION_PREFIX, report.orphans),
        *((p, report.orphan_originals) for p in ORIGINAL_PREFIXES),
    ):
        for listed in storage.list_keys(prefix):
            if listed.key not in keys and listed.modified < cutoff:
                found.append(listed.key)


def sweep(
    db: Database,
    storage: Storage,
    *,
    lease_seconds: float,
    include_originals: bool = False,
    grace_seconds: float = GRACE_SECONDS,
) -> SweepReport:
    """Put stored files and claims right; return what was done."""
    report = SweepReport()
    with db.session() as session:
        report.relocated = _relocate(session, storage)
    present = {listed.key for listed in storage.list_keys(PUBLIC_PREFIX)}
    with db.session() as session:
        report.filled = _fill(session, storage, present)
    with db.session() as session:
        _unpublish_strays(session, storage)
    with db.session() as session:
        found = survey(session, storage, grace_seconds)
    delete_keys(storage, found.stray_public)
    delete_keys(storage, found.orphans)
    report.stray_public, report.orphans = found.stray_public, found.orphans
    report.orphan_originals = found.orphan_originals
    if include_originals:
        delete_keys(storage, found.orphan_originals)
    report.stale_claims = drop_stale_claims(db, lease_seconds)
    return report


def upgrade_files(db: Database, storage: Storage) -> SweepReport:
    """Bring stored files to the current layout (run by `archive db upgrade`).

    Cheap when there is nothing to do: only the database is asked.
    """
    report = SweepReport()
    with db.session() as session:
        pending = survey_database(session)
    if pending.relocated:
        with db.session() as session:
            report.relocated = _relocate(session, storage)
    if pending.relocated or pending.filled:
        present = {listed.key for listed in storage.list_keys(PUBLIC_PREFIX)}
        with db.session() as session:
            report.filled = _fill(session, storage, present)
    return report


def survey_database(session: Session) -> SweepReport:
    """Count derivatives in the old layout and published ones lacking a public copy."""
    rows = session.execute(
        select(PhotoFile.key, PhotoFile.public_key, Photo.status)
        .join(Photo)
        .where(PhotoFile.role == "derivative")
    ).all()
    report = SweepReport()
    report.relocated = sum(1 for r in rows if _is_public(r.key))
    report.filled = sum(1 for r in rows if r.status == "published" and not r.public_key)
    return report


def _relocate(session: Session, storage: Storage) -> int:
    """Move derivatives kept in the public prefix to renditions/ (the old copy is a stray)."""
    rows = session.scalars(
        select(PhotoFile).where(
            PhotoFile.role == "derivative", PhotoFile.key.startswith(PUBLIC_PREFIX)
        )
    ).all()
    old = [row.key for row in rows]
    for row in rows:
        key = rendition_key(row.sha256, row.variant or "web")
        storage.copy(row.key, key)
        row.key = key
    after_commit(session, lambda: delete_keys(storage, old))
    return len(rows)


def _fill(session: Session, storage: Storage, present: set[str]) -> int:
    """Give published records any public copy they lack (or whose file is gone)."""
    rows = session.execute(
        select(PhotoFile.photo_id, PhotoFile.public_key)
        .join(Photo)
        .where(Photo.status == "published", PhotoFile.role == "derivative")
    ).all()
    lacking = sorted({photo_id for photo_id, key in rows if not key or key not in present})
    made = 0
    for start in range(0, len(lacking), 500):
        photos = session.scalars(
            select(Photo)
            .options(selectinload(Photo.files))
            .where(Photo.id.in_(lacking[start : start + 500]))
        ).all()
        for photo in photos:
            for row in photo.files:
                if row.public_key and row.public_key not in present:
                    row.public_key = None
            made += len(fill_public(session, storage, photo))
    return made


def _unpublish_strays(session: Session, storage: Storage) -> None:
    """Clear public copies of records that are not published (a failed after-commit)."""
    rows = session.scalars(
        select(PhotoFile)
        .join(Photo)
        .where(PhotoFile.public_key.is_not(None), Photo.status != "published")
    ).all()
    keys = [row.public_key for row in rows if row.public_key]
    for row in rows:
        row.public_key = None
    after_commit(session, lambda: delete_keys(storage, keys))
