"""Absolute links for feeds, the API, sitemaps and share tags, from the configured address.

A request's Host header is the visitor's to choose, so it never goes into a link that
other visitors may be served (cached pages, feeds): ARCHIVE_PUBLIC_URL does.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

from flask import abort, request, url_for

from archive.web import get_runtime


def absolute(path: str) -> str:
    """Return a site path (from url_for) as an absolute URL under the public address."""
    root = request.script_root if request else ""
    return absolute_under(path, root, get_runtime().settings.public_base)


def absolute_under(path: str, root: str, base: str) -> str:
    """Return a site path under the script root root as an absolute URL under base."""
    if not path.startswith("/"):
        return path  # already absolute (a CDN URL)
    if root and path.startswith(root):
        path = path[len(root) :]
    return base + path


def with_query(path: str, params: Mapping[str, Any] | None) -> str:
    """Return a site path with query parameters: what url_for builds for a route's query
    arguments, without it (a results page has about a hundred such links). Keys and values
    are quoted as urlencode does, each distinct text once per process."""
    if not params:
        return path
    return path + "?" + "&".join(f"{_quoted(str(k))}={_quoted(str(v))}" for k, v in params.items())


@lru_cache(maxsize=8192)
def _quoted(text: str) -> str:
    return quote_plus(text)


def absolute_url(endpoint: str, **values: Any) -> str:
    """Return url_for(endpoint, **values) as an absolute URL under the public address."""
    return absolute(url_for(endpoint, **values))


def requested_page(last: int = 10_000) -> int:
    """Return the `page` query argument (1 when absent), refusing (400) anything but a
    whole number from 1 to last."""
    page = request.args.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= last:
        abort(400)
    return int(page)
