"""What describes the whole search table, counted now and then by the index writer.

BM25 needs each ranking term's document frequency per text field, the number of records
and the mean terms per field; the speller needs every term with its record count.
Counting them takes full scans (`ts_stat`, seconds at 1,000,000 records), so the writer
counts them after a rebuild and then at most every COUNT_SECONDS while records change,
into `search_terms` and `search_state.described`; every web host reads them from there.
A term added since the last count is counted on its own when first searched.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from archive.search.documents import TEXT_FIELDS
from archive.search.postgres.lexemes import LETTERS

COUNT_SECONDS = 600
SOURCE = "'SELECT terms FROM search_documents'"
TERMS_SQL = (
    "INSERT INTO search_terms (term, documents, fields) SELECT s.word, s.ndoc, ARRAY["
    + ", ".join(f"coalesce(w{i}.ndoc, 0)" for i in range(len(LETTERS)))
    + f"]::int[] FROM ts_stat({SOURCE}) s "
    + " ".join(
        f"LEFT JOIN ts_stat({SOURCE}, '{letter}') w{i} ON w{i}.word = s.word"
        for i, letter in enumerate(LETTERS.values())
    )
)
DESCRIBE_SQL = (
    "SELECT count(*), "
    + ", ".join(f"coalesce(avg(lengths[{i + 1}]), 0)" for i in range(len(TEXT_FIELDS)))
    + " FROM search_documents"
)
DUE_SQL = f"""
SELECT generation FROM search_state WHERE id = 1 AND generation > counted
    AND (counted_at IS NULL OR counted_at < now() - interval '{COUNT_SECONDS} seconds')
"""


def due(connection: Connection) -> bool:
    """Return whether records changed since the last count, long enough ago."""
    return connection.execute(text(DUE_SQL)).first() is not None


def count(connection: Connection) -> None:
    """Count the terms and describe the collection again (in the connection's transaction;
    search_state's row is locked only for the last statement)."""
    generation = connection.execute(
        text("SELECT generation FROM search_state WHERE id = 1")
    ).scalar()
    connection.execute(text("DELETE FROM search_terms"))
    connection.execute(text(TERMS_SQL))
    row = connection.execute(text(DESCRIBE_SQL)).one()
    described = {"documents": int(row[0]), "mean_lengths": [float(v) for v in row[1:]]}
    connection.execute(
        text(
            "UPDATE search_state SET counted = :g, counted_at = now(), "
            "described = CAST(:d AS jsonb) WHERE id = 1"
        ),
        {"g": generation, "d": json.dumps(described)},
    )


def term_counts(connection: Connection, terms: list[str]) -> dict[str, tuple[int, ...]]:
    """Return the counted per-field document frequencies of the terms that have them."""
    sql = "SELECT term, fields FROM search_terms WHERE term = ANY(:terms)"
    rows: list[Any] = list(connection.execute(text(sql), {"terms": terms}))
    return {row[0]: tuple(int(n) for n in row[1]) for row in rows}
