"""BM25 over the matched rows, as the Whoosh backend scores: the same fields, boosts and
collection statistics, so both engines rank a record the same way (an exact title
first, a memory mention below the record's own fields).

Each matched row brings back the ranking terms' weight letters (one per occurrence, its
field's letter); the collection's size, mean field lengths and the terms' document
frequencies per field come from `Statistics`, kept for a while between changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from archive.search.documents import TEXT_FIELDS
from archive.search.postgres.lexemes import LETTERS, frequencies, lexeme, usable

K1, B = 1.2, 0.75
BOOSTS = tuple(TEXT_FIELDS.values())


@dataclass(frozen=True)
class Statistics:
    """What BM25 needs of the whole collection."""

    documents: int
    mean_lengths: tuple[float, ...]


STATISTICS_SQL = (
    "SELECT count(*), "
    + ", ".join(f"coalesce(avg(lengths[{i + 1}]), 0)" for i in range(len(TEXT_FIELDS)))
    + " FROM search_documents"
)


def statistics(row: Sequence[Any]) -> Statistics:
    """Return the statistics of the row STATISTICS_SQL answers."""
    return Statistics(int(row[0]), tuple(max(float(v), 1.0) for v in row[1:]))


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


def scores(
    rows: Sequence[Any],
    ranking: list[tuple[str, float]],
    stats: Statistics,
    document_frequency: dict[str, tuple[int, ...]],
) -> np.ndarray:
    """Return the BM25 score of each row (its lengths, its terms and their letters)."""
    total = max(stats.documents, 1)
    weight = dict(ranking)
    result = np.zeros(len(rows), dtype=np.float64)
    for n, row in enumerate(rows):
        lengths, terms, letters = row.lengths, row.found_terms or (), row.found_letters or ()
        score = 0.0
        for term, marks in zip(terms, letters, strict=True):
            per_field = frequencies(marks)
            for f, tf in enumerate(per_field):
                if not tf:
                    continue
                df = document_frequency[term][f]
                idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
                norm = K1 * (1 - B + B * lengths[f] / stats.mean_lengths[f])
                score += weight[term] * BOOSTS[f] * idf * tf * (K1 + 1) / (tf + norm)
        result[n] = score
    return np.round(result, 4)
