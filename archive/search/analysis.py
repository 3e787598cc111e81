"""Korean analysis with kiwipiepy: content morphemes, compounds split where the lexicon says.

Index text and queries go through the same steps: Hanja read as Hangul (羅州 → 나주),
kiwipiepy with the lexicon's words (archive.search.lexicon), content morphemes kept, and
the lexicon's compounds replaced by their parts. A word is never cut into syllables that
are not a word of their own, so a short name does not match a longer one containing it.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from archive.errors import ConfigError
from archive.search.hanja import hangul_reading
from archive.search.lexicon import Lexicon

if TYPE_CHECKING:
    from archive.config import Settings
    from archive.places.gazetteer import Gazetteer
    from archive.search.variants import Variants

# Part-of-speech tags kept as search terms: nouns, numbers, foreign words, hanja, roots.
CONTENT_TAGS = {"NNG", "NNP", "NR", "SL", "SH", "SN", "XR"}
# Verb and adjective stems are kept when they carry meaning on their own (two syllables or
# more); so are "interjections", which is how kiwipiepy reads some nouns standing alone.
STEM_TAGS = {"VV", "VA", "IC"}
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
        "edges:0",
        "multi-dict:0",
        "hanja:1",
        "fragments:1",
        "units:1",
    ]
)
log = logging.getLogger(__name__)
_SPACES = re.compile(r"\s+")
_HANGUL_WORD = re.compile(r"[가-힣]{2,}")
# Tags of a word kiwipiepy could only read as pieces when it stands alone.
FRAGMENT_TAGS = {"MM", "NNB", "NR", "XPN", "XSN", "IC", "UN", "NA"}
# Endings that make another administrative unit of a name (금천구 is not 금천면).
UNIT_ENDINGS = {"구", "군", "시", "동", "리", "면", "읍"}
_HANJA = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class ModelHelper(Protocol):
    """Another process holding the model (see model_process.py)."""

    def word_terms(self, words: list[str]) -> list[tuple[str, ...]]: ...


class KoreanAnalyzer:
    """Turn text into search terms; one instance per process (the model loads once).

    A helper process that already holds the model may be attached: `prime` then asks it
    for the words not yet seen instead of loading the model here.
    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        variants: Variants | None = None,
        cache_size: int = 200_000,
        threads: int = 2,
    ) -> None:
        self.lexicon = lexicon or Lexicon()
        self.variants = variants
        self.user_words = sorted(self.lexicon.whole | set(self.lexicon.splits))
        self.threads = threads
        self.cache_size = cache_size
        self._kiwi: Any = None
        self._cache: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()
        # Held while the model analyses or learns words: the model may be handed to the
        # analyzer of new tables (see follow), which teaches it words meanwhile.
        self._using = threading.Lock()
        self.helper: ModelHelper | None = None

    @property
    def version(self) -> str:
        """Return what the index terms depend on: the steps and the lexicon."""
        return f"{ANALYSIS_VERSION}|{self.lexicon.digest}"

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

    def follow(self, previous: KoreanAnalyzer) -> None:
        """Take over the model a previous analyzer of this process loaded, when the
        reference tables change: one model per process at any time.

        With the same lexicon (the variants or periods changed) the model and the word
        cache are reused as they are. With a new one (the gazetteer changed) the same
        model learns the lexicon's new words and the word cache starts afresh. A model
        loaded before the web server forked cannot be freed in a worker (its threads stayed
        in the parent), and loading a second one would cost each worker about 400 MB; so
        a name taken out of the gazetteer stays known to a running process's model (it is
        still read as one word) until the process restarts.
        """
        with previous._lock:
            model = previous._kiwi
        if model is None:
            return
        self._using = previous._using  # one model, one lock, whoever holds it
        if previous.lexicon.digest == self.lexicon.digest:
            self._kiwi, self._cache = model, previous._cache
            return
        with self._using:
            for word in sorted(set(self.user_words) - set(previous.user_words)):
                model.add_user_word(word, "NNP", 0.0)
        self._kiwi = model

    def _tokenize(self, text: Any) -> Any:
        """Analyse a text (or a list of texts) with the model."""
        model = self._model()
        with self._using:
            return model.tokenize(text)

    def warm(self) -> None:
        """Load the model and run it once (it sets itself up on its first analysis)."""
        self._tokenize("나주")

    def prime(self, texts: Iterable[str]) -> None:
        """Analyse the not-yet-seen words of many texts in one multi-threaded call."""
        words = list({w for text in texts for w in self._words(text) if w not in self._cache})
        if not words:
            return
        if len(self._cache) + len(words) >= self.cache_size:
            self._cache.clear()
        if self.helper is not None and self._ask_helper(words):
            return
        for word, tokens in zip(words, self._tokenize(words), strict=True):
            self._cache[word] = tuple(self._keep(word, tokens))

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
        """Return index terms: content morphemes, compounds as their parts."""
        result: list[str] = []
        for word in self._words(text):
            result.extend(self._word_terms(word))
        return result

    def query_terms(self, text: str) -> list[str]:
        """Return the distinct terms of a query, analysed as index text is."""
        seen: list[str] = []
        for word in self._words(text):
            seen.extend(t for t in self._word_terms(word) if t not in seen)
        return seen

    def _words(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFC", text or "").lower()
        if _HANJA.search(text):
            text = hangul_reading(text)
        return [w for w in _SPACES.split(text) if w]

    def word_terms(self, word: str) -> tuple[str, ...]:
        """Return one space-separated word's index terms (cached)."""
        return self._word_terms(word)

    def _word_terms(self, word: str) -> tuple[str, ...]:
        cached = self._cache.get(word)
        if cached is None:
            cached = tuple(self._keep(word, self._tokenize(word)))
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            self._cache[word] = cached
        return cached

    def _keep(self, word: str, tokens: Iterable[Any]) -> list[str]:
        """Return the content morphemes of a word's tokens, the lexicon's compounds as
        parts, a name with another unit's ending as one word (금천 + 구: 금천구)."""
        terms: list[str] = []
        tags: list[str] = []
        splits, whole = self.lexicon.splits, self.lexicon.whole
        for token in tokens:
            form, tag = token.form, token.tag.split("-")[0]
            tags.append(tag)
            if form in UNIT_ENDINGS and terms and terms[-1] in whole and tags[-2:-1] == ["NNP"]:
                terms[-1] += form
                continue
            keep = tag in CONTENT_TAGS or (tag in STEM_TAGS and len(form) >= 2)
            if keep and form not in STOPWORDS:
                terms.extend(splits.get(form, (form,)))
        if not terms and tags and set(tags) <= FRAGMENT_TAGS and _HANGUL_WORD.fullmatch(word):
            return [word]  # a noun read alone as fragments: 고분 as 고(MM) + 분(NNB)
        return terms


def analyzer_for(
    gazetteer: Gazetteer, settings: Settings | None = None, variants: bytes | None = None
) -> KoreanAnalyzer:
    """Return the analyzer of a gazetteer with the domain dictionary and variants tables
    the settings name (ARCHIVE_WORDS, ARCHIVE_VARIANTS; the packaged ones by default).

    :param variants: the variants table's content to use instead (an admin's copy).

    :raises ConfigError: when a table cannot be read.
    """
    from archive.search.lexicon import WORDS_FILE, build_lexicon, load_words
    from archive.search.variants import VARIANTS_FILE, load_variants

    words = read_table_setting(settings.words if settings else "", WORDS_FILE, "ARCHIVE_WORDS")
    if variants is None:
        variants = read_table_setting(
            settings.variants if settings else "", VARIANTS_FILE, "ARCHIVE_VARIANTS"
        )
    lexicon = build_lexicon(gazetteer, load_words(words, "words"))
    return KoreanAnalyzer(lexicon, load_variants(variants, "variants"))


def read_table_setting(setting: str, default: Path, name: str) -> bytes:
    """Return the bytes of the table a setting names (the packaged one when empty).

    :raises ConfigError: when the file cannot be read.
    """
    path = Path(setting.strip()) if setting.strip() else default
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{name}={path}: 표를 읽을 수 없습니다 / cannot read the table: {exc}"
        ) from exc
