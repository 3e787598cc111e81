"""Per-searcher caches: document sets of filter terms and per-document columns as arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh.query import Query
from whoosh.searching import Searcher

DocSet = np.ndarray[Any, np.dtype[np.int64]]


class SearchView:
    """Wrap one Whoosh searcher; everything cached here is valid until the index changes."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.maxdoc = searcher.doc_count_all()
        self._docsets: dict[Any, DocSet] = {}
        self._masks: dict[Any, np.ndarray[Any, np.dtype[np.bool_]]] = {}
        self._columns: dict[str, np.ndarray[Any, np.dtype[np.int64]]] = {}

    def docs(self, query: Query, key: Any = None) -> DocSet:
        """Return the sorted document numbers matching a query (cached when key is given)."""
        if key is not None and key in self._docsets:
            return self._docsets[key]
        found = np.fromiter(self.searcher.docs_for_query(query), dtype=np.int64)
        found.sort()
        if key is not None:
            self._docsets[key] = found
        return found

    def mask(self, query: Query, key: Any) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Return a boolean array over all documents for a cached query."""
        if key not in self._masks:
            mask = np.zeros(self.maxdoc, dtype=np.bool_)
            mask[self.docs(query, key)] = True
            self._masks[key] = mask
        return self._masks[key]

    def column(self, name: str) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Return a sortable numeric field as an array indexed by document number."""
        if name not in self._columns:
            reader = self.searcher.reader().column_reader(name)
            self._columns[name] = np.fromiter(
                (reader[i] for i in range(self.maxdoc)), dtype=np.int64, count=self.maxdoc
            )
        return self._columns[name]

    def stored(self, docnum: int) -> dict[str, Any]:
        """Return the stored fields of a document."""
        return dict(self.searcher.stored_fields(docnum))
