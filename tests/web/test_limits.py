"""Rate limits are counted once for all web workers when they share Redis."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import redis
from flask import Flask

from archive.app import create_app
from tests.databases import fresh_database_url
from tests.web.conftest import STAFF_PASSWORD, add_staff, csrf_token, runtime_of

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


LIMITED = pytest.mark.settings(
    login_rate_limit="3 per 15 minutes", login_account_rate_limit="5 per 15 minutes"
)


def _sign_in(app: Flask, name: str, password: str, address: str) -> tuple[int, str, str]:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client, "/login")
    answer = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    return answer.status_code, answer.get_data(as_text=True), answer.headers.get("Retry-After", "")


@LIMITED
def test_only_failed_sign_ins_count_per_address_and_the_wait_is_said(fresh_app: Flask) -> None:
    add_staff(fresh_app, "kim", "moderator")
    for _ in range(5):  # right passwords are never counted
        assert _sign_in(fresh_app, "kim", STAFF_PASSWORD, "10.0.0.1")[0] == 302
    for _ in range(3):
        assert _sign_in(fresh_app, "kim", "wrong-password", "10.0.0.1")[0] == 400
    status, page, retry = _sign_in(fresh_app, "kim", STAFF_PASSWORD, "10.0.0.1")
    assert status == 429 and 0 < int(retry) <= 15 * 60 + 1
    assert "로그인에 여러 번 실패해" in page and "분 뒤에 다시 시도해 주세요" in page
    assert _sign_in(fresh_app, "kim", STAFF_PASSWORD, "10.0.0.2")[0] == 302  # another address


@LIMITED
def test_failed_sign_ins_count_per_account_from_any_address(fresh_app: Flask) -> None:
    add_staff(fresh_app, "kim", "moderator")
    add_staff(fresh_app, "lee", "moderator")
    for n in range(5):  # a guesser moving from address to address
        assert _sign_in(fresh_app, "Kim", "guess-guess", f"10.0.1.{n}")[0] == 400
    status, page, _retry = _sign_in(fresh_app, "kim", STAFF_PASSWORD, "10.0.2.1")
    assert status == 429 and "분 뒤에 다시 시도해 주세요" in page
    assert _sign_in(fresh_app, "lee", STAFF_PASSWORD, "10.0.2.1")[0] == 302  # others sign in
