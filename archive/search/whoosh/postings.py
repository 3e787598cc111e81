"""A segment's text postings decoded once and kept beside it as numpy files.

Whoosh keeps postings as pickled blocks of Python numbers: decoding a common word's
postings costs about 30 ms per million, and at 1,000,000 records a search reads millions
(a view kept what it had decoded within a budget sized for 100,000, so at that size it
decoded again on nearly every search: three quarters of the time). A segment's documents
never change (deletions are kept apart, a merge writes a new segment), so the single
writer decodes each new segment's postings once, after its commit, into
``<generation>/postings/<segment id>/``: every term's document numbers (int32, within the
segment, deleted ones included) and frequencies (float32, exact for counts) end to end,
where each term's run starts, and the terms in order. Readers map the files: the pages
are shared by every process on the host and read only where a search needs them.

A segment without its files yet (the writer is still decoding it) is read through
Whoosh as before; nothing waits for them.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from archive.search.whoosh.fixes import leaf_field_postings, segment_state

log = logging.getLogger(__name__)
FOLDER = "postings"


class SegmentPostings:
    """The decoded postings of one segment, memory-mapped."""

    def __init__(self, folder: Path) -> None:
        self._terms = [tuple(pair) for pair in json.loads((folder / "terms.json").read_bytes())]
        self._number = {pair: n for n, pair in enumerate(self._terms)}
        # The fields decoded (a field without terms in the segment is read as none).
        self.fields = frozenset(json.loads((folder / "fields.json").read_bytes()))
        self._ids = np.load(folder / "ids.npy", mmap_mode="r")
        self._weights = np.load(folder / "weights.npy", mmap_mode="r")
        self._starts = np.load(folder / "starts.npy")

    def get(self, field: str, term: str) -> tuple[Any, Any] | None:
        """Return a term's (document numbers, frequencies) in the segment, deleted
        documents included, as read-only arrays over the files; None if it has none."""
        number = self._number.get((field, term))
        if number is None:
            return None
        start, end = int(self._starts[number]), int(self._starts[number + 1])
        return self._ids[start:end], self._weights[start:end]

    def counts(self, fields: tuple[str, ...]) -> Iterator[tuple[str, str, int]]:
        """Yield (field, term, number of documents) for the terms of fields, deleted
        documents counted as Whoosh counts them."""
        sizes = np.diff(self._starts).tolist()
        for (field, term), size in zip(self._terms, sizes, strict=True):
            if field in fields:
                yield field, term, size


def load(generation: Path, segment_id: str) -> SegmentPostings | None:
    """Return a segment's decoded postings, or None while they are not written."""
    folder = generation / FOLDER / segment_id
    if not (folder / "terms.json").exists():
        return None
    try:
        return SegmentPostings(folder)
    except (OSError, ValueError) as exc:  # removed meanwhile, or damaged: read through Whoosh
        log.warning("decoded postings of segment %s unusable (%s)", segment_id, exc)
        return None


def write_missing(generation: Path, reader: Any, fields: Iterable[str]) -> int:
    """Decode the postings of every segment of reader that has none yet, and remove
    those of segments merged away; return how many segments were written (the caller
    is the single writer)."""
    fields = tuple(fields)
    root = generation / FOLDER
    root.mkdir(exist_ok=True)
    live: set[str] = set()
    written = 0
    leaves = list(reader.leaf_readers()) if reader.doc_count_all() else []  # empty: none
    for leaf, _base in leaves:
        segment_id = segment_state(leaf)[0]
        live.add(segment_id)
        if not (root / segment_id).exists():
            _write(leaf, root, segment_id, fields)
            written += 1
    for old in root.iterdir():
        if old.name not in live:  # readers that mapped its files keep them until they close
            shutil.rmtree(old, ignore_errors=True)
    return written


def _write(leaf: Any, root: Path, segment_id: str, fields: tuple[str, ...]) -> None:
    """Write one segment's files into a folder of their own, then move it into place:
    a reader sees all of them or none."""
    started = time.perf_counter()
    keys: list[tuple[str, str]] = []
    ids: list[Any] = []
    weights: list[Any] = []
    for field in fields:
        for term, term_ids, term_weights in leaf_field_postings(leaf, field):
            keys.append((field, term))
            ids.append(term_ids.astype(np.int32))
            weights.append(term_weights.astype(np.float32))
    starts = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum([part.size for part in ids], out=starts[1:])
    partial = root / f".{segment_id}-{os.getpid()}-{time.time_ns()}"
    partial.mkdir()
    np.save(partial / "ids.npy", np.concatenate([np.zeros(0, dtype=np.int32), *ids]))
    np.save(partial / "weights.npy", np.concatenate([np.zeros(0, dtype=np.float32), *weights]))
    np.save(partial / "starts.npy", starts)
    (partial / "fields.json").write_text(json.dumps(fields), encoding="utf-8")
    (partial / "terms.json").write_text(json.dumps(keys, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, root / segment_id)
    log.info(
        "decoded %d postings of %d terms of segment %s in %.1f s",
        starts[-1], len(keys), segment_id, time.perf_counter() - started,
    )  # fmt: skip
