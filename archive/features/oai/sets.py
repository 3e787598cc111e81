"""The OAI-PMH sets of the archive: by decade, by place and by exhibition.

Set specs are ASCII and hierarchical: `decade:1970s`; `place:yeongsan-dong:yeongsanpo`
from the gazetteer's stable keys through today's parents (the city itself is the top of
the `place` set); `exhibition:<slug>`. A record dated across decades is in each decade it
overlaps, as on the timeline and in the IIIF collections. Asking for a set returns the
records of its subsets too (OAI-PMH 2.0, 4.6).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.dates import decades_between
from archive.models import Exhibition, ExhibitionItem, Photo
from archive.places.gazetteer import Gazetteer
from archive.statuses import ExhibitionStatus, RecordStatus

DECADE, PLACE, EXHIBITION = "decade", "place", "exhibition"
TOP_SETS = {DECADE: "시대별 (decades)", PLACE: "장소별 (places)", EXHIBITION: "전시 (exhibitions)"}
# Years before this are not a decade of the archive (a mistyped date is not a set).
FIRST_DECADE = 1800


@dataclass(frozen=True)
class SetEntry:
    """One set as ListSets shows it."""

    spec: str
    name: str


def decade_specs(start: int | None, end: int | None) -> list[str]:
    """Return the decade sets a date range overlaps (none for an undated record)."""
    if start is None or end is None or end < start:
        return []
    return [f"{DECADE}:{d}s" for d in decades_between(max(start, FIRST_DECADE), end)][:30]


def place_specs(places: Iterable[str], gazetteer: Gazetteer) -> list[str]:
    """Return the place sets of a record's canonical place names."""
    specs = []
    for name in places:
        path = gazetteer.key_path(name)
        if path:
            specs.append(":".join((PLACE, *path)))
    return list(dict.fromkeys(specs))


def record_facts(photo: Any) -> tuple[list[str], int | None, int | None]:
    """Return the places and years a record's sets come from (an erased record's former
    ones, kept at erasure)."""
    if photo.status == RecordStatus.ERASED and photo.former_sets:
        kept: Mapping[str, Any] = photo.former_sets
        return list(kept.get("places") or []), kept.get("date_start"), kept.get("date_end")
    return list(photo.places or []), photo.date_start, photo.date_end


def record_specs(photo: Any, gazetteer: Gazetteer, exhibitions: Iterable[str]) -> list[str]:
    """Return every set spec of a record (exhibitions: the slugs of those it is in)."""
    places, start, end = record_facts(photo)
    return [
        *decade_specs(start, end),
        *place_specs(places, gazetteer),
        *(f"{EXHIBITION}:{slug}" for slug in exhibitions),
    ]


def in_set(spec: str, specs: Iterable[str]) -> bool:
    """Return whether a record with these specs is in the set (or one of its subsets)."""
    return any(s == spec or s.startswith(spec + ":") for s in specs)


def exhibitions_of(session: Session, photo_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Return the published exhibitions each photo is in, as (slug, title)."""
    found: dict[int, list[tuple[str, str]]] = {}
    for start in range(0, len(photo_ids), 500):
        rows = session.execute(
            select(ExhibitionItem.photo_id, Exhibition.slug, Exhibition.title)
            .join(Exhibition, Exhibition.id == ExhibitionItem.exhibition_id)
            .where(
                ExhibitionItem.photo_id.in_(photo_ids[start : start + 500]),
                Exhibition.status == ExhibitionStatus.PUBLISHED,
            )
            .order_by(Exhibition.published_at, Exhibition.id)
        )
        for photo_id, slug, title in rows:
            found.setdefault(photo_id, []).append((slug, title))
    return found


def all_sets(session: Session, gazetteer: Gazetteer) -> list[SetEntry]:
    """Return the sets that hold published records, with every parent of a subset."""
    specs: set[str] = set()
    rows = session.execute(
        select(Photo.places, Photo.date_start, Photo.date_end).where(
            Photo.status == RecordStatus.PUBLISHED
        )
    )
    for places, start, end in rows:
        specs.update(decade_specs(start, end), place_specs(places or [], gazetteer))
    titles = dict(
        session.execute(
            select(Exhibition.slug, Exhibition.title).where(
                Exhibition.status == ExhibitionStatus.PUBLISHED
            )
        ).all()
    )
    specs.update(f"{EXHIBITION}:{slug}" for slug in titles)
    for spec in list(specs):  # a subset's parents are sets too
        parts = spec.split(":")
        specs.update(":".join(parts[:n]) for n in range(1, len(parts)))
    names = _place_names(gazetteer)
    return [SetEntry(s, _set_name(s, names, titles)) for s in sorted(specs, key=_order)]


def _place_names(gazetteer: Gazetteer) -> dict[str, str]:
    paths = {name: gazetteer.key_path(name) for name in gazetteer.places}
    return {":".join((PLACE, *path)): name for name, path in paths.items() if path}


def _set_name(spec: str, places: dict[str, str], titles: dict[str, str]) -> str:
    kind, _, rest = spec.partition(":")
    if not rest:
        return TOP_SETS[kind]
    if kind == DECADE:
        return f"{rest[:4]}년대"
    if kind == PLACE:
        return places.get(spec, rest)
    return titles.get(rest, rest)


def _order(spec: str) -> tuple[int, str]:
    return (list(TOP_SETS).index(spec.split(":")[0]), spec)


def known_set(spec: str) -> bool:
    """Return whether a set spec names one of the archive's kinds of set."""
    return spec.split(":")[0] in TOP_SETS
