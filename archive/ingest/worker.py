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

from archive.digest import FileIdentity
from archive.errors import ArchiveError, IngestError, MetadataError
from archive.faults import storage_fault
from archive.imaging.analyse import AnalyseOptions, clear_leftovers
from archive.imaging.pool import DecoderPool, Outcome
from archive.ingest import outcomes
from archive.ingest.claiming import Claims
from archive.ingest.dispositions import PASSING_CODES, Dispositions
from archive.ingest.errors import internal_error
from archive.ingest.files import DropFile, StabilityTracker, discover, remove_empty_dirs
from archive.ingest.metadata import MetadataSource
from archive.ingest.pipeline import IngestResult, ingest_analysis
from archive.ingest.retry import RetryBook
from archive.logs import OutageLog
from archive.records.claims import drop_stale_claims
from archive.records.originals import RecordContext
from archive.records.sweep import sweep
from archive.renditions import plan
from archive.runtime import Runtime

log = logging.getLogger(__name__)
SYNC_INTERVAL = 1.0  # seconds between index updates while a batch is running
JOB_POLL_SECONDS = 1.0  # how often a watching worker looks for jobs
SWEEP_SECONDS = 3600.0  # how often a watching worker runs `archive sweep`
ANALYZE_SECONDS = 600.0  # how often, at most, it refreshes SQLite's planner statistics
OUTAGE_WAIT_MAX = 30.0  # longest wait between rounds while the database is down
Task = tuple[DropFile, dict[str, Any], FileIdentity | None]


class IngestWorker:
    """Process a drop folder once or watch it; each file's errors stay with that file."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        keep_source: bool = False,
        on_result: Callable[[IngestResult], None] | None = None,
        stop: threading.Event | None = None,
        retry: RetryBook | None = None,
    ) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.db = runtime.db
        self.stop = stop or threading.Event()
        self.metadata = MetadataSource()
        self.files = Dispositions(
            runtime.settings,
            runtime.db,
            keep_source=keep_source,
            on_result=on_result or (lambda _result: None),
            retry=retry or RetryBook(),
        )
        self.summary = self.files.summary
        self.retry = self.files.retry
        self.own_moves = self.files.own_moves
        self._pool: DecoderPool | None = None
        self._warming: threading.Thread | None = None
        self._unsynced = False
        self._last_sync = 0.0
        self._last_sweep = time.monotonic()
        self._last_analyze = -ANALYZE_SECONDS
        # Several workers may share the drop folder: each claims a scan before taking it.
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_seconds = max(600.0, self.settings.task_timeout * 3)
        self.claims = Claims(self.db, self.worker_id, self.lease_seconds, self.retry)
        self.jobs = runtime.job_runner(self.worker_id)
        self.jobs_outage = OutageLog(log, "the database (jobs)")
        self._outage_wait = 0.5

    def __enter__(self) -> IngestWorker:
        # Another worker may be writing now: only clear leftovers an hour old.
        self.runtime.storage.clean_temp(older_than=3600)
        clear_leftovers(self.settings.work_dir, older_than=3600)
        drop_stale_claims(self.db, self.lease_seconds)
        return self

    def _decoders(self) -> DecoderPool:
        """Return the decoder processes, started when the first files are ready."""
        if self._pool is None:
            s = self.settings
            options = AnalyseOptions(
                s.max_pixels,
                plan(s),
                s.max_pages,
                max_decoded_mb=s.max_decoded_mb,
                work_dir=s.work_dir,
            )
            self._pool = DecoderPool(
                s.workers or os.cpu_count() or 1,
                options,
                timeout=s.task_timeout,
                memory_mb=s.worker_memory_mb,
            )
        return self._pool

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def run_once(self, root: Path) -> outcomes.Summary:
        """Process every file under root, waiting for files still being written."""
        tracker = StabilityTracker(self.settings.settle_seconds)
        deadline = time.monotonic() + self.settings.max_wait_seconds
        while not self.stop.is_set():
            drops = self._pending(root)
            if not drops:
                break
            if time.monotonic() > deadline:
                for drop in drops:
                    self.files.report(outcomes.skipped(drop))
                break
            ready = tracker.ready(drops)
            if not ready or not self.process(root, ready):
                # still being written, or another worker holds them: look again shortly
                self.stop.wait(min(0.5, self.settings.settle_seconds / 2 or 0.05))
        self._finish_batch(root)
        return self.summary

    def watch(self, root: Path, wake: threading.Event) -> None:
        """Process files as they arrive, and do due jobs, until the stop event is set.

        The inbox is looked at when a file event wakes the worker, when files are still
        settling or due for a retry, and every ARCHIVE_POLL_SECONDS (network shares send
        no events); jobs are looked for every JOB_POLL_SECONDS.
        """
        tracker = StabilityTracker(self.settings.settle_seconds)
        next_look = 0.0
        while not self.stop.is_set():
            if wake.is_set() or time.monotonic() >= next_look:
                wake.clear()
                drops = self._pending(root)
                ready = tracker.ready(drops)
                if ready:
                    self.process(root, ready)
                    self._finish_batch(root)
                    self.files.handled.clear()
                next_look = time.monotonic() + self._pause(len(drops) > len(ready))
            self.run_jobs()  # index changes and deletions other processes committed
            self._sweep_now_and_then()
            wake.wait(self._rest(next_look))

    def _rest(self, next_look: float) -> float:
        """Return how long to wait for the next round: the due jobs' poll, or, while the
        database does not answer, a wait doubling from one second up to OUTAGE_WAIT_MAX."""
        if self.database_failing:
            self._outage_wait = min(OUTAGE_WAIT_MAX, max(1.0, self._outage_wait * 2))
            return self._outage_wait
        self._outage_wait = 0.5
        return max(0.0, min(JOB_POLL_SECONDS, next_look - time.monotonic()))

    def _pause(self, settling: bool) -> float:
        """Return how long until the inbox is looked at again."""
        pause = self.settings.settle_seconds if settling else self.settings.poll_seconds
        due = self.retry.next_due()
        return min(pause, due + 0.05) if due is not None else pause

    def process(self, root: Path, drops: list[DropFile]) -> int:
        """Claim and process ready files a few scans at a time; return how many were taken.

        Claiming a few at a time (two per decoder) lets other workers share a batch.
        """
        self.summary.start()
        stems = sorted({d.stem for d in drops})
        step = 2 * self._decoders().size
        taken = 0
        for start in range(0, len(stems), step):
            if self.stop.is_set():
                break
            chunk = set(stems[start : start + step])
            taken += self._process_claimed(root, [d for d in drops if d.stem in chunk])
        return taken

    def _warm_analyzer(self) -> None:
        """Load the Korean model in the background once a file has text to index
        (unless a model process loads it already, see model_process.py)."""
        if self._warming is None and self.runtime.search.analyzer.helper is None:
            self._warming = threading.Thread(
                target=self.runtime.search.analyzer.warm, name="warm-analyzer"
            )
            self._warming.start()

    def _process_claimed(self, root: Path, drops: list[DropFile]) -> int:
        mine = self.claims.take(drops)
        try:
            fronts = [d for d in mine if d.kind == "primary"]
            others = [d for d in mine if d.kind != "primary"]
            for group in (fronts, others):
                self._run_group(root, group)
        finally:
            self.claims.release({d.stem for d in mine})
        return len(mine)

    def _pending(self, root: Path) -> list[DropFile]:
        return [
            d
            for d in discover(root)
            if d.path not in self.files.handled and not self.retry.waiting(d.path)
        ]

    def _run_group(self, root: Path, drops: list[DropFile]) -> None:
        """Analyse a group in the decoder processes; after a stop, finish only what started."""
        pool = self._decoders()
        queue = list(drops)
        while (queue and not self.stop.is_set()) or pool.busy():
            while queue and pool.idle() and not self.stop.is_set():
                drop = queue.pop(0)
                task = self._prepare(root, drop)
                if task is not None:
                    pool.submit(task, drop.path)
            for task, outcome in pool.collect(wait_seconds=0.5):
                self._complete_safely(root, task, outcome)
            if self._unsynced and time.monotonic() - self._last_sync > SYNC_INTERVAL:
                self.run_jobs()

    def _prepare(self, root: Path, drop: DropFile) -> Task | None:
        """Read a file's sidecar and sheet row; a problem fails this file alone."""
        try:
            fields = self.metadata.fields_for(drop)
        except (MetadataError, OSError) as exc:
            if storage_fault(exc) is not None:  # the disk, not the sidecar: try again later
                self.files.defer(root, drop, FileIdentity.of_path(drop.path), exc)
                return None
            error = outcomes.metadata_error(exc)
            self.files.fail(root, drop, error, FileIdentity.of_path(drop.path))
            return None
        except Exception as exc:  # an unforeseen reader bug must not stop the batch
            log.exception("reading the metadata of %s failed", drop.rel)
            self.files.fail(root, drop, internal_error(exc), FileIdentity.of_path(drop.path))
            return None
        if fields:
            self._warm_analyzer()  # its text will be indexed: load the model meanwhile
        return drop, fields, FileIdentity.of_path(drop.path)

    def _complete_safely(self, root: Path, task: Task, outcome: Outcome) -> None:
        drop, _fields, identity = task
        try:
            self._complete(root, task, outcome)
        except Exception as exc:  # one file's surprise must not stop the batch
            if storage_fault(exc) is not None:
                log.warning("storage could not take %s (will retry): %s", drop.rel, exc)
                self.files.defer(root, drop, identity, exc)
                return
            log.exception("handling %s failed", drop.rel)
            self.files.fail(root, drop, internal_error(exc), identity)
        finally:
            if not isinstance(outcome, IngestError):
                outcome.discard()  # the stored tile pyramids' temporary files

    def _complete(self, root: Path, task: Task, outcome: Outcome) -> None:
        drop, fields, identity = task
        if not isinstance(outcome, IngestError) and outcome.embedded:
            self._warm_analyzer()
        if isinstance(outcome, IngestError):
            if outcome.code in PASSING_CODES:
                self.files.defer(root, drop, identity, outcome)
            else:
                self.files.fail(root, drop, outcome, identity)
            return
        try:
            with self.db.session() as session:
                ctx = RecordContext.of(session, self.runtime)
                result = ingest_analysis(ctx, drop, outcome, fields)
            self._unsynced = True
        except (ArchiveError, SQLAlchemyError, OSError) as exc:
            self.files.not_recorded(root, drop, identity, exc)
            return
        self.files.recorded(root, drop, result, outcome)

    def run_jobs(self) -> None:
        """Do due jobs, index changes first (never fatal here: they are tried again)."""
        try:
            self.jobs.run_due()
            self._unsynced = False
            self.jobs_outage.recovered()
        except SQLAlchemyError as exc:
            self.jobs_outage.failed(exc)  # said once when it begins, once when it ends
        except (ArchiveError, OSError) as exc:
            log.error("jobs not done yet (will retry): %s", exc)
        self._last_sync = time.monotonic()

    @property
    def database_failing(self) -> bool:
        """Return whether the database did not answer the last claim or job round."""
        return self.claims.outage.failing or self.jobs_outage.failing

    def _analyze_now_and_then(self) -> None:
        """Keep SQLite's planner statistics up with the growing archive (every 10 minutes
        at most, after batches that added files)."""
        if time.monotonic() - self._last_analyze < ANALYZE_SECONDS:
            return
        self._last_analyze = time.monotonic()
        try:
            self.db.analyze()
        except SQLAlchemyError as exc:
            log.error("table statistics not refreshed (will try again): %s", exc)

    def _sweep_now_and_then(self) -> None:
        """Remove what crashes left behind, once an hour (never fatal here)."""
        if time.monotonic() - self._last_sweep < SWEEP_SECONDS:
            return
        self._last_sweep = time.monotonic()
        try:
            found = sweep(self.db, self.runtime.storages, lease_seconds=self.lease_seconds)
            log.info("swept stored files: %s", found.as_json())
        except (ArchiveError, SQLAlchemyError, OSError) as exc:
            log.error("sweep failed (will try again): %s", exc)

    def _finish_batch(self, root: Path) -> None:
        self.run_jobs()
        if self.files.handled:
            self._analyze_now_and_then()
        if self.files.keep_source:
            return
        touched = {path.parent for path in self.files.handled}
        outcomes.retire_manifests(self.settings, root, self.metadata, touched)
        remove_empty_dirs(root)
