"""BM25 over numpy arrays: only the matched documents are scored, fields weighted."""

from __future__ import annotations

import math
from collections import Counter
from functools import reduce

import numpy as np

from archive.search.documents import TEXT_FIELDS
from archive.search.variants import Clause
from archive.search.whoosh.view import DocSet, Floats, SearchView

# Each index text field holds the registry's fields of one weight (archive.search.documents).
FIELD_BOOSTS = TEXT_FIELDS
K1, B = 1.2, 0.75
# Below this many document numbers in all, a union sorts them; above, it marks a mask.
SMALL_UNION = 4096
# When this many times the documents scored pass all documents, scores are added up over
# every posting (see bm25).
DENSE_SHARE = 20


def term_docs(view: SearchView, term: str) -> DocSet:
    """Return the documents containing a term in any text field (cached per view)."""
    return view.cached(
        ("term", term),
        lambda: union_all(view, [view.postings(field, term)[0] for field in FIELD_BOOSTS]),
    )


def read_common_terms(view: SearchView, budget: int) -> list[str]:
    """Read the documents of the words most documents hold (the costliest to read on a
    first search), commonest first, while their postings fit in budget bytes (an id and
    a frequency: 16 bytes a posting); return the words."""
    postings: Counter[str] = Counter()
    for field in FIELD_BOOSTS:
        for term, count in view.vocabulary([field]):
            postings[term] += count
    read: list[str] = []
    for term, count in postings.most_common():
        budget -= 16 * count
        if budget < 0:
            break
        term_docs(view, term)
        read.append(term)
    return read


def union_all(view: SearchView, sets: list[DocSet]) -> DocSet:
    """Return the sorted union of document sets: small ones merged by sorting, large ones
    through a mask over all documents (one pass, where pairwise np.union1d sorted each
    step: a tenth of a results page at 100,000 records)."""
    total = sum(s.size for s in sets)
    if total < SMALL_UNION:
        return sorted_unique(np.concatenate(sets)) if sets else np.zeros(0, dtype=np.int64)
    mask = np.zeros(view.maxdoc, dtype=np.bool_)
    for found in sets:
        mask[found] = True
    return np.flatnonzero(mask).astype(np.int64, copy=False)


def sorted_unique(docs: DocSet) -> DocSet:
    """Return the distinct numbers of docs in order: sorting and dropping repeats (numpy
    2's np.unique hashes first, ten times slower on the few thousand numbers here)."""
    ordered = np.sort(docs)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=np.bool_)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def matching(view: SearchView, terms: list[str], every: bool) -> DocSet:
    """Return documents containing every term (or any term)."""
    sets = sorted((term_docs(view, t) for t in terms), key=len)
    if not every:
        return union_all(view, sets)
    return reduce(intersect_sorted, sets)


def intersect_sorted(small: DocSet, large: DocSet) -> DocSet:
    """Intersect two sorted arrays in O(len(small) log len(large))."""
    if small.size == 0 or large.size == 0:
        return small[:0]
    at = np.minimum(np.searchsorted(large, small), large.size - 1)
    return small[large[at] == small]


def clause_docs(view: SearchView, clause: Clause) -> DocSet:
    """Return the documents with a clause's own terms or all terms of one of its variants."""

    def union() -> DocSet:
        found = [matching(view, list(terms), every=True) for terms in clause.alternatives]
        return union_all(view, found)

    return view.cached(("clause", clause.alternatives), union)


def bm25(view: SearchView, terms: list[tuple[str, float]], docs: DocSet) -> Floats:
    """Return the BM25 score of each document in docs for (term, weight) pairs.

    A term's frequencies are looked up for each document in docs; when docs are a large
    share of all documents, every posting's score is added into an array over all
    documents instead (one pass over the postings, where a lookup each costs a binary
    search: a common word's 700,000 matches at 1,000,000 records took 60 ms).
    """
    dense = docs.size * DENSE_SHARE >= view.maxdoc
    scores = np.zeros(view.maxdoc if dense else docs.size, dtype=np.float64)
    total = max(view.doc_count, 1)
    for field, boost in FIELD_BOOSTS.items():
        lengths = view.column(f"{field}_len")
        average = max(float(lengths.mean()), 1.0)
        norm = None if dense else K1 * (1 - B + B * lengths[docs] / average)
        for term, weight in terms:
            ids, freqs = view.postings(field, term)
            if ids.size == 0:
                continue
            idf = math.log(1 + (total - ids.size + 0.5) / (ids.size + 0.5))
            if norm is None:
                at_ids = K1 * (1 - B + B * lengths[ids] / average)
                scores[ids] += weight * boost * idf * freqs * (K1 + 1) / (freqs + at_ids)
            else:
                tf = _gather(ids, freqs, docs)
                scores += weight * boost * idf * tf * (K1 + 1) / (tf + norm)
    return scores[docs] if dense else scores


def _gather(ids: DocSet, values: Floats, docs: DocSet) -> Floats:
    """Return values[ids == doc] for each doc, 0 where the doc is absent."""
    at = np.searchsorted(ids, docs)
    at_clipped = np.minimum(at, ids.size - 1)
    present = ids[at_clipped] == docs
    return np.where(present, values[at_clipped], 0.0)
