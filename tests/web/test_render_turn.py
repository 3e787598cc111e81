"""Public pages not in the page cache are rendered one at a time per process; pages from
the cache, health checks and failing requests never hold or keep the turn."""

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


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


def test_a_failed_render_gives_the_turn_back(app: Flask, client: FlaskClient) -> None:
    turn = app.extensions["render_turn"]
    for path, status in (("/photos?page=x", 400), ("/photos/P-NOPE", 404), ("/photos/", 404)):
        assert client.get(path).status_code == status
        assert turn.acquire(timeout=5), path  # free again
        turn.release()
