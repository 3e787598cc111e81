"""The WHERE clause of an understood query over the search table: filters and matching."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archive.search.backend import PlaceFilter, Query
from archive.search.postgres.lexemes import all_of, any_of, clause_query, every


@dataclass
class Where:
    """Conditions joined by AND, with their bound values."""

    conditions: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def add(self, condition: str, **params: Any) -> Where:
        """Return a copy with one more condition."""
        return Where([*self.conditions, condition], self.params | params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions) or "TRUE"


def allowed(query: Query) -> Where:
    """Return what every returned record satisfies: status, era, places, not hidden."""
    where = Where().add("status = ANY(:statuses)", statuses=list(query.statuses))
    era = query.era
    if era is not None and era.start is not None and era.end is not None:
        where = where.add(
            "year_start > 0 AND year_start <= :era_end AND year_end >= :era_start",
            era_start=era.start,
            era_end=era.end,
        )
    for number, place in enumerate(query.places):
        where = _place(where, number, place)
    if query.hidden:
        where = where.add("NOT (public_id = ANY(:hidden))", hidden=list(query.hidden))
    return where


def _place(where: Where, number: int, place: PlaceFilter) -> Where:
    """Records placed at the place or inside it, or naming one of its names."""
    named = any_of(every(terms) for terms in place.alias_terms if every(terms))
    inside = f"places @> CAST(:place_{number} AS text[])"
    if not named:
        return where.add(inside, **{f"place_{number}": [place.name]})
    return where.add(
        f"({inside} OR terms @@ CAST(:alias_{number} AS tsquery))",
        **{f"place_{number}": [place.name], f"alias_{number}": named},
    )


def matching_all(where: Where, query: Query) -> Where:
    """Return the records holding every clause of the query."""
    match = all_of(clause_query(c) for c in query.clauses)
    return where.add("terms @@ CAST(:match AS tsquery)", match=match)


def matching_some(where: Where, query: Query) -> tuple[Where, str]:
    """Return the records holding some clause, and the SQL counting how many each holds."""
    parts = [clause_query(c) for c in query.clauses]
    counted = " + ".join(f"(terms @@ CAST(:clause_{i} AS tsquery))::int" for i in range(len(parts)))
    clauses = {f"clause_{i}": part for i, part in enumerate(parts)}
    return where.add("terms @@ CAST(:match AS tsquery)", match=any_of(parts), **clauses), counted
