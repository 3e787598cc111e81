"""Search: read a request into an understood query, run it on a backend's view, and
never leave a visitor at a dead end (spelling, relaxations, notes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from archive.places.gazetteer import Gazetteer
from archive.search.analysis import KoreanAnalyzer
from archive.search.backend import IndexView, PlaceFilter, Query
from archive.search.help import Relaxation, corrected, misspelt, relaxations
from archive.search.highlight import highlight
from archive.search.readings import ENGLISH, last_resort
from archive.search.understand import SearchError, SearchRequest, Understood, understand
from archive.statuses import RecordStatus

__all__ = ["SearchError", "SearchRequest", "SearchResult", "run_search"]
FALLBACK_NOTE = (
    "모든 낱말이 들어간 사진이 없어 일부 낱말이 맞는 사진을 보여 드립니다 / "
    "no photo matches every word; showing photos that match some"
)
VAGUE_NOTE = (
    "검색어가 너무 일반적이어서 찾을 수 없습니다. 장소, 시기, 사람이나 일을 적어 보세요 / "
    "the query has only general words; add a place, a time, people or an event"
)


@dataclass
class SearchResult:
    """Hits, total and facets, with how the query was read and what else to try."""

    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    understood: Understood
    # The query with misspelt words corrected (offered as "did you mean").
    suggestion: str | None = None
    # The query as typed when the suggestion was searched instead (it found nothing).
    corrected_from: str | None = None
    # For an empty result: relaxed searches that find something.
    relaxations: list[Relaxation] = field(default_factory=list)

    def highlight(self, description: str, title: str) -> str:
        """Return the snippet of a record with the query's words marked (what a hit's
        "highlight" holds when details are read)."""
        hit = {"_description": description, "title": title}
        return highlight(hit, self._marks, self.understood.places)

    @cached_property
    def _marks(self) -> list[str]:
        return _marked(self.understood)

    def as_json(self) -> dict[str, Any]:
        """Return the object printed by `archive search --json` and served by the API."""
        era = self.understood.era
        era_json = (
            {"text": era.text, "start": era.start, "end": era.end, "edtf": era.edtf}
            if era
            else None
        )
        return {
            "total": self.total,
            "hits": self.hits,
            "facets": self.facets,
            "query": {
                "terms": self.understood.terms,
                "era": era_json,
                "places": self.understood.places,
            },
            "notes": self.understood.notes,
            "suggestion": self.suggestion,
            "corrected_from": self.corrected_from,
            "relaxations": [r.as_json() for r in self.relaxations],
        }


def run_search(
    view: IndexView,
    request: SearchRequest,
    gazetteer: Gazetteer,
    analyzer: KoreanAnalyzer,
    hidden: Iterable[str] = (),
) -> SearchResult:
    """Search one index view; suggest spellings, and what would work when nothing matched.

    :param hidden: ids of records no longer public whose change the index has not
        applied yet: they are left out of hits, totals and facets all the same.
    :raises SearchError: when an explicit era or place is not recognised.
    """
    hidden = tuple(hidden)
    result = _search(view, request, gazetteer, analyzer, hidden)
    if not request.assist:
        return result
    suggestions = misspelt(view, result.understood, analyzer, gazetteer)
    if suggestions:
        result.suggestion = corrected(request.text, suggestions)
        if result.total == 0 or result.understood.partial:
            retry = _search(
                view, replace(request, text=result.suggestion), gazetteer, analyzer, hidden
            )
            if retry.total and not retry.understood.partial:
                retry.suggestion, retry.corrected_from = result.suggestion, request.text
                retry.understood.notes.append(_corrected_note(suggestions))
                return retry
    if (result.total == 0 or result.understood.partial) and request.hits:
        read = _read_otherwise(view, request, gazetteer, analyzer, hidden)
        if read is not None:
            return read
    if result.understood.partial:
        result = _without_absent(view, request, result, gazetteer, analyzer, hidden) or result
    if result.total == 0 and request.hits:

        def count(relaxed: SearchRequest) -> int:
            return _search(view, relaxed, gazetteer, analyzer, hidden).total

        result.relaxations = relaxations(
            request, result.understood, view, analyzer, gazetteer, count
        )
    return result


def _read_otherwise(
    view: IndexView,
    request: SearchRequest,
    gazetteer: Gazetteer,
    analyzer: KoreanAnalyzer,
    hidden: tuple[str, ...],
) -> SearchResult | None:
    """Search the last-resort readings of a query that found nothing, or only some of its
    words (romanized places, Korean typed in English mode, initials); return the first
    that finds all its words."""
    groups = analyzer.variants.groups if analyzer.variants is not None else ()
    english = [g.words for g in groups if g.kind == ENGLISH]
    for reading in last_resort(request.text, gazetteer, english):
        retry = _search(view, replace(request, text=reading.text), gazetteer, analyzer, hidden)
        if retry.total and not retry.understood.partial:
            retry.suggestion, retry.corrected_from = reading.text, request.text
            retry.understood.notes.append(reading.note)
            return retry
    return None


def _without_absent(
    view: IndexView,
    request: SearchRequest,
    result: SearchResult,
    gazetteer: Gazetteer,
    analyzer: KoreanAnalyzer,
    hidden: tuple[str, ...],
) -> SearchResult | None:
    """When not every word matched, drop the words no record holds (they tell nothing of
    the archive) and search the rest, saying which were dropped; None if none was."""
    required = result.understood.required
    # A word whose terms (and its variants' terms) the index does not know: a lookup of
    # each term, where counting each clause's records cost PostgreSQL 100 ms a common word.
    absent = {
        t for c in required if not any(view.known(alt) for alt in c.alternatives) for t in c.exact
    }
    if not absent or all(set(c.exact) <= absent for c in required):
        return None
    dropped = [w for w in request.text.split() if set(analyzer.query_terms(w)) & absent]
    kept = [w for w in request.text.split() if w not in dropped]
    if not dropped or not kept:
        return None
    retry = _search(view, replace(request, text=" ".join(kept)), gazetteer, analyzer, hidden)
    if not retry.total:
        return None
    words = ", ".join(f"'{w}'" for w in dropped)
    note = f"{words}이(가) 들어간 사진은 없어 빼고 찾았습니다 / no photo has {words}; left out"
    earlier = [n for n in result.understood.notes if n != FALLBACK_NOTE]  # an unread date
    later = [n for n in retry.understood.notes if n not in earlier]
    retry.understood.notes = [note, *earlier, *later]
    retry.suggestion = result.suggestion  # still offered: "혹시 '장날 나룻배'을(를) 찾으셨나요?"
    return retry


def _corrected_note(suggestions: dict[str, str]) -> str:
    pairs = ", ".join(f"'{word}' → '{fixed}'" for word, fixed in suggestions.items())
    return f"찾는 사진이 없어 고쳐 찾았습니다: {pairs} / no match; searched the corrected words"


def _search(
    view: IndexView,
    request: SearchRequest,
    gazetteer: Gazetteer,
    analyzer: KoreanAnalyzer,
    hidden: tuple[str, ...],
) -> SearchResult:
    understood = understand(request, gazetteer, analyzer)
    query = understood_query(request, understood, gazetteer, analyzer, hidden)
    found = view.search(query)
    if query.vague:
        understood.notes.append(VAGUE_NOTE)
    if found.partial:
        understood.notes.append(FALLBACK_NOTE)
        understood.partial = True
    if request.details:
        marked = _marked(understood)
        for hit in found.hits:
            hit["highlight"] = highlight(hit, marked, understood.places)
    return SearchResult(found.total, found.hits, found.facets, understood)


def understood_query(
    request: SearchRequest,
    understood: Understood,
    gazetteer: Gazetteer,
    analyzer: KoreanAnalyzer,
    hidden: tuple[str, ...] = (),
) -> Query:
    """Return the query every backend runs for a request as it was understood."""
    required = understood.required
    era = understood.era
    vague = not required and understood.had_words and not understood.places and not era
    ranking = understood.ranking() + [(t, 1.0) for t in _place_terms(understood, analyzer)]
    statuses = (
        (RecordStatus.PUBLISHED,)
        if request.public
        else (RecordStatus.DRAFT, RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN)
    )
    places = tuple(_place_filter(name, analyzer, gazetteer) for name in understood.places)
    narrow = era is not None and era.start is not None and (era.end or 0) - era.start < 10
    return Query(
        clauses=tuple(required),
        ranking=tuple(ranking),
        era=era,
        places=places,
        statuses=tuple(str(s) for s in statuses),
        hidden=hidden if request.public else (),
        request=request,
        vague=vague,
        years=narrow,
        # What the whole ordering and the facets depend on: the pages of a search share them.
        key=(request.text, request.era, request.place, request.public, hidden),
    )


def _marked(understood: Understood) -> list[str]:
    return [term for term, _weight in understood.ranking()]


def _place_terms(understood: Understood, analyzer: KoreanAnalyzer) -> list[str]:
    """Return the terms of places read from the query text: they filter and also rank,
    so a record naming the place (in its title above all) comes first."""
    if not understood.places_from_text:
        return []
    return [t for name in understood.places for t in analyzer.query_terms(name)]


def _place_filter(name: str, analyzer: KoreanAnalyzer, gazetteer: Gazetteer) -> PlaceFilter:
    aliases = tuple(gazetteer.places[name].names)
    terms = tuple(tuple(analyzer.query_terms(alias)) for alias in aliases)
    return PlaceFilter(name, aliases, terms)
