"""Order matched records: by relevance, by date, or by closeness to an era; one page of hits."""

from __future__ import annotations

from typing import Any

import numpy as np

from archive.dates import FuzzyDate
from archive.search.scoring import bm25
from archive.search.understand import SearchRequest
from archive.search.whoosh.view import DocSet, SearchView

MAX_LIMIT = 200
UNKNOWN_LAST = 10_000


def by_date(
    view: SearchView, matched: DocSet, request: SearchRequest, newest: bool
) -> list[dict[str, Any]]:
    """Order by date, oldest or newest first; undated records always last."""
    starts, ends = view.column("year_start")[matched], view.column("year_end")[matched]
    dated = starts > 0
    key = np.where(dated, -ends if newest else starts, UNKNOWN_LAST)
    order = np.lexsort((view.column("precision")[matched], key))
    chosen = matched[order][request.offset : request.offset + limit(request)]
    return [hit(view, int(doc), None) for doc in chosen]


def browse(
    view: SearchView, matched: DocSet, request: SearchRequest, era: FuzzyDate | None
) -> list[dict[str, Any]]:
    """Order filter-only results by date (unknown last), then precision; within an era,
    the records dated most closely to it come first."""
    starts = view.column("year_start")[matched]
    starts = np.where(starts > 0, starts, 10_000)
    precision = view.column("precision")[matched]
    if era is not None:
        order = np.lexsort((starts, precision, spill(view, matched, era)))
    else:
        order = np.lexsort((precision, starts))
    chosen = matched[order][request.offset : request.offset + limit(request)]
    return [hit(view, int(doc), None) for doc in chosen]


def ranked(
    view: SearchView,
    terms: list[tuple[str, float]],
    matched: DocSet,
    request: SearchRequest,
    counts: np.ndarray | None = None,
    era: FuzzyDate | None = None,
) -> list[dict[str, Any]]:
    """Score by text relevance (title boosted), then prefer precise dates on ties; in a
    fallback, records with more of the words come first; within an era, those dated
    squarely inside it."""
    if matched.size == 0:
        return []
    scores = np.round(bm25(view, terms, matched), 4)
    keys = [view.column("precision")[matched], -scores]
    if era is not None:
        keys.append(spill(view, matched, era))
    if counts is not None:
        keys.append(-counts)
    order = np.lexsort(tuple(keys))
    chosen = order[request.offset : request.offset + limit(request)]
    return [hit(view, int(matched[i]), float(scores[i])) for i in chosen]


def spill(view: SearchView, matched: DocSet, era: FuzzyDate) -> np.ndarray:
    """Return how many years each record's date reaches outside the era (0: inside)."""
    if era.start is None or era.end is None:
        return np.zeros(matched.size, dtype=np.int64)
    starts, ends = view.column("year_start")[matched], view.column("year_end")[matched]
    return np.maximum(era.start - starts, 0) + np.maximum(ends - era.end, 0)


def limit(request: SearchRequest) -> int:
    return max(1, min(request.limit, MAX_LIMIT))


def hit(view: SearchView, docnum: int, score: float | None) -> dict[str, Any]:
    fields = view.stored(docnum)
    stored = fields.get("stored", {})
    return {
        "id": fields["id"],
        "identifier": stored.get("identifier"),
        "title": stored.get("title", ""),
        "date": stored.get("date", ""),
        "place": stored.get("place", ""),
        "score": score,
        "_description": stored.get("description", ""),
    }
