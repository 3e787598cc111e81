"""Korean analysis with kiwipiepy: content morphemes, with compound parts at index time."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from archive.search.gazetteer import Gazetteer

# Part-of-speech tags kept as search terms: nouns, numbers, foreign words, hanja, roots.
CONTENT_TAGS = {"NNG", "NNP", "NR", "SL", "SH", "SN", "XR"}
# Verb and adjective stems are kept when they carry meaning on their own (two syllables or more).
STEM_TAGS = {"VV", "VA"}
STOPWORDS = {
    "앞",
    "뒤",
    "옆",
    "것",
    "때",
    "곳",
    "등",
    "중",
    "안",
    "밖",
    "위",
    "아래",
    "사이",
    "모습",
    "당시",
    "년",
    "월",
    "일",
}
# Part of the index's layout version: a change here rebuilds the index.
ANALYSIS_VERSION = "|".join(
    [
        "kiwi",
        ",".join(sorted(CONTENT_TAGS)),
        ",".join(sorted(STEM_TAGS)),
        ",".join(sorted(STOPWORDS)),
        "edges:2",
        "multi-dict:0",
    ]
)
log = logging.getLogger(__name__)
_SPACES = re.compile(r"\s+")
_HANGUL = re.compile(r"[가-힣]")


class ModelHelper(Protocol):
    """Another process holding the model (see model_process.py)."""

    def word_terms(self, words: list[str]) -> list[tuple[str, ...]]: ...


class KoreanAnalyzer:
    """Turn text into search terms; one instance per process (the model loads once).

    A helper process that already holds the model may be attached: `prime` then asks it
    for the words not yet seen instead of loading the model here.
    """

    def __init__(
        self, user_words: Iterable[str] = (), cache_size: int = 200_000, threads: int = 2
    ) -> None:
        self.user_words = sorted(set(user_words))
        self.threads = threads
        self.cache_size = cache_size
        self._kiwi: Any = None
        self._cache: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()
        self.helper: ModelHelper | None = None

    @classmethod
    def for_places(cls, gazetteer: Gazetteer) -> KoreanAnalyzer:
        """Return the analyzer that knows every place name of the gazetteer as one word."""
        return cls(gazetteer.all_names())

    def _model(self) -> Any:
        with self._lock:
            if self._kiwi is None:
                from kiwipiepy import Kiwi

                # Without the multi-word dictionary the model is ready in half the time
                # (about 1 s instead of 2.3 s on these machines); captions rarely hold its
                # entries, and the relevance set reads the same either way.
                kiwi = Kiwi(num_workers=self.threads, load_multi_dict=False)
                for word in self.user_words:
                    kiwi.add_user_word(word, "NNP", 0.0)
                self._kiwi = kiwi
            return self._kiwi

    def warm(self) -> None:
        """Load the model and run it once (it sets itself up on its first analysis)."""
        self._model().tokenize("나주")

    def prime(self, texts: Iterable[str]) -> None:
        """Analyse the not-yet-seen words of many texts in one multi-threaded call."""
        words = list({w for text in texts for w in self._words(text) if w not in self._cache})
        if not words:
            return
        if len(self._cache) + len(words) >= self.cache_size:
            self._cache.clear()
        if self.helper is not None and self._ask_helper(words):
            return
        for word, tokens in zip(words, self._model().tokenize(words), strict=True):
            self._cache[word] = tuple(term for term, _edge in self._keep(tokens))

    def _ask_helper(self, words: list[str]) -> bool:
        assert self.helper is not None
        try:
            answers = self.helper.word_terms(words)
        except OSError as exc:
            log.warning("%s; the model is loaded here instead", exc)
            self.helper = None
            return False
        self._cache.update(zip(words, answers, strict=True))
        return True

    def terms(self, text: str) -> list[str]:
        """Return index terms: content morphemes plus the edges of long nouns."""
        result: list[str] = []
        for word in self._words(text):
            result.extend(self._word_terms(word))
        return result

    def query_terms(self, text: str) -> list[str]:
        """Return the distinct content morphemes of a query (no compound edges)."""
        seen: list[str] = []
        for word in self._words(text):
            for term, _edge in self._analyse(word):
                if not _edge and term not in seen:
                    seen.append(term)
        return seen

    def _words(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFC", text or "").lower()
        return [w for w in _SPACES.split(text) if w]

    def word_terms(self, word: str) -> tuple[str, ...]:
        """Return one space-separated word's index terms (cached)."""
        return self._word_terms(word)

    def _word_terms(self, word: str) -> tuple[str, ...]:
        cached = self._cache.get(word)
        if cached is None:
            cached = tuple(term for term, _edge in self._analyse(word))
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            self._cache[word] = cached
        return cached

    def _analyse(self, word: str) -> list[tuple[str, bool]]:
        """Return (term, is_compound_edge) pairs for one space-separated word."""
        return self._keep(self._model().tokenize(word))

    def _keep(self, tokens: Iterable[Any]) -> list[tuple[str, bool]]:
        terms: list[tuple[str, bool]] = []
        for token in tokens:
            form, tag = token.form, token.tag.split("-")[0]
            keep = tag in CONTENT_TAGS or (tag in STEM_TAGS and len(form) >= 2)
            if not keep or form in STOPWORDS:
                continue
            terms.append((form, False))
            if tag in ("NNG", "NNP") and len(form) >= 3 and _HANGUL.match(form):
                terms.append((form[:2], True))
                terms.append((form[-2:], True))
        return terms
