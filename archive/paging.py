"""Pages of a list: how many there are, and one page of items with its place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def page_count(total: int, per_page: int) -> int:
    """Return how many pages total items fill (one, even when there are none)."""
    return max(1, -(-total // per_page))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, how many there are in all, which page, its size."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return page_count(self.total, self.per_page)
