"""The place facet as visitors see it: counted places as a tree of today's units, and the
historic units as their own branch (whichever backend counted them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.places.gazetteer import Gazetteer


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
