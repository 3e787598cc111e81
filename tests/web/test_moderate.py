"""Staff review contributions and scans: edit, approve, reject, hold, withdraw, with an audit."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import piexif
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from archive.ingest.worker import IngestWorker
from archive.models import Event, Photo, PhotoFile
from tests.scans import picture, save_jpeg
from tests.web.conftest import (
    contribution,
    csrf_token,
    form_values,
    runtime_of,
    send,
    upload,
    work,
)

Login = Callable[[str], FlaskClient]


def contribute(app: Flask, *stories: str, **overrides: str) -> tuple[list[str], str]:
    """Send one contribution with a photo per story; return the record ids and status URL."""
    client = app.test_client()
    token = csrf_token(client, "/contribute")
    photos = [
        (upload(picture((640, 480), seed=n + 7), gps=True), {"story": story, "place": "영산포"})
        for n, story in enumerate(stories)
    ]
    response = send(client, contribution(token, photos, **overrides))
    assert response.status_code == 303, response.get_data(as_text=True)
    with runtime_of(app).db.session() as session:
        ids = list(
            session.scalars(select(Photo.public_id).order_by(Photo.id.desc()).limit(len(stories)))
        )
    return ids[::-1], response.headers["Location"].split("?")[0]


def scan(app: Flask, *records: dict[str, str]) -> list[str]:
    """Ingest one scan per set of fields through the real worker; return their ids."""
    runtime = runtime_of(app)
    inbox = runtime.settings.inbox_dir
    for n, fields in enumerate(records):
        save_jpeg(inbox / f"scan{n}.jpg", picture((700, 500), seed=100 + n))
        (inbox / f"scan{n}.json").write_text(json.dumps(fields), "utf-8")
    with IngestWorker(runtime) as worker:
        worker.run_once(inbox)
    with runtime.db.session() as session:
        rows = session.execute(
            select(PhotoFile.source_path, Photo.public_id)
            .join(Photo)
            .where(PhotoFile.role == "master", Photo.source == "scan")
        ).all()
    by_file = dict(rows)
    assert len(by_file) == len(records)
    return [by_file[f"scan{n}.jpg"] for n in range(len(records))]  # in the order given


def decide(client: FlaskClient, public_id: str, action: str, reason: str = "") -> str:
    token = csrf_token(client, f"/moderate/photos/{public_id}")
    response = client.post(
        f"/moderate/photos/{public_id}/decide",
        data={"csrf_token": token, "action": action, "reason": reason},
    )
    assert response.status_code == 303
    return client.get(response.headers["Location"]).get_data(as_text=True)


def edit(client: FlaskClient, public_id: str, action: str = "save", **fields: str) -> str:
    page = client.get(f"/moderate/photos/{public_id}").get_data(as_text=True)
    data = form_values(page, "review-form")
    assert {"title", "description", "rights", "credit"} <= set(data)
    data.update(fields, csrf_token=csrf_token(client, f"/moderate/photos/{public_id}"))
    data["action"] = action
    response = client.post(f"/moderate/photos/{public_id}", data=data)
    if response.status_code == 400:  # refused: the form comes back with the reason
        return str(response.get_data(as_text=True))
    assert response.status_code == 303, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def status_of(app: Flask, public_id: str) -> tuple[str, bool]:
    with runtime_of(app).db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        return photo.status, photo.held


def test_the_screen_needs_a_login(fresh_app: Flask) -> None:
    response = fresh_app.test_client().get("/moderate/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_queues_list_contributions_oldest_first_with_counts(
    fresh_app: Flask, login_as: Login
) -> None:
    first, _ = contribute(fresh_app, "첫 사연")
    second, _ = contribute(fresh_app, "둘째 사연")
    scan(fresh_app, {"date": "1970"})
    staff = login_as("moderator")
    html = staff.get("/moderate/").get_data(as_text=True)
    assert html.index(first[0]) < html.index(second[0])
    assert 'data-queue="contributions">2<' in html and 'data-queue="scans">1<' in html
    thumb = html.split('src="/moderate/files/', 1)[1].split('"', 1)[0]
    image = staff.get(f"/moderate/files/{thumb}")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["Cache-Control"] == "private, no-store"
    scans = staff.get("/moderate/?queue=scans&missing=title").get_data(as_text=True)
    assert "(제목 없음)" in scans
    has_date = staff.get("/moderate/?queue=scans&missing=date").get_data(as_text=True)
    assert "(제목 없음)" not in has_date and "이 대기열에 사진이 없습니다" in has_date
    assert staff.get("/moderate/?queue=nope").status_code == 400
    assert staff.get("/moderate/?page=0").status_code == 400


def test_edit_approve_publishes_at_once_and_reject_tells_the_contributor(
    fresh_app: Flask, login_as: Login
) -> None:
    (keep, drop), status_url = contribute(fresh_app, "장터 사연", "흐린 사진")
    staff = login_as("moderator")
    review = staff.get(f"/moderate/photos/{keep}").get_data(as_text=True)
    assert "김나주" in review and "010-1234-5678" in review  # only here
    assert "원본에 GPS가 있습니다" in review
    page = edit(
        staff, keep, "approve", title="영산포 장날 풍경", date="1970년대 초", people="박씨 할머니"
    )
    assert "저장하고 공개했습니다" in page
    assert status_of(fresh_app, keep) == ("published", False)
    public = fresh_app.test_client()
    assert public.get(f"/photos/{keep}").status_code == 200
    work(fresh_app)  # the worker brings the index up to date
    found = public.get("/api/photos", query_string={"q": "장날 풍경"}).get_json()
    assert [item["id"] for item in found["items"]] == [keep]
    by_person = public.get("/api/photos", query_string={"q": "할머니"}).get_json()
    assert [item["id"] for item in by_person["items"]] == [keep]
    item = found["items"][0]
    for url in (item["thumbnail_url"], item["image_url"]):
        exif = piexif.load(public.get(url).data)
        assert exif["GPS"] == {}
        assert exif["0th"][piexif.ImageIFD.Copyright].decode() == "공공누리 제1유형 / 시민 제공"
    page = decide(staff, drop, "reject", "사진이 흐려 알아보기 어렵습니다.")
    assert "반려했습니다" in page and status_of(fresh_app, drop) == ("rejected", False)
    assert public.get(f"/photos/{drop}").status_code == 404
    status = public.get(status_url).get_data(as_text=True)
    assert "공개됨" in status and "공개하지 않음" in status
    assert "사진이 흐려 알아보기 어렵습니다." in status and "감사드립니다" in status
    with runtime_of(fresh_app).db.session() as session:
        events = session.scalars(select(Event).where(Event.actor == staff.staff_name)).all()  # type: ignore[attr-defined]
        kinds = [event.kind for event in events]
        assert kinds == ["edited", "published", "rejected"]
        assert events[0].detail["title"] == {"old": "", "new": "영산포 장날 풍경"}


def test_a_taken_identifier_is_refused_with_a_message(fresh_app: Flask, login_as: Login) -> None:
    (first, second), _ = contribute(fresh_app, "하나", "둘")
    staff = login_as("moderator")
    edit(staff, first, identifier="NJ-1970-001")
    page = edit(staff, second, "approve", identifier="NJ-1970-001", title="둘째")
    assert "이미 다른 사진에 쓰였습니다" in page
    assert status_of(fresh_app, second) == ("draft", False)


def test_the_review_page_leads_to_the_next_in_the_queue(fresh_app: Flask, login_as: Login) -> None:
    (first, second, third), _ = contribute(fresh_app, "하나", "둘", "셋")
    staff = login_as("moderator")
    page = staff.get(f"/moderate/photos/{first}").get_data(as_text=True)
    assert f'href="/moderate/photos/{second}" rel="next"' in page
    decide(staff, second, "hold")
    page = staff.get(f"/moderate/photos/{first}").get_data(as_text=True)
    assert f'href="/moderate/photos/{third}" rel="next"' in page  # held ones leave the queue
    last = staff.get(f"/moderate/photos/{third}").get_data(as_text=True)
    assert 'rel="next"' not in last and "시민 기증 (검토 대기) 목록" in last


def test_reject_needs_a_reason_and_hold_sets_aside(fresh_app: Flask, login_as: Login) -> None:
    (photo,), _ = contribute(fresh_app, "사연")
    staff = login_as("moderator")
    assert "사유를 적어 주세요" in decide(staff, photo, "reject", "  ")
    assert status_of(fresh_app, photo) == ("draft", False)
    decide(staff, photo, "hold", "가족 확인 중")
    assert status_of(fresh_app, photo) == ("draft", True)
    held = staff.get("/moderate/?queue=held").get_data(as_text=True)
    assert photo in held and photo not in staff.get("/moderate/").get_data(as_text=True)


def test_withdraw_removes_everywhere_and_restore_brings_back(
    fresh_app: Flask, login_as: Login
) -> None:
    (photo,), status_url = contribute(fresh_app, "강변 사연")
    staff = login_as("moderator")
    edit(staff, photo, "approve", title="영산강 강변 빨래터")
    work(fresh_app)
    public = fresh_app.test_client()
    places = ("/photos/" + photo, "/api/photos/" + photo)
    listings = ("/feed.atom", "/sitemap.xml", "/photos?q=빨래터", "/api/photos?q=빨래터")
    assert all(photo in public.get(path).get_data(as_text=True) for path in listings)
    decide(staff, photo, "withdraw", "사진 속 인물의 가족이 요청함")
    # No worker has run: the withdrawal shows everywhere before the index catches up.
    assert all(public.get(path).status_code == 404 for path in places)
    assert not any(photo in public.get(path).get_data(as_text=True) for path in listings)
    assert "공개하지 않음" in public.get(status_url).get_data(as_text=True)
    decide(staff, photo, "restore")
    assert all(public.get(path).status_code == 200 for path in places)
    work(fresh_app)
    assert all(photo in public.get(path).get_data(as_text=True) for path in listings)


def test_bulk_publish_of_scans(fresh_app: Flask, login_as: Login) -> None:
    ids = scan(fresh_app, *({"title": f"스캔 {n}", "date": "1980"} for n in range(3)))
    (contributed,), _ = contribute(fresh_app, "사연")
    staff = login_as("moderator")
    token = csrf_token(staff, "/moderate/?queue=scans")
    response = staff.post(
        "/moderate/bulk-publish",
        data={"csrf_token": token, "ids": [ids[0], ids[2], contributed, "nonexistent"]},
    )
    assert response.status_code == 303
    states = [status_of(fresh_app, pid)[0] for pid in (*ids, contributed)]
    assert states == ["published", "draft", "published", "draft"]  # contributions need a review


def test_audit_log_is_for_admins_and_append_only(fresh_app: Flask, login_as: Login) -> None:
    (photo,), _ = contribute(fresh_app, "사연")
    moderator = login_as("moderator")
    edit(moderator, photo, title="새 제목")
    assert moderator.get("/moderate/audit").status_code == 403
    assert moderator.get("/moderate/users").status_code == 403
    admin = login_as("admin")
    html = admin.get("/moderate/audit").get_data(as_text=True)
    assert moderator.staff_name in html and "제목: 「」 → 「새 제목」" in html  # type: ignore[attr-defined]
    assert "정보 수정" in html and "시민 기증 접수" in html
    only_edits = admin.get("/moderate/audit?kind=edited").get_data(as_text=True)
    assert (
        "정보 수정" in only_edits.split("<tbody>")[1]
        and "시민 기증 접수" not in only_edits.split("<tbody>")[1]
    )
    assert "010-1234-5678" not in html
    assert "moderator-" in admin.get("/moderate/users").get_data(as_text=True)
    for statement in ("UPDATE events SET message = 'x'", "DELETE FROM events"):
        with (
            runtime_of(fresh_app).db.engine.connect() as connection,
            pytest.raises(DatabaseError, match="append-only"),
        ):
            connection.execute(text(statement))


def test_dashboard_counts_by_month(fresh_app: Flask, login_as: Login) -> None:
    (kept, dropped), _ = contribute(fresh_app, "하나", "둘")
    scan(fresh_app, {"title": "스캔"})
    staff = login_as("moderator")
    edit(staff, kept, "approve", title="고친 제목")
    decide(staff, dropped, "reject", "중복입니다")
    html = staff.get("/moderate/dashboard").get_data(as_text=True)
    expected = {"scanned": 1, "catalogued": 1, "published": 1, "contributed": 2, "approved": 1}
    for name, count in {**expected, "rejected": 1}.items():
        assert f'data-total="{name}">{count}<' in html, name
    csv_text = staff.get("/moderate/dashboard.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeff월,스캔 등록")
    # The same month drawn as bars (server-side SVG): one per series, tallest at the top.
    month = re.search(r'<th scope="row">(\d{4}-\d{2})</th>', html).group(1)  # type: ignore[union-attr]
    bars = re.findall(r'height="([\d.]+)" fill="#[0-9A-F]{6}"><title>([^<]+)</title>', html)[:3]
    assert [label for _h, label in bars] == [
        f"{month} 스캔 등록 1건",
        f"{month} 공개 1건",
        f"{month} 시민 기증 접수 2건",
    ]
    scanned, published, contributed = (float(h) for h, _label in bars)
    assert contributed == 2 * published == 2 * scanned > 0
    assert 'role="img"' in html and "같은 숫자가 아래 표에 있습니다" in html


def test_live_hints_read_the_date_and_place(fresh_app: Flask) -> None:
    # Public: visitors' suggestion form uses the same hints as the staff screen.
    visitor = fresh_app.test_client()
    hint = visitor.get("/api/hints?date=1965년경&place=남평 드들강").get_json()
    assert hint["date"]["ok"] and hint["date"]["edtf"] == "1965~"
    assert {"남평읍", "드들강"} <= {p["name"] for p in hint["places"]}
    unread = visitor.get("/api/hints?date=그때쯤&place=" + "가" * 5000).get_json()
    assert unread["date"]["ok"] is False and unread["places"] == []


def test_logout_and_disabled_accounts(fresh_app: Flask, login_as: Login) -> None:
    staff = login_as("moderator")
    assert staff.get("/moderate/").status_code == 200
    with runtime_of(fresh_app).db.session() as session:
        session.execute(text("UPDATE users SET active = false"))
    assert staff.get("/moderate/").status_code == 302  # signed out at the next request
    other = login_as("moderator")
    token = csrf_token(other, "/moderate/")
    assert other.post("/logout", data={"csrf_token": token}).status_code == 302
    assert other.get("/moderate/").status_code == 302


def test_wrong_password_is_refused_politely(fresh_app: Flask, login_as: Login) -> None:
    login_as("moderator")
    client = fresh_app.test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"name": "nobody", "password": "wrong-password", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "아이디 또는 비밀번호가 맞지 않습니다" in response.get_data(as_text=True)


def test_login_never_redirects_off_site(fresh_app: Flask, login_as: Login) -> None:
    from tests.web.conftest import STAFF_PASSWORD, add_staff

    add_staff(fresh_app, "kim", "moderator")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client = fresh_app.test_client()
        token = csrf_token(client, "/login")
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"name": "kim", "password": STAFF_PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == "/moderate/", target
