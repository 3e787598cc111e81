"""The Whoosh backend: generations in one directory, one writer at a time, atomic swaps.

Everything that knows Whoosh lives in this package: the schema, the writer lock, the
generations and their swap, the searcher (and its private attributes), the fields that
skip Whoosh's token pipeline (fields.py) and the one patch of Whoosh (fixes.py), the
numpy arrays of a view (view.py) and the query engine over them (engine.py, scoring.py,
ordering.py, facets.py). The rest of the archive sees the protocol of
archive.search.backend: documents in, a view that runs understood queries, and
IndexUnavailable.
"""

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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from archive.errors import IndexUnavailable
from archive.places.gazetteer import Gazetteer
from archive.search.documents import TEXT_FIELDS, Document
from archive.search.whoosh.engine import WhooshIndexView
from archive.search.whoosh.fields import PlacesField, TermsField
from archive.search.whoosh.fixes import apply_whoosh_fixes
from archive.search.whoosh.postings import write_missing
from archive.search.whoosh.scoring import read_common_terms
from archive.search.whoosh.view import SearchView, SegmentArrays
from whoosh import index as whoosh_index
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, STORED, Schema
from whoosh.index import Index
from whoosh.searching import Searcher

log = logging.getLogger(__name__)
VERSION_MARKER = "archive-schema-version"
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
NUMBERS = {"year_start": "i", "year_end": "i", "precision": "b"}
# Fields of few values that filter searches (their postings are decoded with the text's).
FILTERS = ("places", "status", "source")


def make_schema() -> Schema:
    """Return the schema: one pre-analysed text field per weight, filters and numbers.

    Text is scored by archive.search.whoosh.scoring (BM25 over numpy) with the *_len columns,
    so Whoosh keeps no lengths or scoring statistics. Numbers are columns, never terms.
    """
    fields: dict[str, Any] = {"id": ID(stored=True, unique=True), "places": PlacesField()}
    for name in TEXT_FIELDS:
        fields[name] = TermsField()
        fields[f"{name}_len"] = COLUMN(NumericColumn("H"))
    fields.update(status=ID, source=ID, stored=STORED)
    fields.update({name: COLUMN(NumericColumn(kind)) for name, kind in NUMBERS.items()})
    return Schema(**fields)


def schema_description() -> str:
    """Return the schema as text, for the index's layout version."""
    return repr(sorted((name, type(field).__name__) for name, field in make_schema().items()))


def fields_of(document: Document) -> dict[str, Any]:
    """Return the Whoosh fields of a document."""
    values: dict[str, Any] = {
        "id": document.id,
        "places": ",".join(document.places),
        "status": document.status,
        "source": document.source,
        "stored": document.stored,
        **document.numbers,
    }
    for name in TEXT_FIELDS:
        terms = document.texts.get(name, [])
        values[name] = " ".join(terms)
        values[f"{name}_len"] = min(len(terms), 65_535)
    return values


# The commonest words' postings read before the web server forks (half of what a view
# keeps): their first search reads tens of thousands of postings (11 ms at 100,000).
WARM_POSTINGS_BYTES = 12 * 1024 * 1024


class WhooshBackend:
    """Own the index directory; hand out views of the current generation."""

    name = "whoosh"
    transactional = False  # written from the index jobs by the single writer

    def __init__(self, root: Path, version: str, gazetteer: Gazetteer) -> None:
        apply_whoosh_fixes()
        self.root = Path(root)
        self.version = version
        self.gazetteer = gazetteer
        self.root.mkdir(parents=True, exist_ok=True)
        self._current = self.root / "current"
        self._searcher: Searcher | None = None
        self._view: SearchView | None = None
        self._generation = 0
        self._lock = threading.Lock()
        self.segments = SegmentArrays()  # arrays by segment, kept across views
        # The last view before its searcher was closed: a view of the same segments takes
        # over what it worked out (a web worker, what the server read before forking).
        self._retired: SearchView | None = None

    @contextmanager
    def writer_lock(self, wait: float) -> Iterator[bool]:
        """Hold the single-writer lock; yield False if not had within wait seconds."""
        self.root.mkdir(parents=True, exist_ok=True)  # it may have been deleted by hand
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
        """Open the current generation, or None when missing, unreadable or outdated."""
        if not self._current.exists():
            return None
        marker = self._current / VERSION_MARKER
        if not marker.exists() or marker.read_text().strip() != self.version:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # Whoosh leaves a bad TOC open
            try:
                return whoosh_index.open_dir(str(self._current.resolve()))
            except INDEX_DAMAGE as exc:
                reason = str(exc)
            gc.collect()
        log.warning("search index unusable (%s)", reason)
        return None

    def usable(self) -> bool:
        """Return whether the current generation can be searched."""
        return self.open() is not None

    def view(self) -> WhooshIndexView:
        """Return a view of the newest committed index, for the front half of search.

        :raises IndexUnavailable: when there is no usable generation.
        """
        return WhooshIndexView(self.arrays(), self.gazetteer)

    def warm(self) -> None:
        """Read the columns, the ids and the commonest words' postings now."""
        view = self.arrays()
        for name in (*NUMBERS, *(f"{field}_len" for field in TEXT_FIELDS)):
            view.column(name)
        view.ids_of([])
        read_common_terms(view, WARM_POSTINGS_BYTES)

    def arrays(self) -> SearchView:
        """Return the cached view of the newest searcher (never writes).

        :raises IndexUnavailable: when there is no usable generation.
        """
        with self._lock:
            current = self._searcher
            if current is None or not self._same_generation(current) or not current.up_to_date():
                # A new searcher, not refresh(): refresh reuses segment readers and misses
                # deletions made in an unchanged segment (an edited record would show twice).
                index = self.open()
                if index is None:
                    raise IndexUnavailable("the search index is being built")
                self._searcher = current = index.searcher()
            view = self._view
            if view is None or view.searcher is not current:
                self._generation += 1
                view = self._view = SearchView(current, self._generation, self.segments)
                self.segments.keep_only(view.segment_keys)
                retired, self._retired = self._retired, None
                if retired is not None and retired.state == view.state:
                    view.adopt(retired)
            return view

    def before_fork(self) -> None:
        """Close the searcher (its files) but keep what its view worked out: a process
        about to fork leaves each child to open its own searcher, whose first view takes
        it over while the index is unchanged."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._retired = self._view
            self._searcher = self._view = None

    def view_of_new_searcher(self) -> SearchView:
        """Return a view of its own over the current generation (nothing cached yet).

        :raises IndexUnavailable: when there is no usable generation.
        """
        index = self.open()
        if index is None:
            raise IndexUnavailable("the search index is being built")
        return SearchView(index.searcher())

    def _same_generation(self, searcher: Searcher) -> bool:
        storage = getattr(searcher._ix, "storage", None)
        folder = getattr(storage, "folder", None)
        return folder is not None and Path(folder) == self._current.resolve()

    def apply(self, changed: list[Document], deleted: Iterable[str]) -> None:
        """Write changed documents and remove deleted ids (the caller holds the lock).

        :raises IndexUnavailable: when there is no usable generation to write to, or
            Whoosh's own lock stayed taken (a writer outside this one's lock).
        """
        index = self.open()
        if index is None:
            raise IndexUnavailable("the search index must be rebuilt first")
        try:
            writer = index.writer(timeout=30)
        except whoosh_index.LockError as exc:
            raise IndexUnavailable(f"the search index is locked by another writer: {exc}") from exc
        for public_id in deleted:
            writer.delete_by_term("id", public_id)
        for document in changed:
            writer.update_document(**fields_of(document))
        writer.commit()
        self._decode(index, self._current.resolve())

    def maintain(self) -> None:
        """Nothing to do now and then: Whoosh merges its segments as it writes."""

    def apply_in(self, session: Any, changed: list[Document], deleted: Iterable[str]) -> bool:
        """Refuse: the files are written by the single writer from the index jobs."""
        raise TypeError("the Whoosh backend is written from index jobs, not in a transaction")

    def build(self, batches: Iterable[list[Document]], procs: int = 1) -> int:
        """Write a new generation aside from all documents, then swap it in (lock held)."""
        generation = self.root / f"gen-{time.time_ns()}"
        generation.mkdir()
        index = whoosh_index.create_in(str(generation), make_schema())
        (generation / VERSION_MARKER).write_text(self.version)
        options = {"procs": procs, "multisegment": True, "batchsize": 1000} if procs > 1 else {}
        with _no_collection_in_children(procs > 1):
            writer = index.writer(limitmb=256, **options)
            count = 0
            for batch in batches:
                for document in batch:
                    writer.add_document(**fields_of(document))
                count += len(batch)
            writer.commit()
        self._decode(index, generation)
        self._swap(generation)
        return count

    def _decode(self, index: Index, generation: Path) -> None:
        """Decode the postings of the segments just written, for every reader of them."""
        with index.reader() as reader:
            write_missing(generation, reader, (*TEXT_FIELDS, *FILTERS))

    def _swap(self, generation: Path) -> None:
        link = self.root / f".current-{time.time_ns()}"
        link.symlink_to(generation.name)
        os.replace(link, self._current)
        # Keep the previous generation: searchers in other processes may still read it.
        for old in sorted(self.root.glob("gen-*"))[:-2]:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _no_collection_in_children(forking: bool) -> Iterator[None]:
    """Keep the sub-writer processes Whoosh forks from collecting what they inherit.

    This process may hold the Korean model (kiwipiepy), whose native thread pool does not
    exist in a forked child: a child whose collector frees a copy of it crashes or hangs.
    What exists before the fork is frozen for the collector, and thawed once the children
    are done.
    """
    if not forking:
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
