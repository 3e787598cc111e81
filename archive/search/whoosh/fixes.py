"""Workarounds for Whoosh (whoosh-reloaded 2.7.5) costs found by profiling."""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from whoosh.codec import whoosh3
from whoosh.columns import NumericColumn
from whoosh.filedb import structfile

_applied = False
_INT = struct.Struct(">i")  # Whoosh's write_int: big-endian, signed


class MemoryReader:
    """A read-only file over a memoryview of the memory-mapped segment, without a copy."""

    def __init__(self, buf: Any) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(self._pos + size, len(self._buf))
        data = bytes(self._buf[self._pos : end])
        self._pos = end
        return data

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._buf)
        for at in range(self._pos, end):  # pickles read whole lines rarely and briefly
            if self._buf[at] == 0x0A:
                end = at + 1
                break
        if size is not None and size >= 0:
            end = min(end, self._pos + size)
        return self.read(end - self._pos)

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._buf)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = b""


def apply_whoosh_fixes() -> None:
    """Apply both fixes once per process.

    1. Cache 'no length column' answers, which Whoosh re-checks with a stat per posting:
       without this, committing a segment stats the file system once for every posting of
       every field without stored lengths (keyword fields), which made a 100,000-record
       rebuild spend most of its time in os.stat.
    2. Read sub-files of the memory-mapped segment in place: Whoosh wraps each in a
       BytesIO, which copies it, so every web worker held its own copy of the terms,
       postings and columns (about 60 MB at 100,000 records) instead of sharing the
       kernel's page cache.
    """
    global _applied
    if _applied:
        return
    original = whoosh3.W3PerDocReader._cached_reader

    def cached_reader(self: Any, fieldname: str, column: Any) -> Any:
        missing = self.__dict__.setdefault("_archive_missing_columns", set())
        if fieldname in missing:
            return None
        reader = original(self, fieldname, column)
        if reader is None:
            missing.add(fieldname)
        return reader

    def buffer_file_init(self: Any, buf: Any, name: Any = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = MemoryReader(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    whoosh3.W3PerDocReader._cached_reader = cached_reader
    structfile.BufferFile.__init__ = buffer_file_init
    _applied = True


def leaf_postings(leaf: Any, field: str, term: str) -> tuple[Any, Any]:
    """Return a term's postings in one segment as (document numbers, weights), deleted
    documents included (callers leave them out with the segment's deletions mask).

    Whoosh's matcher hands out one posting per call (three Python calls each: 5 µs); a
    posting block already holds its numbers and weights as arrays, so they are taken a
    block at a time (a hundred times fewer calls). Postings kept inline in the term
    (short lists) are read as usual.
    """
    if (field, term) not in leaf:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    text = leaf._text_to_bytes(field, term)
    matcher = leaf._terms.matcher(field, text, leaf.schema[field].format)
    read = _blocks if isinstance(matcher, whoosh3.W3LeafMatcher) else _one_by_one
    numbers, values = read(matcher)
    return np.asarray(numbers, dtype=np.int64), np.asarray(values, dtype=np.float64)


def leaf_field_postings(leaf: Any, field: str) -> Iterator[tuple[str, Any, Any]]:
    """Yield (term, document numbers, weights) for every term of a field in one segment,
    deleted documents included, in the segment's term order."""
    if field not in leaf.indexed_field_names():
        return
    terms = [text for text, _info in leaf.iter_field(field)]  # read whole, then postings
    for text in terms:
        term = text.decode() if isinstance(text, bytes) else text
        yield (term, *leaf_postings(leaf, field, term))


def leaf_column(leaf: Any, name: str) -> Any:
    """Return a numeric column of one segment as int64, one value per document.

    A numeric column is a run of fixed-width big-endian numbers, one per document up to
    the last that has a value (the rest hold the default): read at once, instead of one
    struct unpack per document through Whoosh's reader (40 ms a column at 100,000).
    """
    count = leaf.doc_count_all()
    reader = leaf.column_reader(name, translate=False)
    if not isinstance(reader, NumericColumn.Reader):  # no column file in this segment
        return np.fromiter(iter(reader), dtype=np.int64, count=count)
    values = np.full(count, reader._default, dtype=np.int64)
    raw = reader._dbfile.get(reader._basepos, reader._count * reader._fixedlen)
    values[: reader._count] = np.frombuffer(raw, dtype=">" + reader._typecode)
    return values


def leaf_ids(leaf: Any, field: str = "id") -> Any:
    """Return the unique id field of every document of one segment, by document number
    ("" for none), deleted ones included (kept by segment while deletions come), read from
    its terms: an id's term lists its one document, kept in the term itself (reading each
    document's stored fields instead costs 10 µs apiece)."""
    found = [""] * leaf.doc_count_all()
    if field in leaf.indexed_field_names():
        for text, info in leaf.iter_field(field):
            term = text.decode() if isinstance(text, bytes) else text
            first, last = info.min_id(), info.max_id()
            docs = [first] if first == last else leaf_postings(leaf, field, term)[0].tolist()
            for doc in docs:
                found[doc] = term
    return np.array(found, dtype=np.str_)


def segment_state(leaf: Any) -> tuple[str, int]:
    """Return what identifies a segment's live documents: its id (its documents never
    change; a merge makes a new segment) and how many are deleted (they only grow)."""
    segment = leaf.segment()
    return segment.segment_id(), segment.deleted_count()


def leaf_deleted(leaf: Any) -> Any:
    """Return a segment's deleted documents as a mask over its documents, None if none."""
    deleted = leaf.deleted_docs_set
    if not deleted:
        return None
    mask = np.zeros(leaf.doc_count_all(), dtype=np.bool_)
    mask[np.fromiter(deleted, dtype=np.int64)] = True
    return mask


def _blocks(matcher: Any) -> tuple[Any, Any]:
    """Read a posting list's blocks straight from the segment's bytes, as Whoosh 3 writes
    them: a signed length (negative for the last block), a pickled info tuple (postings,
    last id, top weight, compression, length bytes), then the pickled (ids as deltas,
    weights, values), zlib-compressed if the info says so. Whoosh's own reader reads
    each pickle through many small file reads and sums the deltas in Python: a common
    word's 50,000 postings took 37 ms, so its first search was the slowest page of all."""
    postfile = matcher._postfile
    position = matcher._baseoffset
    ids: list[Any] = []
    weights: list[Any] = []
    last = False
    while not last:
        (signed,) = _INT.unpack(postfile.get(position, _INT.size))
        last, length = signed < 0, abs(signed)
        block = io.BytesIO(postfile.get(position + _INT.size, length))
        count, _last_id, _top, compression, _shortest, _longest = pickle.load(block)
        data = block.read()
        numbers, values = pickle.loads(zlib.decompress(data) if compression else data)[:2]
        numbers = np.asarray(numbers, dtype=np.int64)
        ids.append(numbers if matcher._byteids else np.cumsum(numbers))
        if values is None or isinstance(values, float):
            weights.append(np.full(count, 1.0 if values is None else values))
        else:
            weights.append(np.asarray(values, dtype=np.float64))
        position += _INT.size + length
    return np.concatenate(ids), np.concatenate(weights)


def _one_by_one(matcher: Any) -> tuple[Any, Any]:
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights
