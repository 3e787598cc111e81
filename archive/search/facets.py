"""Facet counts of matched records: per decade and per place."""

from __future__ import annotations

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
