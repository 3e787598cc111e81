"""Where each handled file ends up, and what is reported about it.

A recorded file moves to done/ or duplicates/, a failed one to failed/ with a note; a
file that failed for a passing reason stays in the inbox and is tried again with
backoff, until the retry limit fails it. Every move checks that the file is still the
one that was read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from archive.config import Settings
from archive.db import Database
from archive.digest import FileIdentity
from archive.errors import STORAGE_UNAVAILABLE, IngestError
from archive.faults import storage_fault
from archive.imaging.analyse import Analysis
from archive.ingest import outcomes
from archive.ingest.errors import classify, retry_limit_error
from archive.ingest.files import DropFile
from archive.ingest.pipeline import IngestResult
from archive.ingest.retry import RetryBook
from archive.ingest.watch import OwnMoves
from archive.logs import first_line

log = logging.getLogger(__name__)
RETRY_LIMIT = 12  # tries of a file that keeps failing for a passing reason (about 3 hours)
# Outcomes that leave a file in the inbox to be taken again: it changed, the worker was
# stopping, or the storage could not take writes (full, read-only, unavailable).
PASSING_CODES = ("changed", "interrupted", STORAGE_UNAVAILABLE)


class Dispositions:
    """Move, fail or put off each file, and report it once."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        keep_source: bool,
        on_result: Callable[[IngestResult], None],
        retry: RetryBook,
    ) -> None:
        self.settings = settings
        self.db = db
        self.keep_source = keep_source
        self.on_result = on_result
        self.retry = retry
        self.summary = outcomes.Summary()
        self.own_moves = OwnMoves()
        # Files done with in this round (a file that changed is not: it is taken again).
        self.handled: set[Path] = set()

    def recorded(
        self, root: Path, drop: DropFile, result: IngestResult, analysis: Analysis
    ) -> None:
        """Move a file whose record is committed, unless it changed since it was read."""
        self.retry.forget(drop.path)
        if not self.keep_source:
            self.own_moves.add(drop.path)
            moved = outcomes.move_after(
                self.settings, root, drop, result, analysis.identity, analysis.sha256
            )
            if not moved:
                result.warnings.append(outcomes.CHANGED_WARNING)
                self.report(result)
                return  # not handled: the new content is taken in the next round
        self.handled.add(drop.path)
        self.report(result)

    def not_recorded(
        self, root: Path, drop: DropFile, identity: FileIdentity | None, exc: Exception
    ) -> None:
        """Fail a file whose record could not be written, or put it off to retry."""
        permanent = classify(exc)
        if permanent is not None:
            log.error("%s cannot be recorded: %s", drop.rel, first_line(exc))
            self.fail(root, drop, permanent, identity)
            return
        log.error("could not record %s (will retry): %s", drop.rel, first_line(exc))
        self.defer(root, drop, identity, exc)

    def defer(
        self, root: Path, drop: DropFile, identity: FileIdentity | None, reason: Exception
    ) -> None:
        """Leave a file in the inbox to be tried again later (failed after the limit)."""
        attempts = self.retry.defer(drop.path, identity)
        if attempts >= RETRY_LIMIT and not storage_trouble(reason):
            self.retry.forget(drop.path)
            self.fail(root, drop, retry_limit_error(attempts, reason), identity)
            return
        self.handled.add(drop.path)
        if isinstance(reason, IngestError) and reason.code in PASSING_CODES:
            self.report(outcomes.taken_again(drop, reason))
        else:
            self.report(outcomes.retry_later(drop, reason))

    def fail(
        self, root: Path, drop: DropFile, error: IngestError, identity: FileIdentity | None
    ) -> None:
        """Log a failure and move the file to failed/ with a note (if it did not change)."""
        result = outcomes.failed(drop, error)
        try:
            with self.db.session() as session:
                outcomes.log_failure(session, drop, error)
        except SQLAlchemyError as exc:
            log.error("could not log failure of %s: %s", drop.rel, exc)
        self.retry.forget(drop.path)
        if not self.keep_source:
            self.own_moves.add(drop.path)
            if not outcomes.move_failed(self.settings, root, drop, error, identity):
                result.warnings.append(outcomes.CHANGED_WARNING)
                self.report(result)
                return
        self.handled.add(drop.path)
        self.report(result)

    def report(self, result: IngestResult) -> None:
        """Count a file's outcome and pass it on."""
        self.summary.add(result)
        self.on_result(result)


def storage_trouble(reason: Exception) -> bool:
    """Return whether a file was put off because the storage could not take writes: such a
    file waits (with capped backoff) as long as the trouble lasts, never in failed/."""
    if isinstance(reason, IngestError):
        return reason.code == STORAGE_UNAVAILABLE
    return storage_fault(reason) is not None
