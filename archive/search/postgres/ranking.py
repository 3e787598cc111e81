"""BM25 in SQL over the matched rows, as the Whoosh backend scores: the same fields,
boosts and collection statistics, so both engines rank a record the same way (an exact
title first, a memory mention below the record's own fields).

A row's term frequency in a field is the number of the term's positions carrying the
field's weight letter; the collection's size, mean field lengths and the terms' document
frequencies per field are the ones the index writer counted (archive.search.postgres.counts),
bound into the statement as each term's factor per field.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from archive.search.documents import TEXT_FIELDS
from archive.search.postgres.lexemes import LETTERS, lexeme, usable

K1, B = 1.2, 0.75
BOOSTS = tuple(TEXT_FIELDS.values())


@dataclass(frozen=True)
class Statistics:
    """What BM25 needs of the whole collection."""

    documents: int
    mean_lengths: tuple[float, ...]


def statistics(described: dict[str, Any]) -> Statistics:
    """Return the statistics search_state.described holds (archive.search.postgres.counts)."""
    lengths = described.get("mean_lengths") or [1.0] * len(BOOSTS)
    documents = int(described.get("documents", 0))
    return Statistics(documents, tuple(max(float(v), 1.0) for v in lengths))


def frequency_sql(terms: list[str]) -> tuple[str, dict[str, str]]:
    """Return the SQL counting, for each term, the documents holding it in each field."""
    columns, params = [], {"any": " | ".join(lexeme(t) for t in terms)}
    for i, term in enumerate(terms):
        for letter in LETTERS.values():
            name = f"t{i}{letter}"
            params[name] = f"{lexeme(term)}:{letter}"
            columns.append(f"count(*) FILTER (WHERE terms @@ CAST(:{name} AS tsquery))")
    sql = f"SELECT {', '.join(columns)} FROM search_documents"
    return sql + " WHERE terms @@ CAST(:any AS tsquery)", params


def ranked_terms(ranking: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """Return the ranking pairs PostgreSQL can hold, one per term (a term asked for twice
    counts twice, as Whoosh's scoring adds each pair)."""
    weights: dict[str, float] = {}
    for term, weight in ranking:
        if usable(term):
            weights[term] = weights.get(term, 0.0) + weight
    return list(weights.items())


def factors(
    ranking: list[tuple[str, float]],
    stats: Statistics,
    document_frequency: dict[str, tuple[int, ...]],
) -> dict[str, Any]:
    """Return the bound values of SCORE_SQL: per term and field, weight × boost × idf ×
    (k1 + 1); per field, the mean length."""
    total = max(stats.documents, 1)
    params: dict[str, Any] = {"rank_terms": [t for t, _w in ranking], "k1": K1, "b": B}
    for f, boost in enumerate(BOOSTS):
        column = []
        for term, weight in ranking:
            df = document_frequency.get(term, (0,) * len(BOOSTS))[f]
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            column.append(weight * boost * idf * (K1 + 1))
        params[f"rank_f{f}"] = column
        params[f"mean_{f}"] = stats.mean_lengths[f]
    return params


def score_sql() -> str:
    """Return the LATERAL subquery scoring a row `d` by BM25 from its terms' weight letters."""
    fields = range(len(BOOSTS))
    counts = ", ".join(
        f"cardinality(array_positions(u.weights, '{letter}')) AS t{f}"
        for f, letter in zip(fields, LETTERS.values(), strict=True)
    )
    parts = " + ".join(
        f"q.f{f} * n.t{f} / (n.t{f} + :k1 * (1 - :b + :b * d.lengths[{f + 1}] / :mean_{f}))"
        for f in fields
    )
    arrays = ", ".join(f"CAST(:rank_f{f} AS float8[])" for f in fields)
    columns = ", ".join(f"f{f}" for f in fields)
    return f"""LEFT JOIN LATERAL (
    SELECT sum({parts}) AS score
    FROM unnest(d.terms) u
    JOIN unnest(CAST(:rank_terms AS text[]), {arrays}) AS q(term, {columns})
        ON q.term = u.lexeme
    CROSS JOIN LATERAL (SELECT {counts}) n
) s ON TRUE"""
