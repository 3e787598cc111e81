"""Mark query words in a hit's title or description (HTML-escaped)."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

CONTEXT = 40


def highlight(hit: dict[str, Any], terms: list[str], places: list[str]) -> str:
    """Return a short escaped snippet with <mark> around the words that matched."""
    description = hit.pop("_description", "") or ""
    words = sorted({w for w in [*terms, *places] if w}, key=len, reverse=True)
    if not words:
        return str(escape(description[: CONTEXT * 2]))
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
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
