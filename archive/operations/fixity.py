"""The archival fixity check: re-read every preserved file and compare its SHA-256."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from archive.errors import NotFound, StorageError
from archive.models import Photo, PhotoFile
from archive.statuses import ORIGINAL_ROLES, FileRole
from archive.storage import Storages


@dataclass(frozen=True)
class FixityResult:
    """The verdict on one stored file."""

    public_id: str
    role: str
    key: str
    expected: str
    actual: str | None
    status: str  # ok | mismatch | missing | unreadable

    @property
    def ok(self) -> bool:
        """Return whether the file is intact."""
        return self.status == "ok"


def _query(derivatives: bool) -> Select[str, str, str, str, str]:
    roles = (*ORIGINAL_ROLES, FileRole.DERIVATIVE) if derivatives else ORIGINAL_ROLES
    return (
        select(PhotoFile.key, PhotoFile.role, PhotoFile.sha256, Photo.public_id, PhotoFile.backend)
        .join(Photo, Photo.id == PhotoFile.photo_id)
        .where(PhotoFile.role.in_(roles))
        .order_by(PhotoFile.id)
    )


def count_files(session: Session, *, derivatives: bool = False) -> int:
    """Return how many files a fixity run will read."""
    return session.scalar(select(func.count()).select_from(_query(derivatives).subquery())) or 0


def check_fixity(
    session: Session, storages: Storages, *, derivatives: bool = False
) -> Iterator[FixityResult]:
    """Yield a verdict for every master, back side and alternate (and derivatives if asked).

    Each file is read from the backend its row names.
    """
    for key, role, expected, public_id, backend in session.execute(_query(derivatives)):
        try:
            actual = storages.of(backend).sha256(key)
        except NotFound:
            yield FixityResult(public_id, role, key, expected, None, "missing")
            continue
        except (StorageError, OSError) as exc:
            yield FixityResult(public_id, role, key, expected, str(exc)[:200], "unreadable")
            continue
        status = "ok" if actual == expected else "mismatch"
        yield FixityResult(public_id, role, key, expected, actual, status)
