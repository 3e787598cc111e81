"""Read a query: an era phrase, gazetteer places, and the remaining words as terms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.dates import FuzzyDate, parse_date, read_when
from archive.errors import ArchiveError
from archive.places.gazetteer import Gazetteer
from archive.search.analysis import KoreanAnalyzer
from archive.search.variants import Clause

# Words that say little in a photo archive: they rank, but a record need not contain them.
OPTIONAL_WORDS = frozenset(
    {"사진", "옛날", "옛", "옛적", "예전", "시절", "추억", "기억", "모습", "그때", "이때", "그날",
     "지금", "요즘"}
)  # fmt: skip


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
    # False when only the total and facets are wanted (e.g. the landing page's browse lists).
    hits: bool = True
    # False when only the total is wanted (counting what a relaxed query would find).
    facets: bool = True
    # False to skip spelling suggestions and relaxations (queries the archive makes itself).
    assist: bool = True
    # "" or "relevance" (the default order), "oldest" or "newest" first.
    sort: str = ""
    # False when hits need only their ids (pages that read cards from the database mark
    # the words with SearchResult.highlight): no stored fields are read.
    details: bool = True


@dataclass
class Understood:
    """How the request was read."""

    terms: list[str]
    era: FuzzyDate | None
    places: list[str]
    places_from_text: bool
    notes: list[str] = field(default_factory=list)
    # Whether words were left after the era and places, even if none of them is a term.
    had_words: bool = False
    # The terms grouped with their variants (one clause per term without any).
    clauses: list[Clause] = field(default_factory=list)
    # The text left after the era and places were read (the words searched as terms).
    words: str = ""
    # Whether the hits match only some of the required words (the fallback).
    partial: bool = False
    # Terms that rank but are not required: a named period that is also a subject
    # ("새마을운동"), which has set the era already.
    optional: frozenset[str] = frozenset()

    @property
    def required(self) -> list[Clause]:
        """Return what every hit must contain (all but the archive's noise words and the
        optional terms)."""
        optional = OPTIONAL_WORDS | self.optional
        return [c for c in self.clauses if not all(t in optional for t in c.exact)]

    def ranking(self) -> list[tuple[str, float]]:
        """Return the (term, weight) pairs that order the hits."""
        pairs: dict[str, float] = {}
        for clause in self.clauses:
            for term, weight in clause.weighted():
                pairs[term] = max(weight, pairs.get(term, 0.0))
        return list(pairs.items())


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
    when = read_when(request.text or "")
    era, text = era or when.era, when.rest
    from_text = False
    words = analyzer.query_terms(text)
    protected = _in_variant_phrases(words, analyzer)
    for place, matched in gazetteer.find_in(text):
        name_terms = analyzer.query_terms(matched)
        if not _is_word(name_terms, words) or set(name_terms) <= protected:
            continue  # part of a longer word (산포 in 영산포) or phrase (나주 in 나주국민학교)
        if place.name not in places:
            places.append(place.name)
            from_text = True
        text = _remove_squashed(text, matched)
    had_words = any(ch.isalnum() for ch in text)
    terms = analyzer.query_terms(text)
    understood = Understood(terms, era, places, from_text, had_words=had_words, words=text)
    understood.optional = frozenset(t for name in when.subjects for t in analyzer.query_terms(name))
    if analyzer.variants is not None:
        understood.optional |= analyzer.variants.spoken_terms(analyzer)
    understood.clauses = (
        analyzer.variants.clauses(terms, analyzer)
        if analyzer.variants
        else [Clause((t,)) for t in terms]
    )
    unread = [p for p in _DATE_LIKE.findall(text) if not parse_date(p).ok]  # not a second era
    understood.notes += [_unread_note(phrase) for phrase in unread]
    return understood


# A number written as a date ("1600년", "197년대", "13월") that no date form could read.
_DATE_LIKE = re.compile(r"\d+\s*(?:년대|년도?|월|일|세기)")


def _unread_note(phrase: str) -> str:
    return (
        f"'{phrase}'을(를) 시기로 읽지 못해 낱말로 찾았습니다 (예: 1970년대, 1965년경) / "
        f"could not read {phrase!r} as a date; searched it as a word"
    )


def _in_variant_phrases(terms: list[str], analyzer: KoreanAnalyzer) -> set[str]:
    """Return the terms inside a phrase of the variants table (나주 + 국민 + 학교)."""
    if analyzer.variants is None:
        return set()
    clauses = analyzer.variants.clauses(terms, analyzer)
    return {t for c in clauses if len(c.exact) > 1 and c.variants for t in c.exact}


def _is_word(name_terms: list[str], terms: list[str]) -> bool:
    """Return whether a name's terms stand in the text's terms as a run of words."""
    size = len(name_terms)
    return size > 0 and any(terms[i : i + size] == name_terms for i in range(len(terms)))


def _remove_squashed(text: str, squashed: str) -> str:
    """Remove a space-insensitive occurrence of squashed from text."""
    chars = [(i, c) for i, c in enumerate(text) if not c.isspace()]
    joined = "".join(c for _, c in chars)
    at = joined.find(squashed)
    if at < 0:
        return text
    start, end = chars[at][0], chars[at + len(squashed) - 1][0] + 1
    return text[:start] + " " + text[end:]
