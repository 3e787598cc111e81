"""Rate limits are counted once for all web workers when they share Redis."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import redis
from flask import Flask

from archive.web import create_app
from tests.databases import fresh_database_url
from tests.web.conftest import csrf_token, runtime_of

REDIS_URL = "redis://127.0.0.1:6379"


def worker_app(root: Path, prefix: str, database_url: str) -> Flask:
    """Return one web worker's app; workers share the database and Redis, not memory."""
    return create_app(
        {
            "data_dir": root / "var",
            "scans_dir": root / "scans",
            "database_url": database_url,
            "rate_limit_storage": REDIS_URL,
            "login_rate_limit": "4 per minute",
            "FLASK": {"TESTING": True, "RATELIMIT_KEY_PREFIX": prefix},
        }
    )


def redis_running() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379: start it as .ci/run does")


def test_the_login_limit_holds_across_two_workers(tmp_path: Path) -> None:
    redis_running()
    prefix = f"archive-test-{uuid.uuid4().hex}"
    url = fresh_database_url()
    first = worker_app(tmp_path, prefix, url)
    second = worker_app(tmp_path, prefix, url)
    runtime_of(first).db.upgrade()
    statuses = []
    try:
        for attempt in range(6):
            app = (first, second)[attempt % 2]
            client = app.test_client()
            token = csrf_token(client, "/login")
            response = client.post(
                "/login", data={"name": "kim", "password": "guess-guess", "csrf_token": token}
            )
            statuses.append(response.status_code)
        assert statuses == [400, 400, 400, 400, 429, 429]
        assert int(response.headers["Retry-After"]) > 0
        assert "요청이 너무 많습니다" in response.get_data(as_text=True)
    finally:
        keys = redis.Redis.from_url(REDIS_URL).keys(f"{prefix}*")
        if keys:
            redis.Redis.from_url(REDIS_URL).delete(*keys)
        for app in (first, second):
            runtime_of(app).close()
