"""The Whoosh index: one writer at a time (file lock), generations swapped atomically."""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import pickle
import shutil
import struct
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import delete, func, select
from whoosh import index as whoosh_index
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, STORED, Schema
from whoosh.index import Index
from whoosh.searching import Searcher

from archive.db import Database
from archive.models import Photo, SearchOutbox
from archive.search.analysis import KoreanAnalyzer
from archive.search.documents import document_texts, photo_document, record_query
from archive.search.fields import PlacesField, TermsField
from archive.search.gazetteer import Gazetteer
from archive.search.view import SearchView
from archive.search.whoosh_fixes import apply_whoosh_fixes

log = logging.getLogger(__name__)
BATCH = 2000
# Outbox rows applied per hold of the writer lock: the lock is released between batches,
# so a decision never waits long behind a large backlog.
DRAIN_BATCH = 200
# Bump when make_schema() or the analysis changes: older generations are rebuilt.
SCHEMA_VERSION = "4"
SCHEMA_MARKER = "archive-schema-version"
# What opening a damaged or half-written index raises.
INDEX_DAMAGE = (
    whoosh_index.IndexError,
    OSError,
    ValueError,
    EOFError,
    KeyError,
    struct.error,
    pickle.UnpicklingError,
)


def make_schema() -> Schema:
    """Return the index schema; text fields hold terms analysed by KoreanAnalyzer."""
    return Schema(
        id=ID(stored=True, unique=True),
        # Scored by archive.search.scoring (BM25 over numpy) with the *_len columns, so
        # Whoosh keeps no lengths or per-block scoring statistics of its own.
        title=TermsField(),
        body=TermsField(),
        places=PlacesField(),
        status=ID,
        source=ID,
        # Numbers are only read as per-document columns, never searched as terms: a
        # NUMERIC field would index about eight terms per value for range queries.
        # Era filters and decade facets are computed from the year columns.
        year_start=COLUMN(NumericColumn("i")),
        year_end=COLUMN(NumericColumn("i")),
        precision=COLUMN(NumericColumn("b")),
        title_len=COLUMN(NumericColumn("H")),
        body_len=COLUMN(NumericColumn("H")),
        stored=STORED,
    )


class SearchIndex:
    """Own the index directory: sync from the outbox, rebuild, and hand out searchers."""

    def __init__(self, root: Path, gazetteer: Gazetteer, analyzer: KoreanAnalyzer) -> None:
        apply_whoosh_fixes()
        self.root = Path(root)
        self.gazetteer = gazetteer
        self.analyzer = analyzer
        self.root.mkdir(parents=True, exist_ok=True)
        self._current = self.root / "current"
        self._searcher: Searcher | None = None
        self._view: SearchView | None = None
        self._generation = 0
        self._searcher_lock = threading.Lock()

    @contextmanager
    def writer_lock(self, wait: float) -> Iterator[bool]:
        """Hold the index's single-writer lock; yield False if not had within wait seconds."""
        with (self.root / "writer.lock").open("a") as handle:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.05)
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def open(self) -> Index | None:
        """Open the current generation, or return None when it is missing or unreadable."""
        if not self._current.exists():
            return None
        marker = self._current / SCHEMA_MARKER
        if not marker.exists() or marker.read_text().strip() != SCHEMA_VERSION:
            log.info("search index has an older schema; rebuilding it")
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # Whoosh leaves a bad TOC open
            try:
                return whoosh_index.open_dir(str(self._current.resolve()))
            except INDEX_DAMAGE as exc:
                reason = str(exc)
            gc.collect()
        log.warning("search index unusable, rebuilding it (%s)", reason)
        return None

    def ensure(self, db: Database) -> Index:
        """Open the index, rebuilding it from the database when missing or corrupt."""
        index = self.open()
        if index is None:
            self.rebuild(db, procs=1)  # may run inside a threaded web worker: no fork
            index = self.open()
            assert index is not None
        return index

    def sync(self, db: Database, wait: float = 2.0, max_batches: int | None = None) -> int:
        """Apply queued record changes a batch at a time; return how many were applied.

        The writer lock is taken for one batch of DRAIN_BATCH outbox rows at a time.
        :param max_batches: stop after this many batches (None: until the outbox is empty).
        """
        applied = batches = 0
        while max_batches is None or batches < max_batches:
            if self._current.exists() and not self._pending(db):
                break  # the common idle case: no lock, no index files opened
            with self.writer_lock(wait) as locked:
                if not locked:
                    break
                index = self.open()
                if index is None:
                    return applied + self._rebuild_locked(db)
                done = self._drain(db, index, DRAIN_BATCH)
            applied += done
            batches += 1
            if done == 0:
                break
        return applied

    def _pending(self, db: Database) -> bool:
        with db.session() as session:
            return session.scalar(select(SearchOutbox.id).limit(1)) is not None

    def rebuild(self, db: Database, procs: int | None = None) -> int:
        """Build a new generation from the database aside, then swap it in.

        :param procs: Whoosh sub-writers; by default one more than the CPU cores, which
            measured twice as fast as one per core (the sub-writers wait on their queue).
        """
        procs = procs if procs is not None else (os.cpu_count() or 1) + 1
        with self.writer_lock(wait=600) as locked:
            if not locked:
                raise TimeoutError("search index is busy: another writer held it for 10 minutes")
            return self._rebuild_locked(db, procs)

    def searcher(self, db: Database) -> Searcher:
        """Return a searcher on the newest committed state (reused while unchanged)."""
        with self._searcher_lock:
            current = self._searcher
            if current is not None and self._same_generation(current) and current.up_to_date():
                return current
            # A new searcher, not current.refresh(): refresh reuses segment readers and
            # misses deletions made in an unchanged segment (an edited record shows twice).
            fresh = self.ensure(db).searcher()
            self._searcher = fresh  # the old one is left to in-flight searches and the GC
            return fresh

    def view(self, db: Database) -> SearchView:
        """Return the cached view of the newest searcher."""
        searcher = self.searcher(db)
        view = self._view
        if view is None or view.searcher is not searcher:
            self._generation += 1
            view = self._view = SearchView(searcher, self._generation)
        return view

    def _same_generation(self, searcher: Searcher) -> bool:
        storage = getattr(searcher._ix, "storage", None)
        folder = getattr(storage, "folder", None)
        return folder is not None and Path(folder) == self._current.resolve()

    def _drain(self, db: Database, index: Index, limit: int) -> int:
        with db.session() as session:
            queued = session.execute(
                select(SearchOutbox.id, SearchOutbox.public_id)
                .order_by(SearchOutbox.id)
                .limit(limit)
            ).all()
            if not queued:
                return 0
            ids = {public_id for _row, public_id in queued}
            photos = {
                p.public_id: p
                for p in session.scalars(select(Photo).where(Photo.public_id.in_(ids)))
            }
            writer = index.writer(timeout=30)
            for public_id in ids:
                photo = photos.get(public_id)
                if photo is None:
                    writer.delete_by_term("id", public_id)
                else:
                    writer.update_document(**photo_document(photo, self.gazetteer, self.analyzer))
            writer.commit()
            session.execute(delete(SearchOutbox).where(SearchOutbox.id <= queued[-1][0]))
        return len(ids)

    def _rebuild_locked(self, db: Database, procs: int = 1) -> int:
        generation = self.root / f"gen-{time.time_ns()}"
        generation.mkdir()
        index = whoosh_index.create_in(str(generation), make_schema())
        (generation / SCHEMA_MARKER).write_text(SCHEMA_VERSION)
        started = time.monotonic()
        with db.session() as session:
            high_water = session.scalar(select(func.max(SearchOutbox.id))) or 0
            options = {"procs": procs, "multisegment": True, "batchsize": 1000} if procs > 1 else {}
            writer = index.writer(limitmb=256, **options)
            count = 0
            rows = session.execute(record_query().execution_options(yield_per=BATCH))
            for batch in rows.partitions(BATCH):
                self.analyzer.prime(text for p in batch for text in document_texts(p))
                for photo in batch:
                    writer.add_document(**photo_document(photo, self.gazetteer, self.analyzer))
                count += len(batch)
            fed = time.monotonic()
            writer.commit()
            log.info(
                "index rebuilt: %d records, fed in %.1f s, committed in %.1f s",
                count,
                fed - started,
                time.monotonic() - fed,
            )
            session.execute(delete(SearchOutbox).where(SearchOutbox.id <= high_water))
        self._swap(generation)
        return count

    def _swap(self, generation: Path) -> None:
        link = self.root / f".current-{time.time_ns()}"
        link.symlink_to(generation.name)
        os.replace(link, self._current)
        # Keep the previous generation: searchers in other processes may still read it.
        for old in sorted(self.root.glob("gen-*"))[:-2]:
            shutil.rmtree(old, ignore_errors=True)
