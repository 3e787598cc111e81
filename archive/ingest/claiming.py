"""One worker's claims on dropped scans, through database outages.

A claim is taken before a scan is worked on and released after (archive.records.claims).
When the database is down, neither can be done; this keeps the worker from spinning or
stalling:
- a scan whose claim cannot be taken is put off with the same backoff as other retries;
- a release that fails is remembered and done again next round (a claim must not outlive
  its file, or other workers wait for the whole lease);
- a claim this worker still holds from before the outage is simply taken again;
- the outage is logged when it begins and when it ends, not once a try.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable

from sqlalchemy.exc import SQLAlchemyError

from archive.db import Database
from archive.digest import FileIdentity
from archive.ingest.files import DropFile
from archive.ingest.retry import RetryBook
from archive.logs import OutageLog
from archive.records.claims import release_claims, take_claim

log = logging.getLogger(__name__)


class Claims:
    """Take and give back this worker's claims, riding out database outages."""

    def __init__(
        self, db: Database, worker_id: str, lease_seconds: float, retry: RetryBook
    ) -> None:
        self.db = db
        self.worker_id = worker_id
        self.lease_seconds = lease_seconds
        self.retry = retry
        self.outage = OutageLog(log, "the database (ingest claims)")
        self._unreleased: set[str] = set()

    def take(self, drops: list[DropFile]) -> list[DropFile]:
        """Return the drops whose scan this worker now holds (and which are still there);
        while the database is down, put the rest off and return none of them."""
        self.release(set())  # first, what an earlier round could not give back
        taken: set[str] = set()
        for stem in sorted({d.stem for d in drops}):
            try:
                if take_claim(self.db, stem, self.worker_id, self.lease_seconds, worker_is_gone):
                    taken.add(stem)
            except SQLAlchemyError as exc:
                self.outage.failed(exc)
                self._put_off([d for d in drops if d.stem not in taken])
                self.release(taken)
                return []
            self.outage.recovered()
        mine = [d for d in drops if d.stem in taken and d.path.exists()]
        self.release(taken - {d.stem for d in mine})  # done by another worker meanwhile
        return mine

    def release(self, stems: Iterable[str]) -> None:
        """Give claims back; what cannot be given back now is given back next round."""
        wanted = self._unreleased | set(stems)
        if not wanted:
            return
        try:
            release_claims(self.db, wanted, self.worker_id)
        except SQLAlchemyError as exc:
            self.outage.failed(exc)
            self._unreleased = wanted
            return
        self._unreleased = set()
        self.outage.recovered()

    @property
    def unreleased(self) -> set[str]:
        """Return the stems whose claims are still to be given back."""
        return set(self._unreleased)

    def _put_off(self, drops: list[DropFile]) -> None:
        for drop in drops:
            self.retry.defer(drop.path, FileIdentity.of_path(drop.path))


def worker_is_gone(worker: str) -> bool:
    """Return whether a claim's worker ran on this host and its process has ended."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False  # elsewhere: only the lease can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, under another user
    return False
