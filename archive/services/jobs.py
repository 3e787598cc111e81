"""Do due jobs: the worker loop and `archive jobs run` call run_due() now and then.

Index jobs go to the search index's single writer in batches; every other kind has a
handler here. One job's failure stays with that job: it is tried again with backoff and
left as failed (for `archive check` and `archive jobs`) after too many tries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from archive.config import Settings
from archive.db import Database
from archive.jobs.queue import Claimed, claim, finish, retry
from archive.mail import send_mail
from archive.services.intake import RETRY_JOB, return_to_inbox
from archive.services.notices import DIGEST, NOTIFY, digest, due_notice
from archive.services.publication import DELETE_FILES, delete_strictly
from archive.services.tables import TABLES_JOB, rederive_records
from archive.storage import Storages

if TYPE_CHECKING:
    from archive.search.index import SearchIndex

log = logging.getLogger(__name__)


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


Handler = Callable[[JobContext, Claimed], None]


def _delete_files(context: JobContext, job: Claimed) -> None:
    files = [(str(backend), str(key)) for backend, key in job.payload.get("files", [])]
    delete_strictly(context.storages, files)


def _notify(context: JobContext, job: Claimed) -> None:
    with context.db.session() as session:
        notice = due_notice(session, context.settings, job.payload)
    if notice is not None:
        send_mail(context.settings, *notice)


def _digest(context: JobContext, job: Claimed) -> None:
    recipients = context.settings.digest_recipients
    since = datetime.fromisoformat(str(job.payload.get("since")))
    with context.db.session() as session:
        message = digest(session, context.settings, since)
    if message is not None and recipients:
        send_mail(context.settings, recipients, *message)


def _apply_tables(context: JobContext, _job: Claimed) -> None:
    search = context.search
    changed = rederive_records(context.db, search.gazetteer)
    search.sync(context.db, wait=30.0)  # the records read differently are found so at once
    log.info("reference tables applied: %d records read differently", changed)


def _retry_ingest(context: JobContext, job: Claimed) -> None:
    with context.db.session() as session:
        return_to_inbox(session, context.settings, str(job.payload.get("path", "")))


# Every kind of job but "index" (the search index's own), with what does it.
HANDLERS: dict[str, Handler] = {
    DELETE_FILES: _delete_files,
    NOTIFY: _notify,
    DIGEST: _digest,
    RETRY_JOB: _retry_ingest,
    TABLES_JOB: _apply_tables,
}


class JobRunner:
    """Claim and do due jobs as one worker."""

    def __init__(self, context: JobContext, worker_id: str) -> None:
        self.context = context
        self.worker_id = worker_id

    def run_due(self, limit: int = 50) -> int:
        """Do what is due now; return how many jobs were done (index jobs included)."""
        db = self.context.db
        done = self.context.search.sync(db, wait=5.0)
        for job in claim(db, HANDLERS, self.worker_id, limit):
            done += self._run(job)
        return done

    def _run(self, job: Claimed) -> int:
        try:
            HANDLERS[job.kind](self.context, job)
        except Exception as exc:  # a job's failure must not stop the worker
            log.warning("job %s (%s) failed: %s", job.id, job.kind, exc)
            try:
                retry(self.context.db, job, f"{type(exc).__name__}: {exc}")
            except SQLAlchemyError as db_exc:  # the lease runs out; it is taken again
                log.error("could not put job %s off: %s", job.id, db_exc)
            return 0
        finish(self.context.db, [job.id])
        return 1
