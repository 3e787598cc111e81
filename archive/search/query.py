"""Understand a query ("1970년대 영산포 장날"), filter by era and place, rank, count facets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.query import And, Or, Query, Term

from archive.dates import FuzzyDate, extract_date, parse_date
from archive.errors import ArchiveError
from archive.search.analysis import KoreanAnalyzer
from archive.search.gazetteer import Gazetteer
from archive.search.highlight import highlight
from archive.search.view import DocSet, SearchView

MAX_LIMIT = 200


class SearchError(ArchiveError):
    """A filter the user gave cannot be understood."""


@dataclass
class SearchRequest:
    """What was asked: free text plus optional explicit era and place filters."""

    text: str = ""
    era: str | None = None
    place: str | None = None
    limit: int = 20
    offset: int = 0
    public: bool = True


@dataclass
class Understood:
    """How the request was read."""

    terms: list[str]
    era: FuzzyDate | None
    places: list[str]
    places_from_text: bool
    notes: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    """Hits, total and facets, with how the query was read."""

    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    understood: Understood

    def as_json(self) -> dict[str, Any]:
        """Return the object printed by `archive search --json` and served by the API."""
        era = self.understood.era
        return {
            "total": self.total,
            "hits": self.hits,
            "facets": self.facets,
            "query": {
                "terms": self.understood.terms,
                "era": {"text": era.text, "start": era.start, "end": era.end, "edtf": era.edtf}
                if era
                else None,
                "places": self.understood.places,
            },
            "notes": self.understood.notes,
        }


def understand(
    request: SearchRequest, gazetteer: Gazetteer, analyzer: KoreanAnalyzer
) -> Understood:
    """Split a request into an era, places and text terms.

    :raises SearchError: when an explicit era or place is not recognised.
    """
    era = None
    if request.era:
        era = parse_date(
            request.era.replace("s", "년대") if request.era.endswith("0s") else request.era
        )
        if not era.ok:
            raise SearchError(
                f"시기를 알 수 없습니다 / unknown era: {request.era!r} "
                "(예: 1970년대, 1970s, 1965~1972)"
            )
    places: list[str] = []
    if request.place:
        place = gazetteer.lookup(request.place)
        if place is None:
            raise SearchError(f"장소를 찾을 수 없습니다 / unknown place: {request.place!r}")
        places.append(place.name)
    found_era, text = extract_date(request.text or "")
    era = era or found_era
    from_text = False
    for place, matched in gazetteer.find_in(text):
        if place.name not in places:
            places.append(place.name)
            from_text = True
        text = _remove_squashed(text, matched)
    return Understood(analyzer.query_terms(text), era, places, from_text)


def _remove_squashed(text: str, squashed: str) -> str:
    """Remove a space-insensitive occurrence of squashed from text."""
    chars = [(i, c) for i, c in enumerate(text) if not c.isspace()]
    joined = "".join(c for _, c in chars)
    at = joined.find(squashed)
    if at < 0:
        return text
    start, end = chars[at][0], chars[at + len(squashed) - 1][0] + 1
    return text[:start] + " " + text[end:]


def text_query(terms: list[str], every: bool = True) -> Query:
    """Return the Whoosh query for terms over title (boosted) and body."""
    per_term = [Or([Term("title", t), Term("body", t)]) for t in terms]
    return And(per_term) if every else Or(per_term)


def run_search(
    view: SearchView, request: SearchRequest, gazetteer: Gazetteer, analyzer: KoreanAnalyzer
) -> SearchResult:
    """Search one index view."""
    understood = understand(request, gazetteer, analyzer)
    allowed = _allowed(view, understood, request.public, analyzer, gazetteer)
    terms = understood.terms
    if not terms:
        matched = allowed
        hits = _browse(view, matched, request)
    else:
        query = text_query(terms)
        matched = np.intersect1d(view.docs(query), allowed, assume_unique=True)
        if matched.size == 0 and len(terms) > 1:
            query = text_query(terms, every=False)
            matched = np.intersect1d(view.docs(query), allowed, assume_unique=True)
            understood.notes.append(
                "모든 낱말이 들어간 사진이 없어 일부 낱말이 맞는 사진을 보여 드립니다 / "
                "no photo matches every word; showing photos that match some"
            )
        hits = _ranked(view, query, matched, request)
    for hit in hits:
        hit["highlight"] = highlight(hit, terms, understood.places)
    facets = {
        "decades": _decade_counts(view, matched),
        "places": _place_counts(view, matched, gazetteer),
    }
    return SearchResult(int(matched.size), hits, facets, understood)


def _allowed(
    view: SearchView,
    understood: Understood,
    public: bool,
    analyzer: KoreanAnalyzer,
    gazetteer: Gazetteer,
) -> DocSet:
    statuses = ["published"] if public else ["draft", "published", "withdrawn"]
    allowed = view.docs(Or([Term("status", s) for s in statuses]), ("status", tuple(statuses)))
    if understood.era is not None:
        era = understood.era
        starts, ends = view.column("year_start"), view.column("year_end")
        assert era.start is not None and era.end is not None
        in_era = np.nonzero((starts > 0) & (starts <= era.end) & (ends >= era.start))[0]
        allowed = np.intersect1d(allowed, in_era, assume_unique=True)
    for name in understood.places:
        allowed = np.intersect1d(
            allowed, _place_docs(view, name, analyzer, gazetteer), assume_unique=True
        )
    return allowed


def _place_docs(
    view: SearchView, name: str, analyzer: KoreanAnalyzer, gazetteer: Gazetteer
) -> DocSet:
    """Return records placed at name or inside it, or naming it in their text."""
    place = gazetteer.places[name]
    parts: list[Query] = [Term("places", name)]
    for alias in place.names:
        terms = analyzer.query_terms(alias)
        if terms:
            parts.append(text_query(terms))
    return view.docs(Or(parts), ("place", name))


def _browse(view: SearchView, matched: DocSet, request: SearchRequest) -> list[dict[str, Any]]:
    """Order filter-only results by date (unknown last), then precision."""
    starts = view.column("year_start")[matched]
    starts = np.where(starts > 0, starts, 10_000)
    precision = view.column("precision")[matched]
    order = np.lexsort((precision, starts))
    chosen = matched[order][request.offset : request.offset + _limit(request)]
    return [_hit(view, int(doc), None) for doc in chosen]


def _ranked(
    view: SearchView, query: Query, matched: DocSet, request: SearchRequest
) -> list[dict[str, Any]]:
    """Score by text relevance (title boosted), then prefer precise dates on ties."""
    if matched.size == 0:
        return []
    wanted = request.offset + _limit(request)
    results = view.searcher.search(query, filter=set(matched.tolist()), limit=wanted)
    precision = view.column("precision")
    scored = sorted(
        ((round(hit.score or 0.0, 4), hit.docnum) for hit in results),
        key=lambda pair: (-pair[0], int(precision[pair[1]])),
    )
    return [_hit(view, doc, score) for score, doc in scored[request.offset : wanted]]


def _limit(request: SearchRequest) -> int:
    return max(1, min(request.limit, MAX_LIMIT))


def _hit(view: SearchView, docnum: int, score: float | None) -> dict[str, Any]:
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


def _decade_counts(view: SearchView, matched: DocSet) -> dict[str, int]:
    starts, ends = view.column("year_start")[matched], view.column("year_end")[matched]
    known = starts > 0
    if not known.any():
        return {}
    starts, ends = starts[known], ends[known]
    counts: dict[str, int] = {}
    for decade in range(int(starts.min()) // 10 * 10, int(ends.max()) + 1, 10):
        count = int(np.count_nonzero((starts <= decade + 9) & (ends >= decade)))
        if count:
            counts[f"{decade}s"] = count
    return counts


def _place_counts(view: SearchView, matched: DocSet, gazetteer: Gazetteer) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in gazetteer.places:
        mask = view.mask(Term("facet_place", name), ("facet", name))
        count = int(np.count_nonzero(mask[matched]))
        if count:
            counts[name] = count
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
