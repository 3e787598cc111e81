"""A Whoosh field for text that KoreanAnalyzer has already turned into terms.

The index's schema is pickled into its table of contents, so this class keeps its
import path: moving it means running `archive reindex`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import KEYWORD, TEXT
from whoosh.system import pack_uint


class PlacesField(KEYWORD):
    """Comma-separated place names (existence only), indexed without a token pipeline."""

    def __init__(self) -> None:
        super().__init__(commas=True)

    def index(self, value: Any, **_kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """Yield one posting per distinct name."""
        for name in dict.fromkeys(n.strip() for n in str(value).split(",") if n.strip()):
            yield name.encode("utf-8"), 1, 1.0, pack_uint(1)


class TermsField(TEXT):
    """Space-separated, pre-analysed terms; frequencies only; not scored by Whoosh.

    Scoring is done by archive.search.whoosh.scoring with the *_len columns, so Whoosh keeps
    no lengths or block statistics, and indexing skips its token pipeline.
    """

    def __init__(self) -> None:
        super().__init__(analyzer=SpaceSeparatedTokenizer(), phrase=False)
        self.scorable = False

    def index(self, value: Any, **_kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """Yield (term bytes, frequency, weight, encoded frequency) for each distinct term."""
        for term, freq in Counter(str(value).split()).items():
            yield term.encode("utf-8"), freq, float(freq), pack_uint(freq)
