"""Stable ASCII keys for gazetteer places (OAI-PMH set names, offline copy file names)."""

from __future__ import annotations

import re

from korean_romanizer.romanizer import Romanizer

# Administrative units written after the name with a hyphen, as the Revised Romanization
# of Korean does (영산동 -> yeongsan-dong); a landmark keeps its name whole.
UNIT_SUFFIXES = ("시", "군", "읍", "면", "동", "리")
UNIT_KINDS = frozenset({*UNIT_SUFFIXES, "옛지명"})
KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def romanize(text: str) -> str:
    """Return the Revised Romanization of Korean text as a lower-case ASCII key."""
    latin = Romanizer(text).romanize().lower()
    return "-".join(re.findall(r"[a-z0-9]+", latin))


def place_key(name: str, kind: str) -> str:
    """Return the key of a place: its romanized name, a unit's suffix after a hyphen."""
    words = name.split()
    last = words[-1] if words else ""
    if kind in UNIT_KINDS and len(last) > 2 and last.endswith(UNIT_SUFFIXES):
        words[-1:] = [last[:-1], last[-1]]
    return "-".join(key for key in (romanize(word) for word in words) if key) or "place"
