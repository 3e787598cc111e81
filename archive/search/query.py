"""Search one index view: filter by status, era and place, score text, count facets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, reduce
from typing import Any

import numpy as np

from archive.dates import FuzzyDate
from archive.places.gazetteer import Gazetteer
from archive.search.analysis import KoreanAnalyzer
from archive.search.facets import decade_counts, place_counts, year_counts
from archive.search.help import Relaxation, corrected, misspelt, relaxations
from archive.search.highlight import highlight
from archive.search.ordering import browse, by_date, ranked
from archive.search.scoring import clause_docs, intersect_sorted, matching, union_all
from archive.search.understand import SearchError, SearchRequest, Understood, understand
from archive.search.whoosh.view import DocSet, Mask, SearchView
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
    view: SearchView,
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
    if result.total == 0 and request.hits:

        def count(relaxed: SearchRequest) -> int:
            return _search(view, relaxed, gazetteer, analyzer, hidden).total

        result.relaxations = relaxations(
            request, result.understood, view, analyzer, gazetteer, count
        )
    return result


def _corrected_note(suggestions: dict[str, str]) -> str:
    pairs = ", ".join(f"'{word}' → '{fixed}'" for word, fixed in suggestions.items())
    return f"찾는 사진이 없어 고쳐 찾았습니다: {pairs} / no match; searched the corrected words"


def _search(
    view: SearchView,
    request: SearchRequest,
    gazetteer: Gazetteer,
    analyzer: KoreanAnalyzer,
    hidden: tuple[str, ...],
) -> SearchResult:
    understood = understand(request, gazetteer, analyzer)
    allowed = _allowed(view, understood, request.public, analyzer, gazetteer)
    if request.public:
        allowed = _without(view, allowed, hidden)
    required = understood.required
    ranking = understood.ranking() + [(t, 1.0) for t in _place_terms(understood, analyzer)]
    # What the whole ordering and the facets depend on: the pages of a search share them.
    key = (request.text, request.era, request.place, request.public, hidden)
    by_date_order = request.sort in ("oldest", "newest") and request.hits
    hits: list[dict[str, Any]] = []
    if not required and understood.had_words and not understood.places and not understood.era:
        matched = np.flatnonzero(allowed)[:0]  # only general words: nothing to look for
        understood.notes.append(VAGUE_NOTE)
    elif not required:
        matched = np.flatnonzero(allowed)
        if not by_date_order:
            hits = _some_ranked(view, ranking, matched, request, understood.era, key)
    else:
        matched, counts = _matched(view, understood, allowed)
        if not by_date_order:
            hits = ranked(view, ranking, matched, request, counts, understood.era, key)
    if by_date_order:
        hits = by_date(view, matched, request, request.sort == "newest", key)
    if request.details:
        marked = _marked(understood)
        for hit in hits:
            hit["highlight"] = highlight(hit, marked, understood.places)
    facets: dict[str, dict[str, int]] = {"decades": {}, "places": {}}
    if request.facets:
        counted = view.remember(
            ("facets", key), lambda: _facets(view, matched, understood, gazetteer)
        )
        facets = {name: dict(counts) for name, counts in counted.items()}
    return SearchResult(int(matched.size), hits, facets, understood)


def _marked(understood: Understood) -> list[str]:
    return [term for term, _weight in understood.ranking()]


def _facets(
    view: SearchView, matched: DocSet, understood: Understood, gazetteer: Gazetteer
) -> dict[str, dict[str, int]]:
    facets = {
        "decades": decade_counts(view, matched),
        "places": place_counts(view, matched, gazetteer),
    }
    era = understood.era
    if era is not None and era.start is not None and (era.end or 0) - era.start < 10:
        facets["years"] = {str(y): n for y, n in year_counts(view, matched).items()}
    return facets


def _place_terms(understood: Understood, analyzer: KoreanAnalyzer) -> list[str]:
    """Return the terms of places read from the query text: they filter and also rank,
    so a record naming the place (in its title above all) comes first."""
    if not understood.places_from_text:
        return []
    return [t for name in understood.places for t in analyzer.query_terms(name)]


def _matched(
    view: SearchView, understood: Understood, allowed: Mask
) -> tuple[DocSet, np.ndarray | None]:
    """Return the documents with every required clause; failing that, those with some of
    them and how many each has (never one with none)."""
    found = sorted((clause_docs(view, c) for c in understood.required), key=len)
    candidates = reduce(intersect_sorted, found)
    matched = candidates[allowed[candidates]]
    if matched.size or len(found) < 2:
        return matched, None
    candidates = union_all(view, found)
    matched = candidates[allowed[candidates]]
    if matched.size:
        understood.notes.append(FALLBACK_NOTE)
        understood.partial = True
    counts = sum(np.isin(matched, docs).astype(np.int64) for docs in found)
    return matched, np.asarray(counts)


def _some_ranked(
    view: SearchView,
    ranking: list[tuple[str, float]],
    matched: DocSet,
    request: SearchRequest,
    era: FuzzyDate | None = None,
    key: Any = None,
) -> list[dict[str, Any]]:
    """Order filter results by the optional words and places they name, else by date."""
    if not request.hits:
        return []
    if not ranking:
        return browse(view, matched, request, era, key)
    return ranked(view, ranking, matched, request, era=era, key=key)


def _allowed(
    view: SearchView,
    understood: Understood,
    public: bool,
    analyzer: KoreanAnalyzer,
    gazetteer: Gazetteer,
) -> Mask:
    """Return a mask over all documents: status, era and place filters together."""
    statuses = (
        (RecordStatus.PUBLISHED,)
        if public
        else (RecordStatus.DRAFT, RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN)
    )
    allowed = view.mask_of("status", statuses)
    era = understood.era
    if era is not None and era.start is not None and era.end is not None:
        starts, ends = view.column("year_start"), view.column("year_end")
        allowed = allowed & (starts > 0) & (starts <= era.end) & (ends >= era.start)
    for name in understood.places:
        allowed = allowed & _place_mask(view, name, analyzer, gazetteer)
    return allowed


def _without(view: SearchView, allowed: Mask, hidden: Iterable[str]) -> Mask:
    """Return the mask with the documents of hidden ids cleared (a copy: masks are cached)."""
    docs = [view.docs_with("id", public_id) for public_id in hidden]
    if not any(d.size for d in docs):
        return allowed
    allowed = allowed.copy()
    for found in docs:
        allowed[found] = False
    return allowed


def _place_mask(
    view: SearchView, name: str, analyzer: KoreanAnalyzer, gazetteer: Gazetteer
) -> Mask:
    """Return records placed at name or inside it, or naming it in their text (computed
    once per index view: related photos ask for the same few hundred places again and
    again)."""
    aliases = tuple(gazetteer.places[name].names)

    def compute() -> Mask:
        mask = view.mask_of("places", (name,)).copy()
        for alias in aliases:
            terms = analyzer.query_terms(alias)
            if terms:
                mask[matching(view, terms, every=True)] = True
        return mask

    return view.cached(("place-mask", name, aliases), compute)
