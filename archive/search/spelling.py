"""Did you mean: the closest indexed word by Hangul jamo edit distance (남펑 → 남평).

A syllable slip in Korean is usually one letter (jamo) wrong, so words are compared as
jamo: Unicode decomposes a Hangul syllable into its lead, vowel and tail (NFD). The
candidates are the index's words and the gazetteer's names; a nearer word wins, then the
one more records contain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extract

_HANGUL = re.compile(r"[가-힣]+")
# Particles a query word may end in (longest first), kept when the word is corrected.
_PARTICLE = re.compile(
    r"(에서는|에서|으로|에게|까지|부터|이랑|하고|처럼|에는|에|의|을|를|이|가|은|는|와|과|랑|도|로|만)$"
)
CANDIDATES = 20


def jamo(text: str) -> str:
    """Return text with each Hangul syllable decomposed into its letters."""
    return unicodedata.normalize("NFD", text)


def max_distance(word: str) -> int:
    """Return how many letters may differ: one in a short word, two in a long one."""
    return 1 if len(word) <= 3 else 2


def split_particle(word: str) -> tuple[str, str]:
    """Return (stem, particle) of a query word (particle empty when there is none)."""
    match = _PARTICLE.search(word)
    if match is None or match.start() < 2:
        return word, ""
    return word[: match.start()], match.group(0)


@dataclass
class Speller:
    """The words that can be suggested, grouped by length in syllables."""

    by_length: dict[int, tuple[list[str], list[str], list[int]]]

    @classmethod
    def of(cls, frequencies: Iterable[tuple[str, int]]) -> Speller:
        """Build from (word, number of records) pairs; only Hangul words of 2+ syllables."""
        grouped: dict[int, dict[str, int]] = {}
        for word, count in frequencies:
            if len(word) >= 2 and _HANGUL.fullmatch(word):
                group = grouped.setdefault(len(word), {})
                group[word] = max(count, group.get(word, 0))
        by_length = {
            size: (list(words), [jamo(w) for w in words], list(words.values()))
            for size, words in grouped.items()
        }
        return cls(by_length)

    def suggest(self, word: str) -> str | None:
        """Return the nearest known word, or None when none is near enough."""
        if not _HANGUL.fullmatch(word) or len(word) < 2:
            return None
        limit = max_distance(word)
        target = jamo(word)
        best: tuple[int, int, str] | None = None
        for size in (len(word), len(word) - 1, len(word) + 1):
            words, letters, counts = self.by_length.get(size, ([], [], []))
            found = extract(
                target, letters, scorer=Levenshtein.distance, score_cutoff=limit, limit=CANDIDATES
            )
            for _choice, distance, at in found:
                key = (int(distance), -counts[at], words[at])
                if words[at] != word and (best is None or key < best):
                    best = key
        return best[2] if best else None
