"""Kinds of job, each declared once beside its work, with how long it keeps trying.

A kind says what its jobs are called (for staff), which function does one, and its
retry policy: how long a failing job is tried again before it is left as failed (for
`archive check`, the staff dashboard and the digest), and how long it waits between
tries (doubling from the first wait up to the longest, with jitter so that jobs that
failed together do not all come back at once). Mail is tried for days: a mail server
that is down over a long weekend must not lose a notice.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.jobs.context import JobContext


@dataclass(frozen=True)
class Claimed:
    """A job a worker holds."""

    id: int
    kind: str
    subject: str | None
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


Handler = Callable[["JobContext", Claimed], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How long a failing job keeps trying, and how long it waits between tries."""

    keep_trying: timedelta
    first_wait: timedelta
    longest_wait: timedelta

    def wait(self, attempts: int, jitter: float | None = None) -> timedelta:
        """Return the wait after a job's attempts-th failed try: doubling up to the cap,
        then between half and the whole of it (jitter in [0, 1), random by default)."""
        jitter = random.random() if jitter is None else jitter
        doubled = self.first_wait.total_seconds() * 2 ** min(max(attempts - 1, 0), 40)
        capped = min(self.longest_wait.total_seconds(), doubled)
        return timedelta(seconds=capped * (0.5 + jitter / 2))

    def gives_up(self, first_queued: datetime, now: datetime) -> bool:
        """Return whether a job queued at first_queued has tried long enough by now."""
        return now - first_queued >= self.keep_trying


# Work inside the archive (reference tables, an operator's retry): a day is plenty.
SHORT = RetryPolicy(timedelta(days=1), timedelta(seconds=5), timedelta(minutes=15))
# Work that depends on another service (mail, object storage) that may be down for days.
PATIENT = RetryPolicy(timedelta(days=7), timedelta(seconds=30), timedelta(hours=1))


@dataclass(frozen=True)
class JobKind:
    """One kind of job: its name in the queue, its label for staff, its work and retries.

    :param handler: does one job; None for a kind another part drains in batches (the
        search index applies its own "index" jobs).
    """

    name: str
    label: str
    retry: RetryPolicy = SHORT
    handler: Handler | None = None


def registry(kinds: Iterable[JobKind]) -> dict[str, JobKind]:
    """Return kinds by name, refusing a name declared twice."""
    found: dict[str, JobKind] = {}
    for kind in kinds:
        if kind.name in found:
            raise ValueError(f"job kind {kind.name!r} is declared twice")
        if len(kind.name) > 32:
            raise ValueError(f"job kind {kind.name!r} is longer than the column (32)")
        found[kind.name] = kind
    return found
