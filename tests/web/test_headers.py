"""Security headers on every route, for strangers and staff, on answers and errors alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from tests.web.test_moderate import contribute, edit

# A sample value for every URL variable a route may have.
SAMPLES = {
    "public_id": "{photo}",
    "token": "not-a-real-token",
    "name": "nobody",
    "variant": "thumb",
    "file_id": "1",
    "sha256": "0" * 64,
}
EMBED_ORIGINS = "https://www.naju.go.kr https://naju.go.kr"


def urls(app: Flask, photo: str) -> Iterator[tuple[str, str]]:
    """Yield (method, url) for every route, with sample arguments."""
    for rule in app.url_map.iter_rules():
        values = {name: SAMPLES.get(name, "x").format(photo=photo) for name in rule.arguments}
        path = rule.rule
        for name, value in values.items():
            path = path.replace(f"<{name}>", value)
            path = path.replace(f"<int:{name}>", value).replace(f"<path:{name}>", value)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, path


def check(response: TestResponse, where: str) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert "default-src 'self'" in policy and "script-src 'self'" in policy, where
    assert "object-src 'none'" in policy and "'unsafe-inline'" not in policy, where
    assert headers.get("Referrer-Policy"), where
    assert "camera=()" in headers.get("Permissions-Policy", ""), where
    if where.endswith(" /embed"):
        assert f"frame-ancestors {EMBED_ORIGINS}" in policy, where
        assert "X-Frame-Options" not in headers, where
    else:
        assert "frame-ancestors 'none'" in policy, where
        assert headers.get("X-Frame-Options") == "DENY", where


@pytest.mark.settings(embed_origins=EMBED_ORIGINS)
def test_every_route_sends_the_security_headers(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    (photo,), _ = contribute(fresh_app, "사연")
    admin = login_as("admin")
    edit(admin, photo, "approve", title="공개된 사진")
    clients = {"stranger": fresh_app.test_client(), "admin": admin}
    seen = 0
    for who, client in clients.items():
        for method, url in urls(fresh_app, photo):
            response = client.open(url, method=method)
            check(response, f"{who} {method} {url}")
            response.close()
            seen += 1
        for url in ("/no/such/page", "/static/style.css", f"/photos/{photo}?page=x"):
            with client.get(url) as response:
                check(response, f"{who} GET {url}")
    assert seen > 40


def test_staff_and_public_pages_cannot_be_framed_but_the_embed_strip_can(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    staff = login_as("moderator")
    for url in ("/moderate/", "/login", "/contribute", "/"):
        client = staff if url.startswith("/moderate") else fresh_app.test_client()
        policy = client.get(url).headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy, url
    embed = fresh_app.test_client().get("/embed").headers["Content-Security-Policy"]
    assert "frame-ancestors https://www.naju.go.kr" in embed


def test_no_page_relies_on_inline_script_or_style(fresh_app: Flask) -> None:
    from pathlib import Path

    templates = Path(fresh_app.root_path) / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text("utf-8")
        assert "<script>" not in text and "<style" not in text, template
        assert " style=" not in text and " onclick=" not in text, template


def test_every_answer_carries_its_routes_declared_caching(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    from archive.web.routing import Audience, policy_of

    (photo,), _ = contribute(fresh_app, "사연")
    admin = login_as("admin")
    edit(admin, photo, "approve", title="공개된 사진")
    checked: dict[Audience, int] = dict.fromkeys(Audience, 0)
    adapter = fresh_app.url_map.bind("localhost")
    for method, url in urls(fresh_app, photo):
        try:
            endpoint, _args = adapter.match(url.split("?")[0], method=method)
        except HTTPException:  # a sample value the route's converter refuses
            continue
        audience = policy_of(fresh_app, endpoint).audience
        for client in (fresh_app.test_client(), admin):
            with client.open(url, method=method) as response:
                cache = response.headers.get("Cache-Control", "")
                where = f"{method} {url} ({audience})"
                if audience in (Audience.STAFF, Audience.SECRET):
                    assert "no-store" in cache and "private" in cache, where
                    assert "noindex" in response.headers.get("X-Robots-Tag", ""), where
                elif audience == Audience.VISITOR:
                    assert "private" in cache and "no-cache" in cache, where
        checked[audience] += 1
    assert all(checked.values()), checked  # every kind of route was seen
    memory = fresh_app.test_client().get(f"/photos/{photo}/memory")
    assert memory.status_code == 200 and "private" in memory.headers["Cache-Control"]
    dashboard = admin.get("/moderate/dashboard")
    assert dashboard.status_code == 200 and "no-store" in dashboard.headers["Cache-Control"]
