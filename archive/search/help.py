"""Never a dead end: spelling suggestions and, when nothing matched, what would.

A query word that matches no record gets the nearest indexed word as a suggestion; when
the query found nothing, the corrected query is run instead. An empty result lists the
relaxed searches that would find something, with their counts: without the era, the
neighbouring decades, the parent place, without the place, without the rarest word.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

from archive.search.spelling import Speller, split_particle
from archive.search.understand import OPTIONAL_WORDS, SearchRequest, Understood
from archive.search.variants import SPOKEN

if TYPE_CHECKING:
    from archive.places.gazetteer import Gazetteer
    from archive.search.analysis import KoreanAnalyzer
    from archive.search.backend import IndexView

Counter = Callable[[SearchRequest], int]


@dataclass(frozen=True)
class Relaxation:
    """A search that would find something: what it changes, its filters, its count."""

    label: str
    text: str
    era: str | None
    place: str | None
    count: int

    def as_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "q": self.text,
            "era": self.era,
            "place": self.place,
            "count": self.count,
        }


def misspelt(
    view: IndexView, understood: Understood, analyzer: KoreanAnalyzer, gazetteer: Gazetteer
) -> dict[str, str]:
    """Return {query word: suggested word} for the words no record contains."""
    found: dict[str, str] = {}
    for word in understood.words.split():
        stem, particle = split_particle(word)
        terms = analyzer.query_terms(word)
        optional = OPTIONAL_WORDS | understood.optional  # noise, spoken, subjects
        if not terms or set(terms) <= optional or _known(view, terms, stem):
            continue  # particles and adverbs, noise words, words the index holds
        suggestion = speller(view, gazetteer, analyzer).suggest(stem)
        if suggestion:
            found[word] = suggestion + particle
    return found


def _known(view: IndexView, terms: list[str], stem: str) -> bool:
    """Whether a word's terms are all in the index and read it as more than fragments."""
    if not terms or not view.known(terms):
        return False
    return len(stem) < 2 or any(len(t) >= 2 for t in terms)


def speller(view: IndexView, gazetteer: Gazetteer, analyzer: KoreanAnalyzer) -> Speller:
    """Return the view's speller: its terms, and the words people type whole (places,
    the lexicon's words and compounds, the variants)."""

    def build() -> Speller:
        lexicon = analyzer.lexicon
        typed = chain(gazetteer.all_names(), lexicon.whole, lexicon.splits)
        if analyzer.variants is not None:
            groups = [g for g in analyzer.variants.groups if g.kind != SPOKEN]
            typed = chain(typed, (w for g in groups for w in g.words))
        return Speller.of(chain(view.vocabulary(), ((word, 0) for word in typed)))

    return view.memo("speller", build)


def corrected(text: str, suggestions: dict[str, str]) -> str:
    """Return the query text with each misspelt word replaced by its suggestion."""
    return " ".join(suggestions.get(word, word) for word in text.split())


def relaxations(
    request: SearchRequest,
    understood: Understood,
    view: IndexView,
    analyzer: KoreanAnalyzer,
    gazetteer: Gazetteer,
    count: Counter,
) -> list[Relaxation]:
    """Return the relaxed searches that find something, each with its count."""
    words, era, place = understood.words.strip(), understood.era, _place(understood)
    era_text = era.text if era else None
    tried: list[tuple[str, str, str | None, str | None]] = []
    if era is not None and era.start is not None:
        tried.append(("시기 없이", words, None, place))
        decade = era.start // 10 * 10
        for other in (decade - 10, decade + 10):
            tried.append((f"{other}년대", words, f"{other}년대", place))
    if place:
        parent = gazetteer.places[place].parent
        if parent and gazetteer.places[parent].kind != "시":
            tried.append((f"{parent} 전체", words, era_text, parent))
        tried.append(("장소 없이", words, era_text, None))
    rarest = _rarest_word(view, understood, analyzer)
    if rarest:
        without = " ".join(w for w in words.split() if w != rarest)
        tried.append((f"'{rarest}' 빼고", without, era_text, place))
    found = []
    for label, text, era_filter, place_filter in tried:
        relaxed = SearchRequest(
            text, era_filter, place_filter, public=request.public, hits=False, facets=False
        )
        number = count(relaxed)
        if number:
            found.append(Relaxation(label, text, era_filter, place_filter, number))
    return found


def _place(understood: Understood) -> str | None:
    return understood.places[0] if understood.places else None


def _rarest_word(view: IndexView, understood: Understood, analyzer: KoreanAnalyzer) -> str | None:
    """Return the query word whose terms the fewest records hold (when there are two+)."""
    words = understood.words.split()
    if len(words) < 2 or len(understood.required) < 2:
        return None
    sizes = {c.exact: view.clause_size(c) for c in understood.required}
    rarest = min(sizes, key=lambda terms: sizes[terms])
    for word in words:
        if set(rarest) & set(analyzer.query_terms(word)):
            return word
    return None
