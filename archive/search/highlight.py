"""Mark query words in a hit's title or description (HTML-escaped)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

CONTEXT = 40


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...], places: tuple[str, ...]) -> re.Pattern[str] | None:
    """Return the pattern of the words to mark, longest first (built once per search:
    every hit of a page asks for the same)."""
    words = sorted({w for w in [*terms, *places] if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def highlight(hit: dict[str, Any], terms: list[str], places: list[str]) -> str:
    """Return a short escaped snippet with <mark> around the words that matched."""
    description = hit.pop("_description", "") or ""
    pattern = _pattern(tuple(terms), tuple(places))
    if pattern is None:
        return str(escape(description[: CONTEXT * 2]))
    for text in (description, hit.get("title", "")):
        match = pattern.search(text)
        if match:
            start = max(0, match.start() - CONTEXT)
            end = min(len(text), match.end() + CONTEXT)
            snippet = text[start:end]
            marked = pattern.sub(lambda m: f"\0{m.group(0)}\1", snippet)
            html = str(escape(marked)).replace("\0", "<mark>").replace("\1", "</mark>")
            return ("…" if start else "") + html + ("…" if end < len(text) else "")
    return str(Markup.escape(description[: CONTEXT * 2]))
