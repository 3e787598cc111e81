"""Facet counts of matched records: per decade and per place."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from archive.search.gazetteer import Gazetteer
from archive.search.whoosh.view import DocSet, SearchView


def decade_counts(view: SearchView, matched: DocSet) -> dict[str, int]:
    """Count matched records per decade; a range counts in every decade it overlaps."""
    starts, ends = view.column("year_start")[matched], view.column("year_end")[matched]
    known = starts > 0
    if not known.any():
        return {}
    starts, ends = starts[known], ends[known]
    counts: dict[str, int] = {}
    for decade in range(int(starts.min()) // 10 * 10, int(ends.max()) + 1, 10):
        count = int(np.count_nonzero((starts <= decade + 9) & (ends >= decade)))
        if count:
            counts[f"{decade}s"] = count
    return counts


def place_counts(view: SearchView, matched: DocSet, gazetteer: Gazetteer) -> dict[str, int]:
    """Count matched records per place (a place counts the places inside it too)."""
    counts: dict[str, int] = {}
    for name, place in gazetteer.places.items():
        if place.kind == "시":
            continue  # every record lies in 나주시
        mask = view.mask_of("places", (name,))
        count = int(np.count_nonzero(mask[matched]))
        if count:
            counts[name] = count
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@dataclass
class PlaceNode:
    """A place of the facet tree with its count and the places inside it."""

    name: str
    count: int
    children: list[PlaceNode] = field(default_factory=list)


def place_tree(counts: dict[str, int], gazetteer: Gazetteer) -> dict[str, list[PlaceNode]]:
    """Return the counted places as one tree of today's units (읍·면·동, then what lies in
    them), and the historic units (나주군, 금성시 …) as their own branch."""
    historic = [n for n in counts if gazetteer.places[n].kind == "옛지명"]
    today = [n for n in counts if n not in historic]
    children: dict[str | None, list[str]] = {}
    for name in today:
        parent = gazetteer.places[name].parent
        root = parent is None or parent not in today
        children.setdefault(None if root else parent, []).append(name)

    def nodes(parent: str | None) -> list[PlaceNode]:
        names = sorted(children.get(parent, []), key=lambda n: (-counts[n], n))
        return [PlaceNode(n, counts[n], nodes(n)) for n in names]

    return {
        "today": nodes(None),
        "historic": [PlaceNode(n, counts[n]) for n in sorted(historic, key=lambda n: -counts[n])],
    }


def year_counts(view: SearchView, matched: DocSet) -> dict[int, int]:
    """Count matched records dated to a single year, per year (ranges are not counted)."""
    starts, ends = view.column("year_start")[matched], view.column("year_end")[matched]
    single = (starts > 0) & (starts == ends)
    years, counts = np.unique(starts[single], return_counts=True)
    return {int(y): int(c) for y, c in zip(years, counts, strict=True)}
