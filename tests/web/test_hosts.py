"""Absolute links come from ARCHIVE_PUBLIC_URL; unknown hosts are refused, never cached."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from archive.app import create_app
from archive.config import load_settings
from archive.errors import ConfigError
from tests.databases import fresh_database_url
from tests.web.conftest import runtime_of, work

PUBLIC = "https://oldphoto.naju.go.kr"
EVIL_HOSTS = (
    "evil.example",
    "evil.example:8000",
    "localhost.evil.example",
    "oldphoto.naju.go.kr.evil.example",
    "localhost@evil.example",
    "evil.example/..",
)
CACHED_PAGES = ("/", "/photos?q=%EC%98%81%EC%82%B0%ED%8F%AC", "/feed.atom", "/sitemap.xml")


def links(body: str) -> set[str]:
    """Return every absolute http(s) link in a page, feed or JSON body."""
    return set(re.findall(r"https?://[^\s\"'<>\\]+", body))


def photo_paths(client: FlaskClient) -> list[str]:
    items = client.get("/api/photos", query_string={"q": "scan"}).get_json()["items"]
    return [item["url"].removeprefix(PUBLIC) for item in items]


@pytest.mark.parametrize("host", EVIL_HOSTS)
def test_unknown_hosts_are_refused_and_nothing_is_cached(
    app: Flask, client: FlaskClient, host: str
) -> None:
    pages = [*CACHED_PAGES, "/api/photos", *photo_paths(client)]
    for path in pages:
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 400, (host, path)
        assert "잘못된 주소입니다" in response.get_data(as_text=True)
        assert "evil" not in response.get_data(as_text=True)
        assert "ETag" not in response.headers and "X-Accel-Expires" not in response.headers
    for path in pages:
        body = client.get(path).get_data(as_text=True)
        assert "evil" not in body, path


def test_links_come_from_the_public_url_whatever_trusted_host_asked(
    app: Flask, client: FlaskClient
) -> None:
    paths = [*CACHED_PAGES, "/api/photos?q=scan", "/embed", *photo_paths(client)]
    for path in paths:
        first = client.get(path, headers={"Host": "127.0.0.1:8000"})
        second = client.get(path, headers={"Host": "localhost"})
        assert first.status_code == second.status_code == 200, path
        assert first.data == second.data, path  # cached or not, the page is the same
        hosts = {urlsplit(link).netloc for link in links(first.get_data(as_text=True))}
        ours = hosts - {"www.facebook.com", "story.kakao.com", "www.w3.org", "www.sitemaps.org"}
        assert ours <= {"oldphoto.naju.go.kr"}, (path, hosts)
    page = client.get(photo_paths(client)[0]).get_data(as_text=True)
    for tag in ('rel="canonical" href="', 'property="og:url" content="'):
        assert tag + PUBLIC + "/photos/" in page
    assert 'property="og:image" content="' + PUBLIC + "/media/web/" in page
    feed = client.get("/feed.atom").get_data(as_text=True)
    assert f"<id>{PUBLIC}/</id>" in feed and f'href="{PUBLIC}/feed.atom"' in feed


def test_forwarded_host_behind_a_proxy_is_checked_too(tmp_path: pytest.TempPathFactory) -> None:
    application = create_app(
        {
            "data_dir": tmp_path / "var",  # type: ignore[operator]
            "scans_dir": tmp_path / "scans",  # type: ignore[operator]
            "database_url": fresh_database_url(),
            "public_url": PUBLIC,
            "proxy_count": 1,
            "FLASK": {"TESTING": True},
        }
    )
    runtime_of(application).db.upgrade()
    work(application)
    client = application.test_client()
    try:
        forged = client.get("/feed.atom", headers={"X-Forwarded-Host": "evil.example"})
        assert forged.status_code == 400
        proxied = client.get(
            "/feed.atom",
            headers={"X-Forwarded-Host": "oldphoto.naju.go.kr", "X-Forwarded-Proto": "https"},
        )
        assert proxied.status_code == 200
        assert f'href="{PUBLIC}/feed.atom"' in proxied.get_data(as_text=True)
        assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    finally:
        runtime_of(application).close()


@pytest.mark.parametrize(
    "url", ["", "oldphoto.naju.go.kr", "ftp://oldphoto.naju.go.kr", "https://", "https://x/?a=1"]
)
def test_a_public_url_that_is_not_an_address_is_explained(url: str) -> None:
    with pytest.raises(ConfigError, match="ARCHIVE_PUBLIC_URL"):
        load_settings({}, public_url=url)
