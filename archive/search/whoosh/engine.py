"""The Whoosh backend's half of a search: run an understood query over one view.

Filters (status, era, places) become a mask over the view's documents; the required
clauses are intersected (or, failing that, united and counted); hits are ordered by BM25,
by date or by closeness to the era; facets are counted from the view's columns.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from functools import reduce
from typing import Any, TypeVar

import numpy as np

from archive.places.gazetteer import Gazetteer
from archive.search.backend import Hits, PlaceFilter, Query
from archive.search.documents import TEXT_FIELDS
from archive.search.variants import Clause
from archive.search.whoosh.facets import decade_counts, place_counts, year_counts
from archive.search.whoosh.ordering import browse, by_date, ranked
from archive.search.whoosh.scoring import (
    clause_docs,
    intersect_sorted,
    matching,
    term_docs,
)
from archive.search.whoosh.view import DocSet, Mask, SearchView

T = TypeVar("T")


class WhooshIndexView:
    """A view of the Whoosh index, as the front half of search reads every backend's."""

    def __init__(self, view: SearchView, gazetteer: Gazetteer) -> None:
        self.arrays = view  # the backend's own: tests and warming read it
        self.gazetteer = gazetteer

    @property
    def generation(self) -> int:
        return self.arrays.generation

    @property
    def documents(self) -> int:
        return int(self.arrays.doc_count)

    def search(self, query: Query) -> Hits:
        return run(self.arrays, query, self.gazetteer)

    def clause_size(self, clause: Clause) -> int:
        return int(clause_docs(self.arrays, clause).size)

    def known(self, terms: Iterable[str]) -> bool:
        return all(term_docs(self.arrays, term).size for term in terms)

    def vocabulary(self) -> Iterator[tuple[str, int]]:
        return self.arrays.vocabulary(TEXT_FIELDS)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        found: T = self.arrays.memo(key, compute)
        return found

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        found: T = self.arrays.remember(key, compute)
        return found


def run(view: SearchView, query: Query, gazetteer: Gazetteer) -> Hits:
    """Run an understood query over one view."""
    request = query.request
    allowed = _allowed(view, query)
    by_date_order = request.sort in ("oldest", "newest") and request.hits
    hits: list[dict[str, Any]] = []
    partial = False
    ranking = list(query.ranking)
    if query.vague:
        matched = np.flatnonzero(allowed)[:0]  # only general words: nothing to look for
    elif not query.clauses:
        matched = np.flatnonzero(allowed)
        if not by_date_order:
            hits = _some_ranked(view, ranking, matched, query)
    else:
        matched, counts = _matched(view, query.clauses, allowed)
        partial = counts is not None and bool(matched.size)
        if not by_date_order:
            hits = ranked(view, ranking, matched, request, counts, query.era, query.key)
    if by_date_order:
        hits = by_date(view, matched, request, request.sort == "newest", query.key)
    facets: dict[str, dict[str, int]] = {"decades": {}, "places": {}}
    if request.facets:
        counted = view.remember(
            ("facets", query.key), lambda: _facets(view, matched, query, gazetteer)
        )
        facets = {name: dict(counts) for name, counts in counted.items()}
    return Hits(int(matched.size), hits, facets, partial)


def _facets(
    view: SearchView, matched: DocSet, query: Query, gazetteer: Gazetteer
) -> dict[str, dict[str, int]]:
    facets = {
        "decades": decade_counts(view, matched),
        "places": place_counts(view, matched, gazetteer),
    }
    if query.years:
        facets["years"] = {str(y): n for y, n in year_counts(view, matched).items()}
    return facets


def _matched(
    view: SearchView, clauses: tuple[Clause, ...], allowed: Mask
) -> tuple[DocSet, np.ndarray | None]:
    """Return the documents with every required clause; failing that, those with some of
    them and how many each has (never one with none)."""
    found = sorted((clause_docs(view, c) for c in clauses), key=len)
    candidates = reduce(intersect_sorted, found)
    matched = candidates[allowed[candidates]]
    if matched.size or len(found) < 2:
        return matched, None
    tally = np.zeros(view.maxdoc, dtype=np.int16)
    for docs in found:
        tally[docs] += 1
    matched = np.flatnonzero((tally > 0) & allowed).astype(np.int64, copy=False)
    return matched, tally[matched].astype(np.int64)


def _some_ranked(
    view: SearchView, ranking: list[tuple[str, float]], matched: DocSet, query: Query
) -> list[dict[str, Any]]:
    """Order filter results by the optional words and places they name, else by date."""
    request = query.request
    if not request.hits:
        return []
    if not ranking:
        return browse(view, matched, request, query.era, query.key)
    return ranked(view, ranking, matched, request, era=query.era, key=query.key)


def _allowed(view: SearchView, query: Query) -> Mask:
    """Return a mask over all documents: status, era, place and hidden ids together."""
    allowed = view.mask_of("status", query.statuses)
    era = query.era
    if era is not None and era.start is not None and era.end is not None:
        starts, ends = view.column("year_start"), view.column("year_end")
        allowed = allowed & (starts > 0) & (starts <= era.end) & (ends >= era.start)
    for place in query.places:
        allowed = allowed & _place_mask(view, place)
    return _without(view, allowed, query.hidden)


def _without(view: SearchView, allowed: Mask, hidden: Iterable[str]) -> Mask:
    """Return the mask with the documents of hidden ids cleared (a copy: masks are cached)."""
    docs = [view.docs_with("id", public_id) for public_id in hidden]
    if not any(d.size for d in docs):
        return allowed
    allowed = allowed.copy()
    for found in docs:
        allowed[found] = False
    return allowed


def _place_mask(view: SearchView, place: PlaceFilter) -> Mask:
    """Return records placed at the place or inside it, or naming it in their text
    (computed once per view: related photos ask for the same few hundred places again and
    again)."""

    def compute() -> Mask:
        mask = np.zeros(view.maxdoc, dtype=np.bool_)  # kept within the derived budget only
        mask[view.docs_with("places", place.name)] = True
        for terms in place.alias_terms:
            if terms:
                mask[matching(view, list(terms), every=True)] = True
        return mask

    return view.cached(("place-mask", place.name, place.aliases), compute)
