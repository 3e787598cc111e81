"""The PostgreSQL backend's half of a search: an understood query as SQL over one table.

Filters and matching are a WHERE clause (the GIN index answers the terms); records
ordered by date or era are sorted by PostgreSQL a page at a time; records ordered by
relevance come back with their ranking terms' weights and are scored by BM25 here
(archive.search.postgres.ranking); totals and facets are one grouped query.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Protocol, TypeVar

import numpy as np
from sqlalchemy import Connection, text

from archive.search.backend import Hits, Query
from archive.search.postgres import ranking
from archive.search.postgres.where import Where, allowed, matching_all, matching_some

T = TypeVar("T")


class PostgresIndexView(Protocol):
    """What a search reads of its view (archive.search.postgres.view)."""

    cities: frozenset[str]

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T: ...

    def statistics(self) -> ranking.Statistics: ...

    def frequencies(self, terms: list[str]) -> dict[str, tuple[int, ...]]: ...


MAX_LIMIT = 200
UNKNOWN_LAST = 10_000
SPILL = "greatest(:era_start - year_start, 0) + greatest(year_end - :era_end, 0)"


def run(view: PostgresIndexView, connection: Connection, query: Query) -> Hits:
    """Run an understood query."""
    request = query.request
    if query.vague:  # only general words: nothing to look for
        return Hits(0, [], {"decades": {}, "places": {}})
    where, counted = _matching(connection, allowed(query), query)
    facets, total = view.remember(
        ("facets", query.key, request.facets),
        lambda: _facets_and_total(connection, where, query, view.cities),
    )
    hits: list[dict[str, Any]] = []
    if request.hits and total:
        by_date = request.sort in ("oldest", "newest")
        if by_date or not query.ranking:
            hits = _sorted_page(connection, where, query, by_date)
        else:
            hits = _ranked_page(view, connection, where, counted, query)
        if request.details:
            hits = _with_details(connection, hits)
    return Hits(total, hits, facets, counted is not None and total > 0)


def _matching(connection: Connection, where: Where, query: Query) -> tuple[Where, str | None]:
    """Return the records with every clause; failing that (of two clauses or more), those
    with some, and the SQL counting how many each has."""
    if not query.clauses:
        return where, None
    every = matching_all(where, query)
    if len(query.clauses) < 2 or _exists(connection, every):
        return every, None
    return matching_some(where, query)


def _exists(connection: Connection, where: Where) -> bool:
    sql = f"SELECT 1 FROM search_documents WHERE {where.sql} LIMIT 1"
    return connection.execute(text(sql), where.params).first() is not None


FACETS_SQL = """
WITH m AS MATERIALIZED (SELECT year_start, year_end, places FROM search_documents WHERE {where})
SELECT 'total', '', count(*) FROM m
UNION ALL
SELECT 'decades', d::text, count(*) FROM m,
    generate_series(m.year_start / 10 * 10, greatest(m.year_end, m.year_start) / 10 * 10, 10) d
    WHERE {facets} AND m.year_start > 0 GROUP BY d
UNION ALL
SELECT 'places', p, count(*) FROM m, unnest(m.places) p WHERE {facets} GROUP BY p
UNION ALL
SELECT 'years', m.year_start::text, count(*) FROM m
    WHERE {years} AND m.year_start > 0 AND m.year_start = m.year_end GROUP BY m.year_start
"""


def _facets_and_total(
    connection: Connection, where: Where, query: Query, cities: frozenset[str]
) -> tuple[dict[str, dict[str, int]], int]:
    """Return the facets asked for and the total, in one statement (the place facet
    leaves out the city every record lies in)."""
    facets, years = query.request.facets, query.request.facets and query.years
    sql = FACETS_SQL.format(where=where.sql, facets=str(facets).upper(), years=str(years).upper())
    found: dict[str, dict[str, int]] = {"decades": {}, "places": {}}
    if years:
        found["years"] = {}
    total = 0
    for kind, value, count in connection.execute(text(sql), where.params):
        if kind == "total":
            total = int(count)
        elif kind == "decades":
            found[kind][f"{value}s"] = int(count)
        else:
            found[kind][value] = int(count)
    for name in ("decades", "years"):  # four-digit years: in order as text
        if name in found:
            found[name] = dict(sorted(found[name].items()))
    places = {n: c for n, c in found["places"].items() if n not in cities}
    found["places"] = dict(sorted(places.items(), key=lambda item: (-item[1], item[0])))
    return found, total


def _sorted_page(
    connection: Connection, where: Where, query: Query, by_date: bool
) -> list[dict[str, Any]]:
    """Return one page ordered by date, or (filters alone) by date within the era."""
    request = query.request
    start = f"CASE WHEN year_start > 0 THEN year_start ELSE {UNKNOWN_LAST} END"
    params = dict(where.params)
    if by_date and request.sort == "newest":
        order = f"CASE WHEN year_start > 0 THEN -year_end ELSE {UNKNOWN_LAST} END, precision"
    elif by_date:
        order = f"{start}, precision"
    elif query.era is not None and query.era.start is not None and query.era.end is not None:
        params |= {"era_start": query.era.start, "era_end": query.era.end}
        order = f"{SPILL}, precision, {start}"
    else:
        order = f"{start}, precision"
    sql = (
        f"SELECT public_id FROM search_documents WHERE {where.sql} "
        f"ORDER BY {order}, seq LIMIT :limit OFFSET :offset"
    )
    params |= {"limit": _limit(query), "offset": max(request.offset, 0)}
    return [{"id": row[0], "score": None} for row in connection.execute(text(sql), params)]


RANKED_SQL = """
SELECT d.public_id, d.seq, d.precision, d.year_start, d.year_end, d.lengths,
    f.found_terms, f.found_letters{counted}
FROM search_documents d
LEFT JOIN LATERAL (
    SELECT array_agg(u.lexeme) AS found_terms,
        array_agg(array_to_string(u.weights, '')) AS found_letters
    FROM unnest(d.terms) u WHERE u.lexeme = ANY(:ranking)
) f ON TRUE
WHERE {where}
"""


def _ranked_page(
    view: PostgresIndexView,
    connection: Connection,
    where: Where,
    counted: str | None,
    query: Query,
) -> list[dict[str, Any]]:
    """Return one page by relevance (the whole ordering is kept for the next pages)."""
    request = query.request

    def order() -> tuple[list[str], np.ndarray]:
        pairs = ranking.ranked_terms(query.ranking)
        terms = [t for t, _w in pairs]
        sql = RANKED_SQL.format(
            where=where.sql.replace("terms @@", "d.terms @@"),
            counted=f", {counted.replace('terms @@', 'd.terms @@')} AS counts" if counted else "",
        )
        rows = connection.execute(text(sql), where.params | {"ranking": terms}).all()
        if not rows:
            return [], np.zeros(0)
        scores = ranking.scores(rows, pairs, view.statistics(), view.frequencies(terms))
        keys = [np.array([r.seq for r in rows]), np.array([r.precision for r in rows]), -scores]
        era = query.era
        if era is not None and era.start is not None and era.end is not None:
            starts = np.array([r.year_start for r in rows])
            ends = np.array([r.year_end for r in rows])
            keys.append(np.maximum(era.start - starts, 0) + np.maximum(ends - era.end, 0))
        if counted:
            keys.append(-np.array([r.counts for r in rows]))
        sequence = np.lexsort(tuple(keys))
        return [rows[i].public_id for i in sequence], scores[sequence]

    ids, scores = view.remember(("ranked", query.key), order)
    end = request.offset + _limit(query)
    chosen = zip(ids[request.offset : end], scores[request.offset : end], strict=True)
    return [{"id": i, "score": float(s)} for i, s in chosen]


def _with_details(connection: Connection, hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the hits with the fields shown with them."""
    ids = [hit["id"] for hit in hits]
    sql = "SELECT public_id, stored FROM search_documents WHERE public_id = ANY(:ids)"
    stored: dict[str, Any] = dict(connection.execute(text(sql), {"ids": ids}).all())
    return [_detailed(hit, stored.get(hit["id"]) or {}) for hit in hits]


def _detailed(hit: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": hit["id"],
        "identifier": stored.get("identifier"),
        "title": stored.get("title", ""),
        "date": stored.get("date", ""),
        "place": stored.get("place", ""),
        "score": hit["score"],
        "_description": stored.get("description", ""),
    }


def _limit(query: Query) -> int:
    return max(1, min(query.request.limit, MAX_LIMIT))
