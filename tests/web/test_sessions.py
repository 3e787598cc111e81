"""Staff sessions end for real: sign-out, idle time, lifetime, password change and reset."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from archive.features.accounts.users import UserError, check_password
from archive.models import Event
from tests.web.conftest import STAFF_PASSWORD, add_staff, csrf_token, runtime_of, sign_in

Login = Callable[[str], FlaskClient]
NEW_PASSWORD = "영산포 등대 아래 1972 sunset trumpet"


def signed_in(client: FlaskClient) -> bool:
    return client.get("/moderate/").status_code == 200


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Return another browser holding a copy of client's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_copied_cookie_stops_working_at_sign_out(fresh_app: Flask, login_as: Login) -> None:
    staff = login_as("moderator")
    thief = copy_of(fresh_app, staff)
    assert signed_in(thief)
    response = staff.post("/logout", data={"csrf_token": csrf_token(staff, "/moderate/")})
    assert response.status_code == 302
    assert not signed_in(thief) and not signed_in(staff)
    assert thief.get("/moderate/").headers["Location"].startswith("/login")


@pytest.mark.settings(staff_idle_minutes=30, staff_session_hours=8)
def test_idle_and_old_sessions_end(fresh_app: Flask, login_as: Login) -> None:
    staff = login_as("moderator")
    with staff.session_transaction() as session:
        session["seen"] = int(time.time()) - 29 * 60
    assert signed_in(staff)  # and the request counts as activity
    with staff.session_transaction() as session:
        assert int(time.time()) - session["seen"] < 5
        session["seen"] = int(time.time()) - 31 * 60
    page = staff.get("/moderate/", follow_redirects=True).get_data(as_text=True)
    assert "오랫동안 쓰지 않아 로그아웃되었습니다" in page
    again = login_as("moderator")
    with again.session_transaction() as session:
        session["signed_in"] = int(time.time()) - 8 * 3600 - 60
    assert not signed_in(again)
    assert fresh_app.permanent_session_lifetime.total_seconds() == 8 * 3600


def test_changing_ones_password_ends_the_other_sessions(fresh_app: Flask) -> None:
    add_staff(fresh_app, "kim", "moderator")
    office, phone = fresh_app.test_client(), fresh_app.test_client()
    sign_in(office, "kim")
    sign_in(phone, "kim")
    form = {"current": STAFF_PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD}
    token = csrf_token(office, "/moderate/account")
    weak = office.post(
        "/moderate/account",
        data={**form, "new": "aaaaaaaaaa", "again": "aaaaaaaaaa", "csrf_token": token},
    )
    assert weak.status_code == 400 and "비밀번호가 너무 쉽습니다" in weak.get_data(as_text=True)
    wrong = office.post(
        "/moderate/account", data={**form, "current": "not it at all 123", "csrf_token": token}
    )
    assert "지금 비밀번호가 맞지 않습니다" in wrong.get_data(as_text=True)
    changed = office.post("/moderate/account", data={**form, "csrf_token": token})
    assert changed.status_code == 303
    assert signed_in(office) and not signed_in(phone)
    fresh = fresh_app.test_client()
    sign_in(fresh, "kim", NEW_PASSWORD)
    with runtime_of(fresh_app).db.session() as session:
        kinds = set(session.scalars(select(Event.kind)))
    assert "password-changed" in kinds


def test_an_admin_resets_a_password_and_that_persons_sessions_end(
    fresh_app: Flask, login_as: Login
) -> None:
    add_staff(fresh_app, "lee", "moderator")
    lee = fresh_app.test_client()
    sign_in(lee, "lee")
    admin = login_as("admin")
    token = csrf_token(admin, "/moderate/users")
    short = admin.post(
        "/moderate/users/lee/password",
        data={"new": "short", "again": "short", "csrf_token": token},
        follow_redirects=True,
    )
    assert "10자 이상" in short.get_data(as_text=True) and signed_in(lee)
    done = admin.post(
        "/moderate/users/lee/password",
        data={"new": NEW_PASSWORD, "again": NEW_PASSWORD, "csrf_token": token},
    )
    assert done.status_code == 303 and not signed_in(lee)
    sign_in(lee, "lee", NEW_PASSWORD)
    moderator = login_as("moderator")
    refused = moderator.post(
        "/moderate/users/lee/password",
        data={"new": NEW_PASSWORD, "again": NEW_PASSWORD, "csrf_token": token},
    )
    assert refused.status_code in (400, 403)


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaa",
        "          ",
        "password123",
        "naju12345678",
        "qwertyuiop",
        "1234567890",
        "kim12345678",
        "나주나주나주나주나주",
        "short1!",
        "x\x00" * 8,
    ],
)
def test_weak_or_blank_passwords_are_refused(password: str) -> None:
    with pytest.raises(UserError):
        check_password(password, "kim", 10)


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", NEW_PASSWORD, "Tz7!qP9#mW2$vL"]
)
def test_strong_passwords_are_accepted(password: str) -> None:
    check_password(password, "kim", 10)
