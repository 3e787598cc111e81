"""The jobs table: enqueue in the caller's transaction, claim, finish, retry, count.

Claiming is an UPDATE guarded by the claim's absence (or a lapsed lease), so on SQLite
and PostgreSQL alike exactly one worker wins each job, whoever else read it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, update
from sqlalchemy.orm import Session

from archive.db import Database, after_commit
from archive.models import Job

PENDING, FAILED = "pending", "failed"
MAX_ATTEMPTS = 8  # about two hours of backoff before a job is left as failed
BACKOFF_BASE = 5.0
BACKOFF_CAP = 1800.0
LEASE_SECONDS = 600.0  # a claim older than this belongs to a worker that died


@dataclass(frozen=True)
class Claimed:
    """A job a worker holds."""

    id: int
    kind: str
    subject: str | None
    payload: dict[str, Any]
    attempts: int


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    subject: str | None = None,
    eager: Callable[[], None] | None = None,
    run_after: datetime | None = None,
) -> Job:
    """Add a job to the caller's transaction (due at once, or at run_after).

    :param eager: do the job right after the commit in this process too (best effort);
        when that works the job is gone, otherwise a worker does it later.
    """
    job = Job(kind=kind, subject=subject, payload=payload or {}, state=PENDING)
    if run_after is not None:
        job.run_after = run_after
    session.add(job)
    if eager is not None:
        session.flush()
        job_id, bind = job.id, session.get_bind()
        engine = bind.engine if isinstance(bind, Connection) else bind

        def run_now() -> None:
            eager()  # an error leaves the job to the workers
            with engine.begin() as connection:
                connection.execute(delete(Job).where(Job.id == job_id))

        after_commit(session, run_now)
    return job


def claim(db: Database, kinds: Iterable[str], worker: str, limit: int = 50) -> list[Claimed]:
    """Take up to limit due jobs of these kinds for worker (oldest first)."""
    now = datetime.now(UTC)
    stale = now - timedelta(seconds=LEASE_SECONDS)
    free = or_(Job.claimed_by.is_(None), Job.claimed_at < stale)
    kinds = list(kinds)
    with db.session() as session:
        ids = list(
            session.scalars(
                select(Job.id)
                .where(Job.kind.in_(kinds), Job.state == PENDING, Job.run_after <= now, free)
                .order_by(Job.id)
                .limit(limit)
            )
        )
        if not ids:
            return []
        session.execute(
            update(Job)
            .where(Job.id.in_(ids), free)
            .values(claimed_by=worker, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
    with db.session() as session:
        rows = session.scalars(
            select(Job).where(Job.id.in_(ids), Job.claimed_by == worker).order_by(Job.id)
        )
        return [Claimed(j.id, j.kind, j.subject, dict(j.payload), j.attempts) for j in rows]


def finish(db: Database, ids: Iterable[int]) -> None:
    """Remove jobs that are done."""
    ids = list(ids)
    if ids:
        with db.session() as session:
            session.execute(delete(Job).where(Job.id.in_(ids)))


def retry(db: Database, job: Claimed, error: str) -> bool:
    """Put a failed job off with backoff; return False when it is now left as failed."""
    attempts = job.attempts + 1
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempts - 1)) * (0.5 + random.random() / 2)
    state = FAILED if attempts >= MAX_ATTEMPTS else PENDING
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(
                attempts=attempts,
                state=state,
                last_error=error[:2000],
                claimed_by=None,
                claimed_at=None,
                run_after=datetime.now(UTC) + timedelta(seconds=delay),
            )
        )
    return state == PENDING


def release(db: Database, ids: Iterable[int]) -> None:
    """Give claimed jobs back untouched (a worker that is stopping)."""
    ids = list(ids)
    if ids:
        with db.session() as session:
            session.execute(
                update(Job).where(Job.id.in_(ids)).values(claimed_by=None, claimed_at=None)
            )


@dataclass(frozen=True)
class QueueState:
    """What `archive check` says about the queue."""

    pending: dict[str, int]
    failed: dict[str, int]
    oldest_pending: datetime | None


def queue_state(session: Session) -> QueueState:
    """Count pending and failed jobs by kind, with the oldest pending job's time."""
    counts: dict[str, dict[str, int]] = {PENDING: {}, FAILED: {}}
    rows = session.execute(select(Job.state, Job.kind, func.count()).group_by(Job.state, Job.kind))
    for state, kind, count in rows:
        counts.setdefault(state, {})[kind] = int(count)
    oldest = session.scalar(select(func.min(Job.created_at)).where(Job.state == PENDING))
    return QueueState(counts[PENDING], counts[FAILED], oldest)


def pending_subjects(session: Session, kind: str) -> set[str]:
    """Return the subjects of a kind's jobs not done yet (claimed ones included)."""
    rows = session.scalars(
        select(Job.subject).where(Job.kind == kind, Job.state == PENDING).distinct()
    )
    return {subject for subject in rows if subject}


def failed_jobs(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    """Return the newest failed jobs with their last error."""
    rows = session.scalars(
        select(Job).where(Job.state == FAILED).order_by(Job.id.desc()).limit(limit)
    )
    return [
        {"id": j.id, "kind": j.kind, "attempts": j.attempts, "last_error": j.last_error}
        for j in rows
    ]


def revive_failed(session: Session) -> int:
    """Put every failed job back in the queue with fresh tries; return how many."""
    result = session.execute(
        update(Job)
        .where(Job.state == FAILED)
        .values(state=PENDING, attempts=0, run_after=datetime.now(UTC), claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
