"""The total and facets of a search in one grouped statement.

PostgreSQL groups the matched rows by decade span, by their list of places and by single
year (GROUPING SETS); the few groups are spread here over every decade a span covers and
every place a list names, so no row is expanded in SQL.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection, text

from archive.search.postgres.where import Where

# GROUPING(ds, de, places, single): the bits of the columns aggregated away in a row.
DECADES, PLACES, YEARS, TOTAL = 0b0011, 0b1101, 0b1110, 0b1111
SQL = """
SELECT GROUPING(ds, de, places, single) AS kind, ds, de, places, single, count(*)
FROM (
    SELECT CASE WHEN year_start > 0 THEN year_start / 10 END AS ds,
        greatest(year_end, year_start) / 10 AS de, places,
        CASE WHEN year_start > 0 AND year_start = year_end THEN year_start END AS single
    FROM search_documents WHERE {where}
) m
GROUP BY GROUPING SETS ((), (ds, de), (places), (single))
"""


def facets_and_total(
    connection: Connection, where: Where, asked: bool, years: bool, cities: frozenset[str]
) -> tuple[dict[str, dict[str, int]], int]:
    """Return the facets asked for (decades, places but the city every record lies in,
    single years when years) and the total."""
    if not asked:
        sql = f"SELECT count(*) FROM search_documents WHERE {where.sql}"
        total = int(connection.execute(text(sql), where.params).scalar() or 0)
        return {"decades": {}, "places": {}}, total
    decades: Counter[int] = Counter()
    places: Counter[str] = Counter()
    singles: Counter[int] = Counter()
    total = 0
    for row in connection.execute(text(SQL.format(where=where.sql)), where.params):
        total = _tally(row, decades, places, singles) or total
    found: dict[str, dict[str, int]] = {
        "decades": {f"{d * 10}s": decades[d] for d in sorted(decades)},
        "places": dict(
            sorted(
                ((n, c) for n, c in places.items() if n not in cities),
                key=lambda item: (-item[1], item[0]),
            )
        ),
    }
    if years:
        found["years"] = {str(y): singles[y] for y in sorted(singles)}
    return found, total


def _tally(
    row: Any, decades: Counter[int], places: Counter[str], singles: Counter[int]
) -> int | None:
    """Add a group to its facet; return the total when the row is the total's."""
    kind, first, last, names, single, count = row
    if kind == TOTAL:
        return int(count)
    if kind == DECADES and first is not None:
        for decade in range(first, last + 1):
            decades[decade] += count
    elif kind == PLACES:
        for name in names or ():
            places[name] += count
    elif kind == YEARS and single is not None:
        singles[single] += count
    return None
