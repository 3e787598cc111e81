"""The set operations under scoring and ordering: unions of document numbers, the first
page of an ordering."""

from __future__ import annotations

import numpy as np
import pytest

from archive.search.whoosh.ordering import first
from archive.search.whoosh.scoring import sorted_unique


@pytest.mark.parametrize("size", [0, 1, 2, 7, 500, 5000])
def test_sorted_unique_is_numpys_unique(size: int) -> None:
    rng = np.random.default_rng(size)
    for high in (3, size + 1, 100_000):  # many repeats, some, almost none
        docs = rng.integers(0, high, size, dtype=np.int64)
        found = sorted_unique(docs)
        assert found.dtype == np.int64
        assert found.tolist() == np.unique(docs).tolist()


@pytest.mark.parametrize("size", [1, 30, 100, 5000, 60_000])
def test_the_first_of_an_ordering_are_those_of_a_full_sort(size: int) -> None:
    """Ordering only the contenders for a page gives the page a full sort gives, ties
    (many: scores rounded, counts of words, closeness to an era) included."""
    rng = np.random.default_rng(size)
    precision = rng.integers(0, 4, size)
    scores = -np.round(rng.random(size) * 3, 1)  # few distinct values: long runs of ties
    counts = -rng.integers(1, 3, size)
    spill = rng.choice([0, 0, 0, 5, 12], size)
    for keys in ([precision, scores], [precision, scores, spill, counts], [counts]):
        for count in (1, 20, 41, size):
            assert first(keys, count).tolist() == np.lexsort(tuple(keys))[:count].tolist()
