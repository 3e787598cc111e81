"""The PostgreSQL search backend: analysed documents in a table of the archive's database.

For deployments on several hosts: no index files anywhere, every web host queries the
database (or a streaming replica, ARCHIVE_DATABASE_READ_URL), and a record's document is
written in the same transaction as the record (archive.search.index.write_queued), so
search never lags behind a change. The terms are those the Korean analyser makes for the
Whoosh backend, stored as a weighted tsvector under a GIN index (archive.search.postgres.lexemes).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from archive.errors import IndexUnavailable
from archive.places.gazetteer import Gazetteer
from archive.search.documents import TEXT_FIELDS, Document
from archive.search.postgres import counts
from archive.search.postgres.lexemes import vector
from archive.search.postgres.view import Kept, PostgresIndexView, read_state

__all__ = ["PostgresBackend", "schema_description"]
# A key of PostgreSQL's advisory locks: the search table's single rebuilder.
WRITER_LOCK = 0x5EA4C4
UPSERT = """
INSERT INTO search_documents (public_id, seq, status, source, year_start, year_end,
    precision, places, lengths, terms, stored)
VALUES (:id, nextval('search_documents_seq'), :status, :source, :year_start, :year_end,
    :precision, :places, :lengths, CAST(:terms AS tsvector), CAST(:stored AS jsonb))
ON CONFLICT (public_id) DO UPDATE SET seq = excluded.seq, status = excluded.status,
    source = excluded.source, year_start = excluded.year_start, year_end = excluded.year_end,
    precision = excluded.precision, places = excluded.places, lengths = excluded.lengths,
    terms = excluded.terms, stored = excluded.stored
"""
ADVANCE = (
    "UPDATE search_state SET generation = generation + 1 WHERE id = 1 AND version = :v "
    "RETURNING generation"
)


def schema_description() -> str:
    """Describe the table's layout (part of the layout version)."""
    return "postgres-tsvector-1:" + ",".join(TEXT_FIELDS)


def row_of(document: Document) -> dict[str, Any]:
    """Return the bound values of a document's row."""
    return {
        "id": document.id,
        "status": document.status,
        "source": document.source,
        "year_start": document.numbers["year_start"],
        "year_end": document.numbers["year_end"],
        "precision": document.numbers["precision"],
        "places": list(document.places),
        "lengths": [len(document.texts.get(field, [])) for field in TEXT_FIELDS],
        "terms": vector(document.texts),
        "stored": json.dumps(document.stored, ensure_ascii=False),
    }


class PostgresBackend:
    """Search in the database: views of the table, changes in the caller's transaction."""

    name = "postgres"
    transactional = True

    def __init__(self, write: Engine, read: Engine, version: str, gazetteer: Gazetteer) -> None:
        self.write, self.read = write, read
        self.version = version
        self.cities = frozenset(n for n, p in gazetteer.places.items() if p.kind == "시")
        self.kept = Kept()

    def view(self) -> PostgresIndexView:
        """Return a view of the table's current generation.

        :raises IndexUnavailable: when it was never built at this layout.
        """
        with self.read.connect() as connection:
            state = self._state(connection)
        if state is None:
            raise IndexUnavailable("the search table is being built")
        return PostgresIndexView(self.read, state, self.kept, self.cities)

    def usable(self) -> bool:
        """Return whether the table was built at this layout."""
        with self.write.connect() as connection:
            return self._state(connection) is not None

    def _state(self, connection: Connection) -> tuple[int, dict[str, Any]] | None:
        try:
            return read_state(connection, self.version)
        except DBAPIError:  # not migrated yet
            connection.rollback()
            return None

    @contextmanager
    def writer_lock(self, wait: float) -> Iterator[bool]:
        """Hold the rebuilder's advisory lock (every host's); yield False if not had."""
        with self.write.connect() as connection:
            deadline = time.monotonic() + wait
            lock = text("SELECT pg_try_advisory_lock(:key)")
            while not connection.execute(lock, {"key": WRITER_LOCK}).scalar():
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
            connection.commit()
            try:
                yield True
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": WRITER_LOCK})
                connection.commit()

    def apply(self, changed: list[Document], deleted: Iterable[str]) -> None:
        """Write changed documents and remove deleted ids in a transaction of their own.

        :raises IndexUnavailable: when the table was not built at this layout.
        """
        with Session(self.write) as session, session.begin():
            if not self.apply_in(session, changed, deleted):
                raise IndexUnavailable("the search table must be rebuilt first")

    def apply_in(self, session: Session, changed: list[Document], deleted: Iterable[str]) -> bool:
        """Write changed documents and remove deleted ids in the session's transaction;
        return False (writing nothing) when the table was not built at this layout."""
        advanced = session.execute(text(ADVANCE), {"v": self.version}).first()
        if advanced is None:
            return False
        gone = list(deleted)
        if gone:
            session.execute(
                text("DELETE FROM search_documents WHERE public_id = ANY(:ids)"), {"ids": gone}
            )
        if changed:
            session.execute(text(UPSERT), [row_of(d) for d in changed])
        return True

    def build(self, batches: Iterable[list[Document]], procs: int = 1) -> int:
        """Replace every document in one transaction (readers see the old ones until it
        commits) and mark the table built at this layout."""
        count = 0
        with self.write.begin() as connection:
            connection.execute(text("DELETE FROM search_documents"))
            for batch in batches:
                if batch:
                    connection.execute(text(UPSERT), [row_of(d) for d in batch])
                count += len(batch)
            connection.execute(
                text(
                    "INSERT INTO search_state (id, version, generation, counted, described) "
                    "VALUES (1, :v, 1, 0, '{}') ON CONFLICT (id) DO UPDATE SET version = :v, "
                    "generation = search_state.generation + 1"
                ),
                {"v": self.version},
            )
            counts.count(connection)
        with self.write.connect() as connection:
            connection.execute(text("ANALYZE search_documents"))
            connection.commit()
        return count

    def maintain(self) -> None:
        """Count the terms again when records changed since, long enough ago (the index
        writer calls this when it has nothing else to do)."""
        with self.write.connect() as connection:
            if not counts.due(connection):
                return
        with self.writer_lock(0) as held:
            if held:
                with self.write.begin() as connection:
                    counts.count(connection)

    def warm(self) -> None:
        """Nothing to read ahead: the database keeps its own cache."""

    def before_fork(self) -> None:
        """Close the pools' connections: each child opens its own."""
        self.write.dispose(close=True)
        if self.read is not self.write:
            self.read.dispose(close=True)
