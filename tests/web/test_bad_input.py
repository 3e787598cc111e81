"""Odd input on any route is a clear 4xx, never a 500, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import csrf_token
from tests.web.test_headers import urls
from tests.web.test_moderate import contribute

ODD = ("\x00", "%00", "9" * 30, "가" * 3000, "../../etc/passwd", "'; DROP TABLE photos; --")


def test_nul_and_odd_values_anywhere_never_give_500(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    (photo,), _ = contribute(fresh_app, "사연")
    admin = login_as("admin")
    for client in (fresh_app.test_client(), admin):
        for method, url in urls(fresh_app, photo):
            for odd in ODD:
                with client.open(url, method=method, query_string={"q": odd, "page": odd}) as r:
                    assert r.status_code < 500, (method, url, odd, r.status_code)
                path = url.replace(photo, odd) if photo in url else url + odd
                with client.open(path, method=method) as r:
                    assert r.status_code < 500, (method, path, r.status_code)


def test_nul_in_forms_is_refused_before_anything_is_stored(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    client = fresh_app.test_client()
    login = client.post(
        "/login",
        data={"name": "kim\x00", "password": "x\x00y", "csrf_token": csrf_token(client, "/login")},
    )
    assert login.status_code == 400
    (photo,), _ = contribute(fresh_app, "사연")
    staff = login_as("moderator")
    token = csrf_token(staff, f"/moderate/photos/{photo}")
    for action in ("reject", "hold", "withdraw"):
        response = staff.post(
            f"/moderate/photos/{photo}/decide",
            data={"csrf_token": token, "action": action, "reason": "사유\x00"},
        )
        assert response.status_code == 400
    bulk = staff.post("/moderate/bulk-publish", data={"csrf_token": token, "ids": ["a\x00"]})
    assert bulk.status_code == 400
    files = staff.get("/moderate/files/99999999999999999999.jpg")
    assert files.status_code == 404
