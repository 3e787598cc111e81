"""The web kit every feature builds on: the request's runtime, unit of work and search view,
and Korean time. The app itself is composed in archive/app.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from flask import current_app, g

from archive.runtime import Runtime
from archive.storage import Storage

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlalchemy.orm import Session

    from archive.search.backend import IndexView

KST = timezone(timedelta(hours=9), "KST")  # Korea keeps no daylight saving time


def kst(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored timestamp (UTC) in Korean time for staff and contributors."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(KST).strftime(fmt)


def rfc3339(value: datetime | None) -> str:
    """Format a timestamp for Atom (stored naive timestamps are UTC)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")


def get_runtime() -> Runtime:
    """Return the app's runtime (settings, database, storage, search)."""
    runtime: Runtime = current_app.extensions["archive"]
    return runtime


def search_view() -> IndexView:
    """Return the search index view of this request: looked up once, since finding the
    newest generation reads the index folder, and every search of a page sees the same.

    :raises IndexUnavailable: when the index is being built.
    """
    view: IndexView | None = g.get("search_view")
    if view is None:
        view = g.search_view = get_runtime().search.view()
    return view


def get_storage() -> Storage:
    """Return the storage backend new files go to."""
    return get_runtime().storage


def unit_of_work() -> AbstractContextManager[Session]:
    """Return the request's unit of work: one transaction that commits on success, rolls
    back on error, and runs the side effects (file deletions) only after its commit."""
    return get_runtime().db.session()
