"""The page and card caches: pages not in the cache are rendered one at a time per
process (pages from the cache, health checks and failing requests never hold or keep the
turn); kept cards come back whole and as copies, and are no work for the collector."""

from __future__ import annotations

import gc
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from archive.web.cache import CardCache


def _fetch(app: Flask, path: str, into: dict[str, TestResponse]) -> threading.Thread:
    """Start a thread that GETs path with its own client; the answer lands in into."""

    def run() -> None:
        into[path] = app.test_client().get(path)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_page_to_render_waits_its_turn_while_cached_pages_are_served(
    app: Flask, client: FlaskClient, scan_ids: dict[str, str]
) -> None:
    turn = app.extensions["render_turn"]
    cached = f"/photos/{scan_ids['scan-public']}?from=turn"
    assert client.get(cached).headers["X-Cache"] == "miss"
    assert client.get(cached).headers["X-Cache"] == "hit"
    answers: dict[str, TestResponse] = {}
    with turn:  # as if another thread were rendering a page
        waiting = _fetch(app, "/photos?q=장날", answers)
        waiting.join(0.5)
        assert waiting.is_alive() and not answers  # not rendered beside the other
        served = [_fetch(app, path, answers) for path in (cached, "/healthz")]
        for thread in served:
            thread.join(10)
        assert answers[cached].headers["X-Cache"] == "hit"
        assert answers["/healthz"].status_code == 200
        assert waiting.is_alive()
    waiting.join(30)
    page = answers["/photos?q=장날"]
    assert page.status_code == 200 and "영산포 선창의 장날" in page.get_data(as_text=True)


@pytest.mark.settings(page_cache=0)
def test_without_the_page_cache_every_public_page_takes_its_turn(fresh_app: Flask) -> None:
    turn = fresh_app.extensions["render_turn"]
    answers: dict[str, TestResponse] = {}
    with turn:
        waiting = [_fetch(fresh_app, path, answers) for path in ("/", "/photos", "/healthz")]
        waiting[2].join(10)
        assert answers["/healthz"].status_code == 200  # not a page: no turn
        for thread in waiting[:2]:
            thread.join(0.3)
            assert thread.is_alive()
    for thread in waiting[:2]:
        thread.join(30)
    assert answers["/"].status_code == answers["/photos"].status_code == 200
    assert "X-Cache" not in answers["/"].headers


def test_a_failed_render_gives_the_turn_back(app: Flask, client: FlaskClient) -> None:
    turn = app.extensions["render_turn"]
    for path, status in (("/photos?page=x", 400), ("/photos/P-NOPE", 404), ("/photos/", 404)):
        assert client.get(path).status_code == status
        assert turn.acquire(timeout=5), path  # free again
        turn.release()


def test_kept_cards_come_back_as_new_dicts_the_collector_does_not_track() -> None:
    cache = CardCache(size=2)
    card = {"id": "p1", "title": "영산포 등대", "places": ["영산포", "영산동"], "year": 1975}
    cache.keep(1, [card, {"id": "p2", "title": "장날", "places": []}])
    cache.keep(1, [{"id": "p3", "title": "홍수", "places": ["나주"]}])  # p1 goes (size 2)
    assert cache.take(1, ["p1"]) == {}
    cache.keep(1, [card])
    first = cache.take(1, ["p1", "p9"])
    assert first == {"p1": card}
    first["p1"]["places"].append("바뀜")
    first["p1"]["highlight"] = "x"
    assert cache.take(1, ["p1"]) == {"p1": card} and card["places"] == ["영산포", "영산동"]
    assert cache.take(2, ["p1"]) == {}  # another public-data version: nothing kept
    cache.keep(2, [card])
    for _level in range(3):  # the collector lets a tuple go once it let go of its parts
        gc.collect()
    assert not any(gc.is_tracked(kept) for kept in cache._cards.values())
