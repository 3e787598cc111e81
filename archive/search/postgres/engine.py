"""The PostgreSQL backend's half of a search: an understood query as SQL over one table.

Filters and matching are a WHERE clause (the GIN index answers the terms); PostgreSQL
orders a page at a time, by date, by era or by the BM25 of archive.search.postgres.ranking;
totals and facets are one grouped query (archive.search.postgres.facets). Pages and facets
are kept per generation, so the pages of one search share them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, text

from archive.search.backend import Hits, Query
from archive.search.postgres import ranking
from archive.search.postgres.facets import facets_and_total
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
SPILL = "greatest(:era_start - d.year_start, 0) + greatest(d.year_end - :era_end, 0)"


def run(view: PostgresIndexView, connection: Connection, query: Query) -> Hits:
    """Run an understood query."""
    request = query.request
    if query.vague:  # only general words: nothing to look for
        return Hits(0, [], {"decades": {}, "places": {}})
    where, counted = _matching(connection, allowed(query), query)
    facets, total = view.remember(
        ("facets", query.key, request.facets),
        lambda: facets_and_total(
            connection, where, request.facets, request.facets and query.years, view.cities
        ),
    )
    hits: list[dict[str, Any]] = []
    if request.hits and total:
        by_date = request.sort in ("oldest", "newest")
        page = ("page", query.key, request.sort, request.offset, _limit(query))
        if by_date or not query.ranking:
            hits = view.remember(page, lambda: _sorted_page(connection, where, query, by_date))
        else:
            hits = view.remember(
                page, lambda: _ranked_page(view, connection, where, counted, query)
            )
        hits = [dict(hit) for hit in hits]  # a copy: details are added to the hits
        if request.details:
            hits = _with_details(connection, hits)
    copied = {name: dict(counts) for name, counts in facets.items()}  # kept ones stay as they are
    return Hits(total, hits, copied, counted is not None and total > 0)


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
        f"SELECT d.public_id FROM search_documents d WHERE {where.sql} "
        f"ORDER BY {order}, d.seq LIMIT :limit OFFSET :offset"
    )
    params |= {"limit": _limit(query), "offset": max(request.offset, 0)}
    return [{"id": row[0], "score": None} for row in connection.execute(text(sql), params)]


def _ranked_page(
    view: PostgresIndexView,
    connection: Connection,
    where: Where,
    counted: str | None,
    query: Query,
) -> list[dict[str, Any]]:
    """Return one page by relevance: more clauses held, closer to the era, BM25, precise
    dates, order of writing (the Whoosh backend's order)."""
    request = query.request
    pairs = ranking.ranked_terms(query.ranking)
    stats = view.statistics()
    params = where.params | ranking.factors(pairs, stats, view.frequencies([t for t, _ in pairs]))
    order = []
    if counted:
        order.append(f"({counted}) DESC")
    era = query.era
    if era is not None and era.start is not None and era.end is not None:
        order.append(SPILL)
        params |= {"era_start": era.start, "era_end": era.end}
    sql = (
        "SELECT d.public_id, round(coalesce(s.score, 0)::numeric, 4) AS score "
        f"FROM search_documents d {ranking.score_sql()} "
        f"WHERE {where.sql} "
        f"ORDER BY {', '.join([*order, 'score DESC', 'd.precision', 'd.seq'])} "
        "LIMIT :limit OFFSET :offset"
    )
    params |= {"limit": _limit(query), "offset": max(request.offset, 0)}
    return [{"id": row[0], "score": float(row[1])} for row in connection.execute(text(sql), params)]


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
