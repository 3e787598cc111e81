"""Keep the search index in step with the database: "index" jobs in, documents out.

Only workers and the CLI write (sync, rebuild); a web request only ever reads a view
and, when the index is missing or of an older layout, gets IndexUnavailable at once
instead of waiting for a rebuild.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select

from archive.db import Database
from archive.errors import IndexUnavailable
from archive.jobs.kinds import JobKind
from archive.jobs.queue import enqueue
from archive.models import Job, Photo
from archive.places.gazetteer import Gazetteer
from archive.search.analysis import KoreanAnalyzer
from archive.search.backend import IndexView, SearchBackend
from archive.search.documents import (
    Document,
    document_texts,
    layout_version,
    photo_document,
    record_query,
)
from archive.statuses import RecordStatus

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
# Applied by the index itself, in batches (no handler): see sync().
INDEX = JobKind("index", "검색 색인 갱신")
BATCH = 2000
# Index jobs applied per hold of the writer lock: the lock is released between batches,
# so no writer waits long behind a large backlog.
DRAIN_BATCH = 200


QUEUED = "search_queued"  # session.info: public ids whose documents this transaction changes


def queue_document(session: Session, public_id: str) -> None:
    """Ask for a record's search document to be rewritten: by this transaction itself
    when the backend lives in the database (see write_queued), else by the index writer,
    from the job queued here."""
    enqueue(session, INDEX, subject=public_id)
    session.info.setdefault(QUEUED, set()).add(public_id)


class SearchIndex:
    """Apply index jobs, rebuild from the database, and hand out views."""

    def __init__(
        self,
        root: Path,
        gazetteer: Gazetteer,
        analyzer: KoreanAnalyzer,
        engines: tuple[Engine, Engine] | None = None,
    ) -> None:
        """:param engines: the database's writing and reading engines, for the PostgreSQL
        backend (None: the Whoosh backend's files under root)."""
        self.gazetteer = gazetteer
        self.analyzer = analyzer
        self.backend: SearchBackend = _backend(root, gazetteer, analyzer, engines)
        self.version = self.backend.version

    @property
    def whoosh(self) -> Any:
        """Return the Whoosh backend by its own type (the tests of its arrays read it)."""
        return self.backend

    def write_queued(self, session: Session) -> None:
        """Write the documents of the records this transaction changed, in it (a
        backend in the database: search never lags behind a change). Left to the
        index jobs when the backend writes files, or is not built yet."""
        queued = session.info.pop(QUEUED, None)
        if not queued or not self.backend.transactional:
            return
        photos = list(
            session.scalars(
                select(Photo).where(
                    Photo.public_id.in_(queued), Photo.status != RecordStatus.ERASED
                )
            )
        )
        changed = [self.document(photo) for photo in photos]
        gone = set(queued) - {photo.public_id for photo in photos}
        if self.backend.apply_in(session, changed, gone):  # else left to the rebuild
            session.execute(delete(Job).where(Job.kind == INDEX.name, Job.subject.in_(queued)))

    def view(self) -> IndexView:
        """Return a view of the newest committed index.

        :raises IndexUnavailable: when it is missing or outdated (a worker rebuilds it).
        """
        return self.backend.view()

    def warm(self) -> None:
        """Work out what the public pages' searches need first (columns, ids, the status
        and place sets, the facets of everything, the commonest words' postings, the
        speller of misspelt words: 0.3 s at 100,000 records) before the web server forks:
        its workers share it instead of each working it out in its own memory. Measured
        with `make bench-web` at 100,000 photos (the deployed stack): without it each
        gunicorn worker held 182-221 MB of private memory after the mixed load, against
        the 150 MB budget. The searcher itself is closed again: each worker opens its own,
        whose view takes this over. A backend in the database keeps nothing a search
        reads in the process but the speller, which it warms alone."""
        from archive.search.help import speller
        from archive.search.query import SearchError, SearchRequest, run_search

        try:
            view = self.view()
        except IndexUnavailable:
            return  # a worker is building it; the web answers without it meanwhile
        self.backend.warm()
        if not self.backend.transactional:  # a view of files keeps what it read
            run_search(view, SearchRequest(hits=False), self.gazetteer, self.analyzer)
            for place in self.gazetteer.places:  # the sets of records in each place
                only_place = SearchRequest(place=place, hits=False, facets=False, assist=False)
                with suppress(SearchError):  # a name the gazetteer holds is always understood
                    run_search(view, only_place, self.gazetteer, self.analyzer)
        speller(view, self.gazetteer, self.analyzer)
        self.backend.before_fork()

    def usable(self) -> bool:
        """Return whether the index can be searched now."""
        return self.backend.usable()

    @contextmanager
    def writer_lock(self, wait: float) -> Iterator[bool]:
        """Hold the index's single-writer lock (yield False if not had within wait)."""
        with self.backend.writer_lock(wait) as held:
            yield held

    def sync(self, db: Database, wait: float = 2.0, max_batches: int | None = None) -> int:
        """Apply index jobs a batch at a time, rebuilding first if needed; return how many.

        :param max_batches: stop after this many batches (None: until none is left).
        """
        applied = batches = 0
        while max_batches is None or batches < max_batches:
            if self.backend.usable() and not self._pending(db):
                self.backend.maintain()
                break  # the common idle case: no lock taken
            with self.backend.writer_lock(wait) as locked:
                if not locked:
                    break
                if not self.backend.usable():
                    return applied + self._rebuild_locked(db)
                done = self._drain(db, DRAIN_BATCH)
            applied += done
            batches += 1
            if done == 0:
                break
        return applied

    def rebuild(self, db: Database, procs: int | None = None) -> int:
        """Build a new generation from the database aside, then swap it in.

        :param procs: Whoosh sub-writers; by default one more than the CPU cores, which
            measured twice as fast as one per core (the sub-writers wait on their queue).
        """
        procs = procs if procs is not None else (os.cpu_count() or 1) + 1
        with self.backend.writer_lock(wait=600) as locked:
            if not locked:
                raise TimeoutError("search index is busy: another writer held it for 10 minutes")
            return self._rebuild_locked(db, procs)

    def _pending(self, db: Database) -> bool:
        with db.session() as session:
            found = session.scalar(select(Job.id).where(Job.kind == INDEX.name).limit(1))
            return found is not None

    def _drain(self, db: Database, limit: int) -> int:
        with db.session() as session:
            queued = session.execute(
                select(Job.id, Job.subject)
                .where(Job.kind == INDEX.name)
                .order_by(Job.id)
                .limit(limit)
            ).all()
            if not queued:
                return 0
            ids = {subject for _job, subject in queued if subject}
            photos = {
                p.public_id: p
                for p in session.scalars(
                    select(Photo).where(
                        Photo.public_id.in_(ids), Photo.status != RecordStatus.ERASED
                    )
                )
            }
            records = [photos[i] for i in ids if i in photos]
            self.analyzer.prime(text for r in records for text in document_texts(r).values())
            changed = [self.document(record) for record in records]
            self.backend.apply(changed, [i for i in ids if i not in photos])
            session.execute(delete(Job).where(Job.id.in_([job for job, _s in queued])))
        log.debug("index: %d records changed, %d removed", len(changed), len(ids) - len(changed))
        return len(ids)

    def document(self, photo: Photo) -> Document:
        """Return a record's search document."""
        return photo_document(photo, self.gazetteer, self.analyzer)

    def _rebuild_locked(self, db: Database, procs: int = 1) -> int:
        started = time.monotonic()
        with db.session() as session:
            high_water = session.scalar(select(func.max(Job.id)).where(Job.kind == INDEX.name))
            rows = session.execute(record_query().execution_options(yield_per=BATCH))
            count = self.backend.build(self._documents(rows.partitions(BATCH)), procs)
            if high_water is not None:
                session.execute(delete(Job).where(Job.kind == INDEX.name, Job.id <= high_water))
        log.info("index rebuilt: %d records in %.1f s", count, time.monotonic() - started)
        return count

    def _documents(self, partitions: Iterator[Sequence[Any]]) -> Iterator[list[Document]]:
        for batch in partitions:
            self.analyzer.prime(
                text for record in batch for text in document_texts(record).values()
            )
            yield [photo_document(record, self.gazetteer, self.analyzer) for record in batch]


def _backend(
    root: Path,
    gazetteer: Gazetteer,
    analyzer: KoreanAnalyzer,
    engines: tuple[Engine, Engine] | None,
) -> SearchBackend:
    """Return the Whoosh backend, or the PostgreSQL one when given the database's engines."""
    if engines is not None:
        from archive.search import postgres

        version = layout_version(postgres.schema_description(), analyzer.version)
        return postgres.PostgresBackend(*engines, version, gazetteer)
    from archive.search import whoosh

    version = layout_version(whoosh.schema_description(), analyzer.version)
    return whoosh.WhooshBackend(root, version, gazetteer)
