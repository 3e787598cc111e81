"""The offline copy's search data: one script (browsers refuse fetch over file://, so the
data comes in by a script tag) that assets/search.js reads.

It carries, per record, the words to match and its years and places (with every place it
lies in), and the tables the online search understands dates and places by: the
gazetteer's names and aliases, the named periods, and the variant words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from archive.date_forms import Period
from archive.features.offline.collect import Record
from archive.places.gazetteer import Gazetteer, squash

GLOBAL = "NAJU_SEARCH"


def record_row(record: Record, gazetteer: Gazetteer, href: str) -> list[Any]:
    """Return [href, title, date text, place text, first year, last year, places, text,
    thumbnail] for one record (places: its own and every place they lie in)."""
    photo = record.photo
    places = sorted({a for name in photo.places or [] for a in gazetteer.ancestors(name)})
    words = [
        photo.title,
        photo.description,
        photo.place_text,
        photo.people,
        photo.date_text,
        photo.identifier or "",
        " ".join(photo.tags or []),
        " ".join(places),
    ]
    thumb = record.thumb.target if record.thumb else ""
    return [
        href,
        photo.title or "제목 없음",
        photo.date_text or "",
        photo.place_text or "",
        photo.date_start,
        photo.date_end,
        places,
        squash(" ".join(w for w in words if w)).casefold(),
        thumb,
    ]


def script(
    rows: list[list[Any]],
    gazetteer: Gazetteer,
    periods: Mapping[str, Period],
    variants: Iterable[Iterable[str]],
) -> str:
    """Return the JavaScript that sets window.NAJU_SEARCH."""
    names = {squash(n).casefold(): p.name for p in gazetteer.places.values() for n in p.names}
    seen: dict[str, list[Any]] = {}
    for key, period in periods.items():
        seen.setdefault(period.name, [period.name, period.start, period.end, []])[3].append(key)
    data = {
        "records": rows,
        "places": names,
        "periods": list(seen.values()),
        "variants": [[squash(w).casefold() for w in group] for group in variants],
    }
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"window.{GLOBAL} = {body};\n"
