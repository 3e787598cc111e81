"""What a search page with no photos offers instead of a dead end: the decades and places
that do have photos, those nearest to what was asked first, each with its count."""

from __future__ import annotations

from dataclasses import dataclass

from archive.features.gallery.browse import search_public
from archive.places.gazetteer import Gazetteer
from archive.runtime import Runtime
from archive.search.query import SearchRequest, SearchResult

DECADES, PLACES = 6, 8


@dataclass(frozen=True)
class Offers:
    """Decades (as "1960s") and places with their number of photos."""

    decades: list[tuple[str, int]]
    places: list[tuple[str, int]]


def offers_for(runtime: Runtime, result: SearchResult) -> Offers:
    """Return what the archive has, nearest to the era and places a search asked for."""
    counted = search_public(runtime, SearchRequest("", hits=False, assist=False))
    era = result.understood.era
    asked = era.start // 10 * 10 if era is not None and era.start is not None else None
    decades = sorted(
        counted.facets["decades"].items(),
        key=lambda item: (
            (abs(int(item[0][:-1]) - asked), item[0]) if asked is not None else (-item[1], item[0])
        ),
    )
    near = _near_places(runtime.gazetteer, result.understood.places)
    places = sorted(
        counted.facets["places"].items(), key=lambda item: (item[0] not in near, -item[1], item[0])
    )
    return Offers(decades[:DECADES], places[:PLACES])


def _near_places(gazetteer: Gazetteer, asked: list[str]) -> set[str]:
    """Return the places around those asked for: their parent and the parent's others."""
    near: set[str] = set()
    for name in asked:
        parent = gazetteer.places[name].parent if name in gazetteer.places else None
        if parent:
            near.add(parent)
            near.update(n for n, p in gazetteer.places.items() if p.parent == parent and n != name)
    return near
