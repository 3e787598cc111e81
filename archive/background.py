"""Do due jobs: the worker loop and `archive jobs run` call run_due() now and then.

Every kind of job is declared once, beside its work (archive.jobs.kinds.JobKind: name,
label, handler, retry policy); KINDS lists them all. Index jobs go to the search index's
single writer in batches; every other kind has a handler. One job's failure stays with
that job: it is tried again by its kind's policy and, once the policy gives up, left as
failed for `archive check`, `archive jobs`, the staff dashboard and the staff digest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from archive.config import Settings
from archive.db import Database
from archive.jobs.kinds import JobKind, registry
from archive.jobs.queue import Claimed, claim, finish, retry
from archive.records.intake import INGEST_RETRY
from archive.records.notices import DIGEST, NOTIFY, schedule_digest
from archive.records.publication import DELETE_FILES
from archive.search.index import INDEX
from archive.storage import Storages
from archive.tables.store import TABLES_APPLY

if TYPE_CHECKING:
    from archive.search.index import SearchIndex

log = logging.getLogger(__name__)

# Every kind of job there is, by name.
KINDS: dict[str, JobKind] = registry(
    (INDEX, DELETE_FILES, NOTIFY, DIGEST, INGEST_RETRY, TABLES_APPLY)
)


def kind_label(name: str) -> str:
    """Return the Korean label of a job kind for staff (its name if unknown)."""
    kind = KINDS.get(name)
    return kind.label if kind is not None else name


@dataclass
class JobContext:
    """What a job may use: the database, storage backends, settings and the search index
    (asked for each time: it follows the reference tables admins edit)."""

    db: Database
    storages: Storages
    settings: Settings
    current_search: Callable[[], SearchIndex]

    @property
    def search(self) -> SearchIndex:
        """Return the search index built with the reference tables now in use."""
        return self.current_search()

    @staticmethod
    def labelled(counts: dict[str, int]) -> dict[str, int]:
        """Return counts by job kind name as counts by the kinds' Korean labels."""
        return {kind_label(name): count for name, count in counts.items()}


class JobRunner:
    """Claim and do due jobs as one worker."""

    def __init__(
        self, context: JobContext, worker_id: str, kinds: dict[str, JobKind] | None = None
    ) -> None:
        self.context = context
        self.worker_id = worker_id
        self.kinds = kinds if kinds is not None else KINDS

    def run_due(self, limit: int = 50) -> int:
        """Do what is due now; return how many jobs were done (index jobs included)."""
        db = self.context.db
        done = self.context.search.sync(db, wait=5.0)
        handled = [name for name, kind in self.kinds.items() if kind.handler is not None]
        for job in claim(db, handled, self.worker_id, limit):
            done += self._run(job)
        return done

    def _run(self, job: Claimed) -> int:
        kind = self.kinds[job.kind]
        assert kind.handler is not None  # claimed only by kinds that have one
        try:
            kind.handler(self.context, job)
        except Exception as exc:  # a job's failure must not stop the worker
            log.warning("job %s (%s) failed: %s", job.id, job.kind, exc)
            self._put_off(kind, job, f"{type(exc).__name__}: {exc}")
            return 0
        finish(self.context.db, [job.id])
        return 1

    def _put_off(self, kind: JobKind, job: Claimed, error: str) -> None:
        """Retry a failed job by its kind's policy; tell staff when the policy gives up."""
        try:
            if retry(self.context.db, job, error, kind.retry):
                return
        except SQLAlchemyError as db_exc:  # the lease runs out; it is taken again
            log.error("could not put job %s off: %s", job.id, db_exc)
            return
        log.error(
            "job %s (%s) gave up after trying since %s: %s",
            job.id,
            job.kind,
            job.created_at.isoformat(timespec="seconds"),
            error,
        )
        if kind is DIGEST:
            return  # the digest itself could not go: it is not sent about itself
        try:
            with self.context.db.session() as session:
                schedule_digest(session, self.context.settings, datetime.now(UTC))
        except SQLAlchemyError as db_exc:
            log.error("could not schedule the staff digest: %s", db_exc)
