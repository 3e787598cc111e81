"""Claims that let several ingest workers share one drop folder without doing a file twice.

A claim is a row with a unique key: inserting it succeeds for exactly one worker, on SQLite
and PostgreSQL alike. A claim older than the lease (its worker died) may be taken over by
an UPDATE that only one worker can win.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.db import Database
from archive.models import IngestClaim


def claim_key(stem: str) -> str:
    """Return the unique key of a stem."""
    return hashlib.sha256(stem.encode()).hexdigest()


def take_claim(
    db: Database,
    stem: str,
    worker: str,
    lease_seconds: float,
    gone: Callable[[str], bool] = lambda _worker: False,
) -> bool:
    """Claim a stem for worker; return False when another live worker holds it. A claim
    the worker holds already (one it could not give back while the database was down) is
    simply taken again.

    :param gone: tells whether a holder is known to have died (then its claim is taken
        over at once instead of after the lease).
    """
    now = datetime.now(UTC)
    key = claim_key(stem)
    try:
        with db.session() as session:
            session.add(IngestClaim(key=key, stem=stem, worker=worker, claimed_at=now))
        return True
    except IntegrityError:
        pass
    stale = now - timedelta(seconds=lease_seconds)
    with db.session() as session:
        holder = session.scalar(select(IngestClaim.worker).where(IngestClaim.key == key))
        if holder is None:
            return False  # released meanwhile: the next round tries again
        mine_or_dead = holder == worker or gone(holder)
        condition = IngestClaim.worker == holder if mine_or_dead else IngestClaim.claimed_at < stale
        taken = session.execute(
            update(IngestClaim)
            .where(IngestClaim.key == key, condition)
            .values(worker=worker, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(taken, "rowcount", 0) == 1)


def release_claims(db: Database, stems: Iterable[str], worker: str) -> None:
    """Drop this worker's claims on stems (another worker's are left alone)."""
    keys = [claim_key(stem) for stem in stems]
    if not keys:
        return
    with db.session() as session:
        session.execute(
            delete(IngestClaim)
            .where(IngestClaim.key.in_(keys), IngestClaim.worker == worker)
            .execution_options(synchronize_session=False)
        )


def stale_claims(session: Session, lease_seconds: float) -> int:
    """Return how many claims are older than the lease (their worker died)."""
    stale = datetime.now(UTC) - timedelta(seconds=lease_seconds)
    return int(
        session.scalar(
            select(func.count()).select_from(IngestClaim).where(IngestClaim.claimed_at < stale)
        )
        or 0
    )


def drop_stale_claims(db: Database, lease_seconds: float) -> int:
    """Remove claims older than the lease (left by a worker that died); return how many."""
    stale = datetime.now(UTC) - timedelta(seconds=lease_seconds)
    with db.session() as session:
        result = session.execute(
            delete(IngestClaim)
            .where(IngestClaim.claimed_at < stale)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
