"""The set operations under scoring: unions of document numbers."""

from __future__ import annotations

import numpy as np
import pytest

from archive.search.whoosh.scoring import sorted_unique


@pytest.mark.parametrize("size", [0, 1, 2, 7, 500, 5000])
def test_sorted_unique_is_numpys_unique(size: int) -> None:
    rng = np.random.default_rng(size)
    for high in (3, size + 1, 100_000):  # many repeats, some, almost none
        docs = rng.integers(0, high, size, dtype=np.int64)
        found = sorted_unique(docs)
        assert found.dtype == np.int64
        assert found.tolist() == np.unique(docs).tolist()
