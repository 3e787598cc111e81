"""Per-searcher caches: posting lists, filter document sets and columns as numpy arrays.

Callers (the query planner, BM25 scoring) see documents as numbers and never Whoosh
objects: terms by field, masks of fields' values, numeric columns, stored fields.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from archive.search.whoosh.fixes import (
    leaf_column,
    leaf_deleted,
    leaf_ids,
    leaf_postings,
    segment_state,
)
from archive.search.whoosh.postings import SegmentPostings, load
from whoosh.searching import Searcher

DocSet = np.ndarray[Any, np.dtype[np.int64]]
Floats = np.ndarray[Any, np.dtype[np.float64]]
Mask = np.ndarray[Any, np.dtype[np.bool_]]
Arr = TypeVar("Arr", DocSet, Mask)
# What a view keeps of what it has read or worked out, in bytes per web process: a posting
# list or an ordering of 100,000 records is 800 KB, so counting entries let a worker grow
# to 600 MB in ten seconds of varied searches (and slow everything after). Derived sets
# and answers are kept within 8 MB each: with 16 and 16 a worker held 153-157 MB after
# `make bench-web`'s mixed load at 100,000 photos, with 16 and 8 150-154, with 8 and 8
# 142-144 (the budget is 150), and pages as quick (nginx keeps pages asked for again, so
# fewer are worked out twice in one process).
POSTINGS_BYTES = 24 * 1024 * 1024
DERIVED_BYTES = 8 * 1024 * 1024
ANSWER_BYTES = 8 * 1024 * 1024
_MISSING = object()


def _size(answer: Any) -> int:
    """Return about how many bytes an answer holds (its arrays, else a small guess)."""
    if isinstance(answer, np.ndarray):
        return int(answer.nbytes)
    if isinstance(answer, tuple):
        return sum(_size(part) for part in answer)
    return 1024


class ByteLRU:
    """Entries by key; the least recently used go once their bytes pass the budget (the
    caller holds the view's lock)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[Any, tuple[Any, int]] = OrderedDict()

    def get(self, key: Any) -> Any:
        """Return the value kept for key (marked as just used), or _MISSING."""
        entry = self._entries.get(key)
        if entry is None:
            return _MISSING
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: Any, value: Any) -> None:
        """Keep a value, dropping the least recently used beyond the budget."""
        if key in self._entries:
            return
        size = _size(value)
        self._entries[key] = (value, size)
        self.bytes += size
        while self.bytes > self.max_bytes and len(self._entries) > 1:
            _key, (_value, dropped) = self._entries.popitem(last=False)
            self.bytes -= dropped


class SegmentArrays:
    """Columns, ids and filter document sets read from each segment (deleted documents
    included), kept by segment across views: a change to the index writes a small new
    segment and marks deletions in others, so the next view reads only the new segment
    instead of every document again. Shared by the threads of a process, and by its
    workers when read before they fork."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrays: dict[tuple[Any, ...], DocSet] = {}
        self._decoded: dict[Any, SegmentPostings] = {}

    def get(self, key: tuple[Any, ...], read: Callable[[], DocSet]) -> DocSet:
        """Return the array kept under key (a segment key first), else read and keep it."""
        with self._lock:
            found = self._arrays.get(key)
        if found is None:
            found = read()
            with self._lock:
                self._arrays[key] = found
        return found

    def decoded(self, key: Any, folder: Path | None) -> SegmentPostings | None:
        """Return the decoded postings of the segment of key (its folder and id), once
        the writer has written them (archive.search.whoosh.postings)."""
        with self._lock:
            found = self._decoded.get(key)
        if found is None and folder is not None:
            found = load(folder, key[1])
            if found is not None:
                with self._lock:
                    self._decoded[key] = found
        return found

    def kept(self) -> list[tuple[Any, ...]]:
        """Return the keys of the arrays kept (a segment key first)."""
        with self._lock:
            return list(self._arrays)

    def keep_only(self, segments: Iterable[Any]) -> None:
        """Forget the arrays of segments no longer in the index (merged or rebuilt away)."""
        live = set(segments)
        with self._lock:
            self._arrays = {k: v for k, v in self._arrays.items() if k[0] in live}
            self._decoded = {k: v for k, v in self._decoded.items() if k in live}


class SearchView:
    """Wrap one Whoosh searcher; everything cached here is valid until the index changes.

    A web process's threads share one view. Whoosh's readers seek and read shared file
    objects, so every read of the searcher, and every change to the caches, holds the
    view's lock; long computations (a search whose answer is remembered) do not.
    """

    def __init__(
        self, searcher: Searcher, generation: int = 0, segments: SegmentArrays | None = None
    ) -> None:
        self.searcher = searcher
        # Increases whenever the index changes; caches of derived pages key on it.
        self.generation = generation
        self.maxdoc = searcher.doc_count_all()
        self.doc_count = searcher.doc_count()
        self._lock = threading.RLock()
        self._docsets: dict[Any, DocSet] = {}
        self._masks: dict[Any, Mask] = {}
        self._columns: dict[str, np.ndarray[Any, np.dtype[np.int64]]] = {}
        self._ids: np.ndarray[Any, np.dtype[np.str_]] | None = None
        self._postings = ByteLRU(POSTINGS_BYTES)
        self._derived = ByteLRU(DERIVED_BYTES)
        self._answers = ByteLRU(ANSWER_BYTES)
        self._memos: dict[Any, Any] = {}
        self._segments = segments if segments is not None else SegmentArrays()
        reader = searcher.reader()
        leaves = list(reader.leaf_readers()) if self.maxdoc else []
        # (segment key: the index folder and segment id, segment reader, first document)
        folder = getattr(getattr(searcher._ix, "storage", None), "folder", None)
        self._folder = None if folder is None else Path(folder)
        states = [(folder, *segment_state(leaf)) for leaf, _base in leaves]
        self._leaves = [
            (state[:2], leaf, base) for state, (leaf, base) in zip(states, leaves, strict=True)
        ]
        # What the live documents are: views of the same state see the same documents.
        self.state = tuple(states)
        self._deleted: list[Mask | None] | None = None

    def adopt(self, other: SearchView) -> None:
        """Take over what a view of the same state (segments and deletions) worked out:
        it holds for this one too."""
        with other._lock:
            caches = (other._docsets, other._masks, other._columns, other._ids)
            answers = (other._postings, other._derived, other._answers, other._memos)
        with self._lock:
            self._docsets, self._masks, self._columns, self._ids = caches
            self._postings, self._derived, self._answers, self._memos = answers

    @property
    def segment_keys(self) -> list[Any]:
        """Return the keys of this view's segments (what its SegmentArrays may keep)."""
        return [key for key, _leaf, _base in self._leaves]

    def _per_segment(
        self, what: tuple[Any, ...], read: Callable[[Any, Any], DocSet]
    ) -> list[DocSet]:
        """Return an array per segment, read from its key and reader (the caller holds
        the lock: readers are shared)."""
        found = []
        for key, leaf, _base in self._leaves:
            found.append(self._segments.get((key, *what), partial(read, key, leaf)))
        return found

    def _segment_postings(self, key: Any, leaf: Any, field: str, term: str) -> tuple[Any, Any]:
        """Return a term's postings in one segment, deleted documents included: from its
        decoded files, or through Whoosh where they are not written yet."""
        decoded = self._segments.decoded(key, self._folder)
        if decoded is None or field not in decoded.fields:  # the ids are read through Whoosh
            return leaf_postings(leaf, field, term)
        return decoded.get(field, term) or (np.zeros(0, np.int32), np.zeros(0, np.float32))

    def docs_with(self, field: str, value: str) -> DocSet:
        """Return the sorted numbers of live documents whose field holds value (cached)."""
        key = ("docs", field, value)
        with self._lock:
            found = self._docsets.get(key)
            if found is None:
                parts = self._per_segment(
                    key,
                    lambda segment, leaf: self._segment_postings(segment, leaf, field, value)[
                        0
                    ].astype(np.int64),
                )
                live = []
                for docs, deleted, (_key, _leaf, base) in zip(
                    parts, self._deleted_masks(), self._leaves, strict=True
                ):
                    live.append((docs if deleted is None else docs[~deleted[docs]]) + base)
                found = np.concatenate([np.zeros(0, dtype=np.int64), *live])
                self._docsets[key] = found
            return found

    def mask_of(self, field: str, values: Iterable[str]) -> Mask:
        """Return a boolean array over all documents: the field holds any of values."""
        values = tuple(values)
        key = (field, values)
        with self._lock:
            if key not in self._masks:
                mask = np.zeros(self.maxdoc, dtype=np.bool_)
                for value in values:
                    mask[self.docs_with(field, value)] = True
                self._masks[key] = mask
            return self._masks[key]

    def column(self, name: str) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Return a numeric column as an array indexed by document number."""
        with self._lock:
            if name not in self._columns:
                parts = self._per_segment(
                    ("column", name), lambda _key, leaf: leaf_column(leaf, name)
                )
                self._columns[name] = np.concatenate([np.zeros(0, dtype=np.int64), *parts])
            return self._columns[name]

    def ids_of(self, docnums: Iterable[int]) -> list[str]:
        """Return the public ids of documents (read once per segment from the id terms)."""
        with self._lock:
            if self._ids is None:
                parts = self._per_segment(("ids",), lambda _key, leaf: leaf_ids(leaf))
                self._ids = np.concatenate([np.zeros(0, dtype=np.str_), *parts])
            ids = self._ids
        return [str(ids[doc]) for doc in docnums]

    def postings(self, field: str, term: str) -> tuple[DocSet, Floats]:
        """Return (document numbers, term frequencies) of a term, live documents only."""
        key = (field, term)
        with self._lock:
            cached = self._postings.get(key)
            if cached is not _MISSING:
                return cached
            found = self._read_postings(field, term)
            self._postings.put(key, found)
            return found

    def _read_postings(self, field: str, term: str) -> tuple[DocSet, Floats]:
        """Read a term's live postings from each segment's decoded files, or through
        Whoosh where they are not written yet (the caller holds the lock)."""
        ids: list[DocSet] = [np.zeros(0, dtype=np.int64)]
        weights: list[Floats] = [np.zeros(0, dtype=np.float64)]
        for (key, leaf, base), deleted in zip(self._leaves, self._deleted_masks(), strict=True):
            numbers, values = self._segment_postings(key, leaf, field, term)
            if deleted is not None:
                keep = ~deleted[numbers]
                numbers, values = numbers[keep], values[keep]
            ids.append(numbers.astype(np.int64) + base)
            weights.append(values.astype(np.float64))
        return np.concatenate(ids), np.concatenate(weights)

    def _deleted_masks(self) -> list[Mask | None]:
        """Return each segment's deleted documents as a mask, None where there are none
        (the caller holds the lock)."""
        if self._deleted is None:
            self._deleted = [leaf_deleted(leaf) for _key, leaf, _base in self._leaves]
        return self._deleted

    def cached(self, key: Any, compute: Callable[[], Arr]) -> Arr:
        """Return a document set or mask computed once per view (within DERIVED_BYTES)."""
        with self._lock:
            found = self._derived.get(key)
        if found is _MISSING:
            found = compute()
            with self._lock:
                self._derived.put(key, found)
        return found

    def remember(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Return any answer derived from this view (an ordering, facet counts, related
        ids), computed once per view; the least recently used go past ANSWER_BYTES."""
        with self._lock:
            found = self._answers.get(key)
        if found is _MISSING:
            found = compute()
            with self._lock:
                self._answers.put(key, found)
        return found

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Return an object derived from the whole view, computed once and kept outside
        every budget, as columns are (a speller, what places each record lies in)."""
        with self._lock:
            if key in self._memos:
                return self._memos[key]
        found = compute()
        with self._lock:
            return self._memos.setdefault(key, found)

    def vocabulary(self, fields: Iterable[str]) -> Iterator[tuple[str, int]]:
        """Yield (term, number of documents holding it) for every term of the fields."""
        fields = tuple(fields)
        with self._lock:  # read whole: the terms are not read while another thread reads
            decoded = [self._segments.decoded(key, self._folder) for key, _, _ in self._leaves]
            if all(part is not None for part in decoded):  # 50 times quicker than Whoosh
                found = _counted(decoded, fields)
            else:
                found = self._whooshs_vocabulary(fields)
        yield from found

    def _whooshs_vocabulary(self, fields: tuple[str, ...]) -> list[tuple[str, int]]:
        """Return (term, number of documents) through Whoosh (the caller holds the lock)."""
        reader = self.searcher.reader()
        found: list[tuple[str, int]] = []
        for field in fields:
            if field not in reader.indexed_field_names():
                continue
            for text, info in reader.iter_field(field):
                term = text.decode() if isinstance(text, bytes) else text
                found.append((term, info.doc_frequency()))
        return found

    def stored(self, docnum: int) -> dict[str, Any]:
        """Return the stored fields of a document."""
        with self._lock:
            return dict(self.searcher.stored_fields(docnum))


def _counted(decoded: list[Any], fields: tuple[str, ...]) -> list[tuple[str, int]]:
    """Return (term, number of documents) for every term of fields from the segments'
    decoded postings, field by field and in term order, as Whoosh lists them."""
    counts: dict[tuple[str, str], int] = {}
    for part in decoded:
        for field, term, size in part.counts(fields):
            counts[field, term] = counts.get((field, term), 0) + size
    order = {field: n for n, field in enumerate(fields)}
    ordered = sorted(counts.items(), key=lambda item: (order[item[0][0]], item[0][1]))
    return [(term, size) for (_field, term), size in ordered]
