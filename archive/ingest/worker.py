"""The thin worker loop: find stable files, analyse them in processes, record, move."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from whoosh.index import LockError

from archive.errors import IngestError, MetadataError, StorageError
from archive.ingest import outcomes
from archive.ingest.analyse import AnalyseOptions
from archive.ingest.files import DropFile, StabilityTracker, discover, remove_empty_dirs
from archive.ingest.metadata import MetadataSource
from archive.ingest.pipeline import IngestContext, IngestResult, ingest_analysis
from archive.ingest.pool import DecoderPool, Outcome
from archive.runtime import Runtime
from archive.services.claims import drop_stale_claims, release_claims, take_claim

log = logging.getLogger(__name__)
SYNC_INTERVAL = 1.0  # seconds between index updates while a batch is running


class IngestWorker:
    """Process a drop folder once or watch it; each file's errors stay with that file."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        keep_source: bool = False,
        on_result: Callable[[IngestResult], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.db = runtime.db
        self.storage = runtime.storage
        self.keep_source = keep_source
        self.on_result = on_result or (lambda _result: None)
        self.metadata = MetadataSource()
        self.summary = outcomes.Summary()
        self._pool: DecoderPool | None = None
        self._handled: set[Path] = set()
        self._unsynced = False
        self._last_sync = 0.0
        # Several workers may share the drop folder: each claims a scan before taking it.
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_seconds = max(600.0, self.settings.task_timeout * 3)

    def __enter__(self) -> IngestWorker:
        # Another worker may be writing now: only clear leftovers an hour old.
        self.storage.clean_temp(older_than=3600)
        drop_stale_claims(self.db, self.lease_seconds)
        options = AnalyseOptions(
            self.settings.max_pixels,
            self.settings.thumb_size,
            self.settings.web_size,
            self.settings.max_pages,
        )
        workers = self.settings.workers or os.cpu_count() or 1
        self._pool = DecoderPool(
            workers,
            options,
            timeout=self.settings.task_timeout,
            memory_mb=self.settings.worker_memory_mb,
        )
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def run_once(self, root: Path) -> outcomes.Summary:
        """Process every file under root, waiting for files still being written."""
        tracker = StabilityTracker(self.settings.settle_seconds)
        deadline = time.monotonic() + self.settings.max_wait_seconds
        while True:
            drops = self._pending(root)
            if not drops:
                break
            if time.monotonic() > deadline:
                for drop in drops:
                    self._report(outcomes.skipped(drop))
                break
            ready = tracker.ready(drops)
            if not ready or not self.process(root, ready):
                # still being written, or another worker holds them: look again shortly
                time.sleep(min(0.5, self.settings.settle_seconds / 2 or 0.05))
        self._finish_batch(root)
        return self.summary

    def watch(self, root: Path, stop: threading.Event, wake: threading.Event) -> None:
        """Process files as they arrive until stop is set."""
        tracker = StabilityTracker(self.settings.settle_seconds)
        while not stop.is_set():
            drops = self._pending(root)
            ready = tracker.ready(drops)
            if ready:
                self.process(root, ready)
                self._finish_batch(root)
                self._handled.clear()
            if not ready:
                self.sync_index()  # picks up edits that other processes could not index
            waiting = len(drops) > len(ready)
            wake.wait(self.settings.settle_seconds if waiting else self.settings.poll_seconds)
            wake.clear()

    def process(self, root: Path, drops: list[DropFile]) -> int:
        """Claim and process ready files a few scans at a time; return how many were taken.

        Claiming a few at a time (two per decoder) lets other workers share a batch.
        """
        self.summary.start()
        stems = sorted({d.stem for d in drops})
        step = 2 * (self._pool.size if self._pool else 1)
        taken = 0
        for start in range(0, len(stems), step):
            chunk = set(stems[start : start + step])
            taken += self._process_claimed(root, [d for d in drops if d.stem in chunk])
        return taken

    def _process_claimed(self, root: Path, drops: list[DropFile]) -> int:
        mine = self._claim(drops)
        try:
            fronts = [d for d in mine if d.kind == "primary"]
            others = [d for d in mine if d.kind != "primary"]
            for group in (fronts, others):
                self._run_group(root, group)
        finally:
            self._release({d.stem for d in mine})
        return len(mine)

    def _claim(self, drops: list[DropFile]) -> list[DropFile]:
        """Return the drops whose scan this worker now holds (and which are still there)."""
        taken: set[str] = set()
        for stem in sorted({d.stem for d in drops}):
            try:
                if take_claim(self.db, stem, self.worker_id, self.lease_seconds, worker_is_gone):
                    taken.add(stem)
            except SQLAlchemyError as exc:
                log.error("could not claim %s (will retry): %s", stem, exc)
        mine = [d for d in drops if d.stem in taken and d.path.exists()]
        self._release(taken - {d.stem for d in mine})  # done by another worker meanwhile
        return mine

    def _release(self, stems: set[str]) -> None:
        try:
            release_claims(self.db, stems, self.worker_id)
        except SQLAlchemyError as exc:  # the lease runs out and the claims are dropped then
            log.error("could not release claims: %s", exc)

    def _pending(self, root: Path) -> list[DropFile]:
        return [d for d in discover(root) if d.path not in self._handled]

    def _run_group(self, root: Path, drops: list[DropFile]) -> None:
        assert self._pool is not None, "use IngestWorker as a context manager"
        queue = list(drops)
        while queue or self._pool.busy():
            while queue and self._pool.idle():
                drop = queue.pop(0)
                try:
                    fields = self.metadata.fields_for(drop)
                except (MetadataError, OSError) as exc:
                    self._fail(root, drop, outcomes.metadata_error(exc))
                    continue
                self._pool.submit((drop, fields), drop.path)
            for (drop, fields), outcome in self._pool.collect(wait_seconds=0.5):
                self._complete(root, drop, fields, outcome)
            if self._unsynced and time.monotonic() - self._last_sync > SYNC_INTERVAL:
                self.sync_index()

    def _complete(
        self, root: Path, drop: DropFile, fields: dict[str, Any], outcome: Outcome
    ) -> None:
        if isinstance(outcome, IngestError):
            self._fail(root, drop, outcome)
            return
        try:
            with self.db.session() as session:
                ctx = IngestContext(session, self.storage, self.settings, self.runtime.gazetteer)
                result = ingest_analysis(ctx, drop, outcome, fields)
            self._unsynced = True
        except (StorageError, SQLAlchemyError, OSError) as exc:
            log.error("could not record %s: %s", drop.rel, exc)
            self._handled.add(drop.path)
            self._report(outcomes.retry_later(drop, exc))
            return
        if not self.keep_source:
            outcomes.move_after(self.settings, root, drop, result)
        self._handled.add(drop.path)
        self._report(result)

    def _fail(self, root: Path, drop: DropFile, error: IngestError) -> None:
        result = outcomes.failed(drop, error)
        try:
            with self.db.session() as session:
                outcomes.log_failure(session, drop, error)
        except SQLAlchemyError as exc:
            log.error("could not log failure of %s: %s", drop.rel, exc)
        if not self.keep_source:
            outcomes.move_failed(self.settings, root, drop, error)
        self._handled.add(drop.path)
        self._report(result)

    def _report(self, result: IngestResult) -> None:
        self.summary.add(result)
        self.on_result(result)

    def sync_index(self) -> None:
        """Bring the search index up to date with committed records (never fatal here)."""
        try:
            self.runtime.search.sync(self.db, wait=5.0)
            self._unsynced = False
        except (OSError, SQLAlchemyError, LockError) as exc:
            log.error("search index not updated yet (will retry): %s", exc)
        self._last_sync = time.monotonic()

    def _finish_batch(self, root: Path) -> None:
        self.sync_index()
        if self.keep_source:
            return
        touched = {path.parent for path in self._handled}
        outcomes.retire_manifests(self.settings, root, self.metadata, touched)
        remove_empty_dirs(root)


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
