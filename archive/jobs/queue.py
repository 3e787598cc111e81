"""The jobs table: enqueue in the caller's transaction, claim, finish, retry, count.

Claiming is an UPDATE guarded by the claim's absence (or a lapsed lease), so on SQLite
and PostgreSQL alike exactly one worker wins each job, whoever else read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, update
from sqlalchemy.orm import Session

from archive.db import Database, after_commit
from archive.jobs.kinds import Claimed, JobKind, RetryPolicy
from archive.models import Job

PENDING, FAILED = "pending", "failed"
LEASE_SECONDS = 600.0  # a claim older than this belongs to a worker that died


def enqueue(
    session: Session,
    kind: JobKind,
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
    job = Job(kind=kind.name, subject=subject, payload=payload or {}, state=PENDING)
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
        return [
            Claimed(j.id, j.kind, j.subject, dict(j.payload), j.attempts, _utc(j.created_at))
            for j in rows
        ]


def finish(db: Database, ids: Iterable[int]) -> None:
    """Remove jobs that are done."""
    ids = list(ids)
    if ids:
        with db.session() as session:
            session.execute(delete(Job).where(Job.id.in_(ids)))


def retry(db: Database, job: Claimed, error: str, policy: RetryPolicy) -> bool:
    """Put a failed job off by its kind's policy; return False when it is now left as
    failed (it has been trying for as long as the policy allows)."""
    attempts = job.attempts + 1
    now = datetime.now(UTC)
    state = FAILED if policy.gives_up(job.created_at, now) else PENDING
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
                run_after=now + policy.wait(attempts),
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
    retrying: dict[str, int]  # pending jobs that failed at least once, by kind
    oldest_due: datetime | None  # since when the longest-due job has waited for a worker


def queue_state(session: Session) -> QueueState:
    """Count pending, retrying and failed jobs by kind, and find the longest-due job."""
    counts: dict[str, dict[str, int]] = {PENDING: {}, FAILED: {}}
    rows = session.execute(select(Job.state, Job.kind, func.count()).group_by(Job.state, Job.kind))
    for state, kind, count in rows:
        counts.setdefault(state, {})[kind] = int(count)
    retrying = session.execute(
        select(Job.kind, func.count())
        .where(Job.state == PENDING, Job.attempts > 0)
        .group_by(Job.kind)
    )
    now = datetime.now(UTC)
    unheld = or_(Job.claimed_by.is_(None), Job.claimed_at < now - timedelta(seconds=LEASE_SECONDS))
    oldest = session.scalar(
        select(func.min(Job.run_after)).where(Job.state == PENDING, Job.run_after <= now, unheld)
    )
    return QueueState(
        counts[PENDING],
        counts[FAILED],
        {kind: int(count) for kind, count in retrying},
        _utc(oldest) if oldest is not None else None,
    )


def pending_subjects(session: Session, kind: JobKind) -> set[str]:
    """Return the subjects of a kind's jobs not done yet (claimed ones included)."""
    rows = session.scalars(
        select(Job.subject).where(Job.kind == kind.name, Job.state == PENDING).distinct()
    )
    return {subject for subject in rows if subject}


def failed_jobs(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    """Return the newest failed jobs with their last error."""
    rows = session.scalars(
        select(Job).where(Job.state == FAILED).order_by(Job.id.desc()).limit(limit)
    )
    return [
        {
            "id": j.id,
            "kind": j.kind,
            "attempts": j.attempts,
            "last_error": j.last_error,
            "queued_at": _utc(j.created_at),
        }
        for j in rows
    ]


def revive_failed(session: Session) -> int:
    """Put every failed job back in the queue with a fresh policy period; return how many."""
    now = datetime.now(UTC)
    result = session.execute(
        update(Job)
        .where(Job.state == FAILED)
        .values(state=PENDING, attempts=0, run_after=now, created_at=now, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _utc(moment: datetime) -> datetime:
    """Return a stored time as aware UTC (SQLite hands back naive UTC times)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
