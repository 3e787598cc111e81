"""Words people use for the same thing, applied to queries with a lower weight.

Each row of the table is a group of equivalent words: an institution before and after
its renaming (국민학교|초등학교), old and new words, kinship and colloquial terms
(어머니|엄마|어무이), abbreviations (나주중|나주중학교) and dialect spellings. A query
word in a group also finds records with another member; those count for less in the
ranking than the word itself.

Rows of the kind "spoken" are no group: they list what people say in asking — fillers
(저기, 거시기), request and question endings (보여 주세요, 볼 수 있을까요), honorific and
dialect forms (계신가요, 있으믄). Their words rank a record that has them but are never
required, so a spoken sentence finds what its real words name.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from archive.errors import ConfigError
from archive.search.lexicon import read_table


class KoreanAnalyzer(Protocol):
    """What the variants need of the analyzer (archive.search.analysis): query terms."""

    def prime(self, texts: Iterable[str]) -> None:
        """Analyse many texts at once."""

    def query_terms(self, text: str) -> list[str]:
        """Return a text's terms as a query analyses them."""


VARIANTS_FILE = Path(__file__).with_name("variants.csv")
# A variant's share of the score the query's own word would get.
VARIANT_WEIGHT = 0.5
# The kind of rows that list words said in asking, not equivalents.
SPOKEN = "spoken"
Terms = tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    """One thing a query asks for: its own terms, or any of their variants."""

    exact: Terms
    variants: tuple[Terms, ...] = ()

    @property
    def alternatives(self) -> tuple[Terms, ...]:
        return (self.exact, *self.variants)

    def weighted(self) -> list[tuple[str, float]]:
        """Return (term, weight) pairs for ranking: own terms 1, variants' others less."""
        pairs = dict.fromkeys(self.exact, 1.0)
        for alternative in self.variants:
            for term in alternative:
                pairs.setdefault(term, VARIANT_WEIGHT)
        return list(pairs.items())


@dataclass(frozen=True)
class VariantGroup:
    words: tuple[str, ...]
    kind: str
    note: str


class Variants:
    """The variants table; members are analysed once, on the first query."""

    def __init__(self, groups: Sequence[VariantGroup]) -> None:
        self.groups = tuple(groups)
        self._by_terms: dict[Terms, set[Terms]] | None = None
        self._longest = 1  # the most terms a member has
        self._spoken: frozenset[str] | None = None
        self._lock = threading.Lock()

    def _index(self, analyzer: KoreanAnalyzer) -> dict[Terms, set[Terms]]:
        with self._lock:
            if self._by_terms is None:
                analyzer.prime(w for g in self.groups for w in g.words)
                by_terms: dict[Terms, set[Terms]] = {}
                for group in self.groups:
                    if group.kind == SPOKEN:
                        continue
                    members = {tuple(analyzer.query_terms(w)) for w in group.words} - {()}
                    for member in members:
                        by_terms.setdefault(member, set()).update(members - {member})
                self._longest = max((len(k) for k in by_terms), default=1)
                self._by_terms = by_terms
            return self._by_terms

    def spoken_terms(self, analyzer: KoreanAnalyzer) -> frozenset[str]:
        """Return the terms of the words said in asking (the spoken rows), which a query
        never requires."""
        with self._lock:
            if self._spoken is None:
                words = [w for g in self.groups if g.kind == SPOKEN for w in g.words]
                analyzer.prime(words)
                self._spoken = frozenset(t for w in words for t in analyzer.query_terms(w))
            return self._spoken

    def clauses(self, terms: Sequence[str], analyzer: KoreanAnalyzer) -> list[Clause]:
        """Group query terms into clauses, the longest variant member first."""
        by_terms = self._index(analyzer)
        longest = self._longest
        clauses: list[Clause] = []
        at = 0
        while at < len(terms):
            for size in range(min(longest, len(terms) - at), 0, -1):
                key = tuple(terms[at : at + size])
                if key in by_terms or size == 1:
                    clauses.append(Clause(key, tuple(sorted(by_terms.get(key, ())))))
                    at += size
                    break
        return clauses


def load_variants(data: bytes, name: str = "variants.csv") -> Variants:
    """Read the variants table: words (separated by |), kind, note.

    :raises ConfigError: when a row has fewer than two words.
    """
    groups = []
    for line, row in read_table(data, name):
        words = tuple(dict.fromkeys(w.strip() for w in row.get("words", "").split("|")))
        words = tuple(w for w in words if w)
        if len(words) < 2:
            raise ConfigError(
                f"{name} {line}번째 줄: 두 낱말 이상을 | 로 나눠 적어 주세요 / "
                f"{name} line {line}: a row needs two or more words separated by |"
            )
        groups.append(VariantGroup(words, row.get("kind", ""), row.get("note", "")))
    return Variants(groups)
