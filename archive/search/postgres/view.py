"""A view of the PostgreSQL search table at one generation, with what it keeps.

A view is one generation number read from `search_state`; every change to the table
advances it in the change's own transaction. Answers (orderings, facets, related photos)
are kept per generation and so are never stale; what describes the whole collection
(BM25's statistics, document frequencies, the speller's vocabulary) is kept for a while
across generations, since a few changed records move it very little.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, text

from archive.search.backend import Hits, Query
from archive.search.postgres import counts, engine, ranking
from archive.search.postgres.lexemes import clause_query, lexeme, usable
from archive.search.variants import Clause

T = TypeVar("T")
ANSWERS = 512  # answers kept for the current generation
DESCRIPTIONS_SECONDS = 300.0  # how long a description of the collection is kept


class Kept:
    """What a backend's views keep between requests (shared by a process's threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation = -1
        self.answers: OrderedDict[Hashable, Any] = OrderedDict()
        self.described: dict[Hashable, tuple[float, Any]] = {}

    def answer(self, generation: int, key: Hashable, compute: Callable[[], T]) -> T:
        with self.lock:
            if generation != self.generation:
                self.generation, self.answers = generation, OrderedDict()
            if key in self.answers:
                self.answers.move_to_end(key)
                found: T = self.answers[key]
                return found
        value = compute()
        with self.lock:
            if generation == self.generation:
                self.answers[key] = value
                while len(self.answers) > ANSWERS:
                    self.answers.popitem(last=False)
        return value

    def description(self, key: Hashable, compute: Callable[[], T]) -> T:
        found = self.recent(key)
        if found is None:
            found = compute()
            self.keep(key, found)
        return found

    def recent(self, key: Hashable) -> Any:
        """Return a description kept less than DESCRIPTIONS_SECONDS ago, or None."""
        with self.lock:
            kept = self.described.get(key)
        if kept is not None and time.monotonic() - kept[0] < DESCRIPTIONS_SECONDS:
            return kept[1]
        return None

    def keep(self, key: Hashable, value: Any) -> None:
        with self.lock:
            self.described[key] = (time.monotonic(), value)


class PostgresIndexView:
    """The search table at one generation, as the front half of search reads a backend."""

    def __init__(
        self,
        read: Engine,
        state: tuple[int, dict[str, Any]],
        kept: Kept,
        cities: frozenset[str],
    ) -> None:
        self.read = read
        self._generation, self.described = state
        self.kept = kept
        self.cities = cities

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def documents(self) -> int:
        return int(self._scalar("SELECT count(*) FROM search_documents") or 0)

    def search(self, query: Query) -> Hits:
        with self.read.connect() as connection:
            return engine.run(self, connection, query)

    def clause_size(self, clause: Clause) -> int:
        sql = "SELECT count(*) FROM search_documents WHERE terms @@ CAST(:q AS tsquery)"
        return int(self._scalar(sql, q=clause_query(clause)) or 0)

    def known(self, terms: Iterable[str]) -> bool:
        wanted = list(dict.fromkeys(terms))
        if not all(usable(t) for t in wanted):
            return False
        sql = "SELECT 1 FROM search_documents WHERE terms @@ CAST(:q AS tsquery) LIMIT 1"
        return all(self._scalar(sql, q=lexeme(t)) is not None for t in wanted)

    def vocabulary(self) -> Iterator[tuple[str, int]]:
        sql = "SELECT term, documents FROM search_terms"
        with self.read.connect() as connection:
            yield from connection.execute(text(sql)).all()

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        return self.kept.description(("memo", key), compute)

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        return self.kept.answer(self._generation, key, compute)

    def statistics(self) -> ranking.Statistics:
        """Return the collection's size and mean field lengths, as last counted."""
        return ranking.statistics(self.described)

    def frequencies(self, terms: list[str]) -> dict[str, tuple[int, ...]]:
        """Return how many records hold each term in each text field: as last counted,
        or, for a term added since, counted now (and kept for a while)."""
        with self.read.connect() as connection:
            found = counts.term_counts(connection, terms)
            for term in terms:
                if term not in found and (kept := self.kept.recent(("df", term))) is not None:
                    found[term] = kept
            missing = [term for term in terms if term not in found]
            if missing:
                sql, params = ranking.frequency_sql(missing)
                row = connection.execute(text(sql), params).one()
                width = len(ranking.BOOSTS)
                for i, term in enumerate(missing):
                    found[term] = tuple(int(c) for c in row[i * width : (i + 1) * width])
                    self.kept.keep(("df", term), found[term])
        return found

    def _scalar(self, sql: str, **params: Any) -> Any:
        with self.read.connect() as connection:
            return connection.execute(text(sql), params).scalar()


def read_state(connection: Connection, version: str) -> tuple[int, dict[str, Any]] | None:
    """Return the table's generation and description, or None when it was never built at
    this layout."""
    sql = "SELECT version, generation, described FROM search_state WHERE id = 1"
    found = connection.execute(text(sql)).first()
    if found is None or found[0] != version:
        return None
    return int(found[1]), dict(found[2] or {})
