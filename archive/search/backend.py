"""What a search backend does, at the level of a query.

The front half of search (archive.search.understand and .query: Korean analysis, variants,
places, dates and periods, spelling, relaxations and the notes shown to visitors) reads a
visitor's request into a `Query` that names no engine. A backend runs it on one
consistent view of its index and answers `Hits`: the page of hits asked for, the total
and the facets. It also applies changed records, rebuilds from all records and reports
whether it is usable. Nothing outside a backend's own package imports that package's types; the
embedded backend is Whoosh (archive.search.whoosh).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archive.dates import FuzzyDate
    from archive.search.documents import Document
    from archive.search.understand import SearchRequest
    from archive.search.variants import Clause

T = TypeVar("T")


@dataclass(frozen=True)
class PlaceFilter:
    """Records placed at a gazetteer place or inside it, or naming one of its names in
    their text (each alias as its analysed terms, all of which must be there)."""

    name: str
    aliases: tuple[str, ...]
    alias_terms: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Query:
    """An understood search, the same for every backend.

    clauses: what every hit must contain (a clause is a term with its variants); when no
    record has them all, the hits are those with some, more of them first (`partial`).
    ranking: the (term, weight) pairs that order hits by relevance. era: records whose
    dates overlap it (and, for ordering, those that spill over least first). statuses:
    which records may be returned; hidden: public ids left out all the same (changes the
    index has not applied yet). request: paging, sort and what is asked for. vague: only
    general words were given, so nothing is looked for. key: what identifies the ordering
    and facets (the pages of one search share them).
    """

    clauses: tuple[Clause, ...]
    ranking: tuple[tuple[str, float], ...]
    era: FuzzyDate | None
    places: tuple[PlaceFilter, ...]
    statuses: tuple[str, ...]
    hidden: tuple[str, ...]
    request: SearchRequest
    vague: bool = False
    years: bool = False  # count the facet of single years too (a narrow era)
    key: Any = None


@dataclass
class Hits:
    """A backend's answer: the page of hits, how many matched, the facets asked for."""

    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    partial: bool = False  # the hits match only some of the clauses


class IndexView(Protocol):
    """One consistent view of a backend's index (one request reads one)."""

    @property
    def generation(self) -> int:
        """Return the number of the view: it changes whenever the index does."""

    @property
    def documents(self) -> int:
        """Return how many records the view holds (of every status)."""

    def search(self, query: Query) -> Hits:
        """Run a query."""

    def clause_size(self, clause: Clause) -> int:
        """Return how many records contain a clause (to find the rarest word)."""

    def known(self, terms: Iterable[str]) -> bool:
        """Return whether every term is held by some record's text."""

    def vocabulary(self) -> Iterator[tuple[str, int]]:
        """Return the indexed words of the text fields with their document counts."""

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Return what compute() gives, worked out once per view and kept (the speller)."""

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return an answer worked out once per view while the view's budget for answers
        keeps it (the related photos of a place and decade)."""


class SearchBackend(Protocol):
    """A search engine: views to read, changes to apply, a rebuild; `usable()` is its health."""

    name: str
    version: str  # the layout's hash: documents written at another are rebuilt
    # True when changes are written in the changed record's own transaction (apply_in).
    transactional: bool

    def view(self) -> IndexView:
        """Return a view of the newest committed index.

        :raises IndexUnavailable: when there is none (a worker builds it).
        """

    def usable(self) -> bool:
        """Return whether the index can be searched now."""

    def writer_lock(self, wait: float) -> AbstractContextManager[bool]:
        """Hold the single writer's lock (yield False if not had within wait)."""

    def apply(self, changed: list[Document], deleted: Iterable[str]) -> None:
        """Write changed records' documents and remove deleted ids (the lock held)."""

    def apply_in(self, session: Session, changed: list[Document], deleted: Iterable[str]) -> bool:
        """Write changes in the session's transaction (transactional backends only);
        return False, writing nothing, when the index must be rebuilt first."""

    def build(self, batches: Iterable[list[Document]], procs: int = 1) -> int:
        """Build the index anew from all records' documents; return how many."""

    def maintain(self) -> None:
        """Do what keeps searches fast now and then (the index writer, when idle)."""

    def warm(self) -> None:
        """Read what the first searches need before the web server forks."""

    def before_fork(self) -> None:
        """Close what a forked process must open for itself (files, connections); what
        was worked out stays for the children to share."""
