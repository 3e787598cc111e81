"""The three voice forms and the desk against attacks: CSRF, XSS, access, personal data."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from archive.models import Submission
from tests.web.conftest import csrf_token, runtime_of, work
from tests.web.test_voices import act, item_id, published, send_voice

Login = Callable[[str], FlaskClient]
XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
SECRET_CONTACT = "secret.family@example.kr"
SECRET_PHONE = "010-9876-5432"


def stored(app: Flask) -> int:
    with runtime_of(app).db.session() as session:
        return len(session.scalars(select(Submission)).all())


@pytest.mark.parametrize("action", ["memory", "identify", "request"])
def test_forms_need_their_csrf_token(shared_photo: tuple[Flask, str], action: str) -> None:
    fresh_app, public_id = shared_photo
    before = stored(fresh_app)
    visitor = fresh_app.test_client()
    fields = {"body": "기억", "field": "date", "reason": "person", "contact": SECRET_PHONE}
    response = visitor.post(f"/photos/{public_id}/{action}", data=fields)
    assert response.status_code == 400
    assert "다시 보내 주세요" in response.get_data(as_text=True)
    assert stored(fresh_app) == before


def test_the_desk_and_its_lists_are_for_staff_only(fresh_app: Flask, login_as: Login) -> None:
    public_id = published(fresh_app)
    _s, page, _t = send_voice(fresh_app.test_client(), public_id, "memory", body="기억")
    number = item_id(fresh_app, page)
    stranger = fresh_app.test_client()
    for path in (
        "/moderate/voices/memory",
        "/moderate/voices/request?decided=1",
        f"/moderate/voices/items/{number}",
        "/moderate/reasons/",
    ):
        response = stranger.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    token = csrf_token(stranger, f"/photos/{public_id}/memory")
    response = stranger.post(
        f"/moderate/voices/items/{number}", data={"csrf_token": token, "action": "approve"}
    )
    assert response.status_code == 302
    moderator = login_as("moderator")
    assert moderator.get("/moderate/reasons/").status_code == 403
    token = csrf_token(moderator, f"/moderate/voices/items/{number}")
    response = moderator.post("/moderate/reasons/", data={"csrf_token": token, "text": "x"})
    assert response.status_code == 403
    response = moderator.post(f"/moderate/voices/items/{number}", data={"action": "approve"})
    assert response.status_code == 400  # no CSRF token
    for path in ("/moderate/voices/nonsense", "/moderate/voices/items/99999"):
        assert moderator.get(path).status_code == 404
    assert moderator.get("/moderate/voices/memory?page=0").status_code == 400
    bad = moderator.post(
        f"/moderate/voices/items/{number}", data={"csrf_token": token, "action": "explode"}
    )
    assert bad.status_code == 400


def test_status_links_are_private(shared_photo: tuple[Flask, str]) -> None:
    fresh_app, public_id = shared_photo
    visitor = fresh_app.test_client()
    _s, _page, token = send_voice(visitor, public_id, "memory", body="기억")
    response = visitor.get(f"/voices/{token}")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    for guess in ("x", token[:-1] + ("A" if token[-1] != "A" else "B"), "a" * 500, "../etc"):
        assert visitor.get(f"/voices/{guess}").status_code == 404


def test_hostile_text_is_escaped_on_every_page_that_shows_it(
    fresh_app: Flask, login_as: Login
) -> None:
    public_id = published(fresh_app)
    visitor = fresh_app.test_client()
    _s, memory_page, memory_token = send_voice(
        visitor, public_id, "memory", body=f"기억 {XSS}", relation=XSS, name=XSS
    )
    _s, suggestion_page, suggestion_token = send_voice(
        visitor, public_id, "identify", field="people", body=f"김 {XSS}", source_note=XSS
    )
    _s, request_page, request_token = send_voice(
        visitor,
        public_id,
        "request",
        reason="wrong",
        body=XSS,
        name=XSS,
        contact=SECRET_CONTACT,
        consent="y",
    )
    staff = login_as("moderator")
    numbers = [item_id(fresh_app, page) for page in (memory_page, suggestion_page, request_page)]
    pages = [memory_page, suggestion_page, request_page]
    pages += [staff.get(f"/moderate/voices/items/{n}").get_data(as_text=True) for n in numbers]
    pages += [
        staff.get(f"/moderate/voices/{kind}").get_data(as_text=True)
        for kind in ("memory", "suggestion", "request")
    ]
    act(staff, numbers[0], "approve")
    act(staff, numbers[1], "accept", value=f"김 {XSS}")
    act(staff, numbers[2], "reject", reason=XSS)
    work(fresh_app)
    for path in (
        f"/photos/{public_id}",
        "/memories.atom",
        f"/voices/{memory_token}",
        f"/voices/{suggestion_token}",
        f"/voices/{request_token}",
        f"/moderate/photos/{public_id}",
        "/moderate/audit",
    ):
        client = staff if path.startswith("/moderate") else visitor
        pages.append(client.get(path).get_data(as_text=True))
    for page in pages:
        assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)" in pages[-7]  # the photo page shows the memory, escaped
    api = visitor.get(f"/api/photos/{public_id}").get_json()
    assert api["memories"][0]["text"] == f"기억 {XSS}"  # JSON carries the text as written


def test_contacts_never_leave_the_desk(
    fresh_app: Flask, login_as: Login, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    public_id = published(fresh_app)
    visitor = fresh_app.test_client()
    pages = []
    for action, fields in (
        ("memory", {"body": "장터 기억", "name": "김", "contact": SECRET_CONTACT, "consent": "y"}),
        ("identify", {"field": "date", "body": "1968", "contact": SECRET_PHONE, "consent": "y"}),
        (
            "request",
            {"reason": "person", "body": "저예요", "contact": SECRET_CONTACT, "consent": "y"},
        ),
    ):
        status, page, token = send_voice(visitor, public_id, action, **fields)
        assert status == 303
        pages += [page, visitor.get(f"/voices/{token}").get_data(as_text=True)]
    staff = login_as("moderator")
    memory = item_id(fresh_app, pages[0])
    act(staff, memory, "approve")
    work(fresh_app)
    assert SECRET_CONTACT in staff.get(f"/moderate/voices/items/{memory}").get_data(as_text=True)
    for path in (
        f"/photos/{public_id}",
        f"/api/photos/{public_id}",
        "/api/photos",
        "/memories.atom",
        "/feed.atom",
        "/sitemap.xml",
        "/help",
        "/photos?q=장터",
    ):
        pages.append(visitor.get(path).get_data(as_text=True))
    for page in pages:
        assert SECRET_CONTACT not in page and SECRET_PHONE not in page
    assert SECRET_CONTACT not in caplog.text and SECRET_PHONE not in caplog.text
    with runtime_of(fresh_app).db.session() as session:
        payloads = session.execute(text("SELECT payload FROM jobs")).scalars().all()
        events = session.execute(text("SELECT message, detail FROM events")).all()
    assert SECRET_CONTACT not in str(payloads) and SECRET_CONTACT not in str(events)
