"""What the search box suggests as you type: places, tags and people of published photos.

Matching is by Hangul letters (jamo), so a syllable still being composed matches: typing
영사 on the way to 영산 already offers 영산포.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Photo
from archive.places.gazetteer import Gazetteer
from archive.statuses import RecordStatus

KINDS = {"place": "장소", "tag": "주제어", "person": "인물"}
_PEOPLE_SEPARATORS = re.compile(r"\s*[,·/;、]\s*|\s+및\s+")
MAX_PERSON = 20


# A consonant typed alone (ㅊ) is a compatibility letter: read it as a syllable's first.
_LEADS = str.maketrans(
    dict(
        zip("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ", map(chr, range(0x1100, 0x1113)), strict=True)
    )
)
# A syllable's last consonant may be the next syllable's first while typing (남 → 나무).
_TAIL_TO_LEAD = {chr(0x11A8 + i): lead for i, lead in enumerate(
    "\u1100\u1101-\u1102--\u1103\u1105-------\u1106\u1107-\u1109\u110a\u110b\u110c"
    "\u110e\u110f\u1110\u1111\u1112") if lead != "-"}  # fmt: skip


def letters(text: str) -> str:
    """Return text without spaces, lower-case, Hangul decomposed into letters."""
    squashed = re.sub(r"\s+", "", text).lower().translate(_LEADS)
    return unicodedata.normalize("NFD", squashed)


def typed_forms(text: str) -> list[str]:
    """Return the letters of what was typed, and of its last consonant read as a lead."""
    typed = letters(text)
    forms = [typed]
    if typed and typed[-1] in _TAIL_TO_LEAD:
        forms.append(typed[:-1] + _TAIL_TO_LEAD[typed[-1]])
    return forms


@dataclass(frozen=True)
class Suggestion:
    """One word to offer: its label, kind, and how many photos it has (places: 0)."""

    label: str
    kind: str
    count: int

    def as_json(self) -> dict[str, object]:
        param = "place" if self.kind == "place" else "q"
        return {
            "label": self.label,
            "kind": self.kind,
            "kind_label": KINDS[self.kind],
            "count": self.count,
            "params": {param: self.label},
        }


class SuggestionList:
    """Every word that can be suggested, matched by letters from the start of a word."""

    def __init__(self, entries: Iterable[Suggestion]) -> None:
        order = {"place": 0, "tag": 1, "person": 2}
        unique: dict[tuple[str, str], Suggestion] = {}
        for entry in entries:  # 영산포 등대 and its alias 영산포등대 once
            unique.setdefault((entry.kind, letters(entry.label)), entry)
        self.entries = sorted(unique.values(), key=lambda s: (order[s.kind], -s.count, s.label))
        self._letters = [letters(s.label) for s in self.entries]

    def match(self, typed: str, limit: int = 8) -> list[Suggestion]:
        """Return up to limit suggestions whose label starts with what was typed."""
        wanted = tuple(form for form in typed_forms(typed) if form)
        if not wanted:
            return []
        found = [s for s, key in zip(self.entries, self._letters, strict=True)
                 if key.startswith(wanted)]  # fmt: skip
        return found[:limit]


def suggestion_list(session: Session, gazetteer: Gazetteer) -> SuggestionList:
    """Return the places, tags and people of published photos, with their counts (a place
    counts the photos of the places inside it; its aliases are offered too)."""
    tags: Counter[str] = Counter()
    people: Counter[str] = Counter()
    placed: Counter[str] = Counter()
    rows = session.execute(
        select(Photo.tags, Photo.people, Photo.places)
        .where(Photo.status == RecordStatus.PUBLISHED)
        .execution_options(yield_per=2000)  # streamed: no list of every record held
    )
    for photo_tags, photo_people, photo_places in rows:
        tags.update(set(photo_tags or []))
        people.update(set(split_people(photo_people or "")))
        placed.update({a for name in photo_places or [] for a in gazetteer.ancestors(name)})
    entries = [
        Suggestion(name, "place", count)
        for place, count in placed.items()
        if place in gazetteer.places
        for name in gazetteer.places[place].names
    ]
    entries += [Suggestion(tag, "tag", n) for tag, n in tags.items()]
    entries += [Suggestion(name, "person", n) for name, n in people.items()]
    return SuggestionList(entries)


def split_people(text: str) -> list[str]:
    """Return the names in a people field (separated by commas, middle dots, 및)."""
    names = (n.strip() for n in _PEOPLE_SEPARATORS.split(text))
    return [n for n in names if n and len(n) <= MAX_PERSON]
