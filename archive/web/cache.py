"""A small per-process cache of public GET responses, invalidated by every public change.

A cached page is keyed by everything it is built from: the public-data version (which
every commit that changes what visitors see advances, before the index catches up),
the search index generation, the day (for the day's photo), and the path with its
query. Nothing about the request's host goes into a page (absolute links come from
ARCHIVE_PUBLIC_URL), and only anonymous GETs of public pages with a 200 answer are kept.

A page not in the cache is rendered in its turn: one at a time per process. Rendering is
pure Python work under the GIL, so four threads rendering at once each finish about four
times later, and the interpreter's switching between them costs time of its own; in turn,
each page is done as soon as its own work is (a results page at 100,000 photos under
load: p99 100-123 ms → 85-96 ms). The threads stay for everything else: pages from the
cache, files, forms and uploads (a slow phone's upload holds a thread, not the turn).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any

from flask import Flask, Response, g, request

from archive.errors import IndexUnavailable
from archive.web import KST, get_runtime, search_view

CACHED_PREFIXES = ("/api/photos", "/api/exhibitions", "/exhibitions")
CACHED_PATHS = (
    "/",
    "/photos",
    "/embed",
    "/feed.atom",
    "/sitemap.xml",
    "/help",
    "/memories.atom",
    "/timeline",
    "/privacy",
)
MAX_ENTRIES = 2_000
# Cards kept per web process (about 2 KB each).
CARD_ENTRIES = 5_000
# Headers that depend on the request, added again by the views' hooks on every answer.
PER_REQUEST = {"Access-Control-Allow-Origin", "Vary", "Set-Cookie"}
CacheKey = tuple[int, int, str, str, str]


class PageCache:
    """Remember rendered responses for the current index generation."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[CacheKey, tuple[int, Any, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> tuple[int, Any, bytes] | None:
        """Return a cached (status, headers, body)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: CacheKey, entry: tuple[int, Any, bytes]) -> None:
        """Keep a response, dropping the least recently used beyond the size."""
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


Frozen = tuple[tuple[str, Any], ...]


def _freeze(card: dict[str, Any]) -> Frozen:
    """Return a card as nested tuples of plain values, which the garbage collector stops
    tracking once it has looked at them (a look per level of nesting): thousands of kept
    cards as dicts of lists made every full collection of a web worker take 10-18 ms, a
    pause for every request waiting behind it."""
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in card.items())


def _thaw(frozen: Frozen) -> dict[str, Any]:
    """Return a frozen card as a new dict of its own (lists again)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in frozen}


class CardCache:
    """Public cards by photo id for the current public-data version: results, related
    photos and exhibitions show the same cards again and again, and a card changes only
    with a change visitors see (which advances the version and so empties this)."""

    def __init__(self, size: int = CARD_ENTRIES) -> None:
        self.size = size
        self._version: Hashable = None
        self._cards: OrderedDict[str, Frozen] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, version: Hashable, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Return copies of the cards kept for these ids at this version (the public-data
        version with what else a card's links depend on)."""
        with self._lock:
            if version != self._version:
                self._cards.clear()
                self._version = version
            found = {}
            for public_id in ids:
                card = self._cards.get(public_id)
                if card is not None:
                    self._cards.move_to_end(public_id)
                    found[public_id] = _thaw(card)
            return found

    def keep(self, version: Hashable, cards: list[dict[str, Any]]) -> None:
        """Keep cards made at this version, dropping the least recently used."""
        with self._lock:
            if version != self._version:
                return
            for card in cards:
                self._cards[card["id"]] = _freeze(card)
            while len(self._cards) > self.size:
                self._cards.popitem(last=False)


class VersionMemo:
    """The value last computed for a public-data version, in this process: for what
    changes only with a change visitors see (the ids the index is still to drop)."""

    def __init__(self) -> None:
        self._version: Hashable = None
        self._value: Any = None
        self._lock = threading.Lock()

    def get(self, version: Hashable, compute: Callable[[], Any]) -> Any:
        """Return the value kept for version, else compute it (kept unless version is None)."""
        with self._lock:
            if version is not None and version == self._version:
                return self._value
        value = compute()
        if version is not None:
            with self._lock:
                self._version, self._value = version, value
        return value


def _cacheable() -> bool:
    path = request.path
    return (
        request.routing_exception is None  # an unknown host or path is refused, not served
        and request.method == "GET"
        and not request.cookies
        and (
            path in CACHED_PATHS
            or path.startswith(CACHED_PREFIXES)
            or (path.startswith("/photos/") and path.count("/") == 2)
        )
    )


def init_page_cache(app: Flask) -> None:
    """Serve repeated public GETs from memory until the index changes."""
    cache = PageCache()
    app.extensions["page_cache"] = cache
    app.extensions["card_cache"] = CardCache()
    app.extensions["hidden_memo"] = VersionMemo()

    @app.before_request
    def serve_cached() -> Response | None:
        if not _cacheable():
            return None
        runtime = get_runtime()
        version = runtime.db.public_version()  # read first: the page is at least this new
        g.public_version = version  # cards made for this page may be kept under it
        try:
            generation = search_view().generation
        except IndexUnavailable:
            generation = -1  # pages made without the index until it is built
        # The day (in Korea) too: the landing page's 오늘의 사진 changes at midnight.
        day = datetime.now(KST).date().isoformat()
        g.page_cache_key = (version, generation, day, request.script_root, request.full_path)
        entry = cache.get(g.page_cache_key)
        if entry is None:
            return None  # rendered, in its turn
        del g.page_cache_key  # nothing to remember: the answer comes from memory
        status, headers, body = entry
        answer = Response(body, status=status, headers=headers)
        answer.headers["X-Cache"] = "hit"  # for benchmarks and operators: served from memory
        return answer

    @app.after_request
    def remember(response: Response) -> Response:
        key = g.pop("page_cache_key", None)
        if key is not None and response.status_code == 200 and not response.direct_passthrough:
            headers = tuple((k, v) for k, v in response.headers.items() if k not in PER_REQUEST)
            cache.put(key, (200, headers, response.get_data()))  # untracked by the collector
            response.headers["X-Cache"] = "miss"
        return response


def init_render_turn(app: Flask) -> None:
    """Render public pages one at a time per process (after the page cache, whose hook
    answers what it holds before this one runs)."""
    turn = app.extensions["render_turn"] = threading.Lock()

    @app.before_request
    def take_turn() -> None:
        if _cacheable():
            turn.acquire()  # given back when the request ends, whatever happens
            g.render_turn = True

    @app.teardown_request
    def end_turn(_error: BaseException | None) -> None:
        if g.pop("render_turn", False):
            turn.release()
