"""Security of the contribution form and the moderator screen."""

from __future__ import annotations

import io
import logging
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from archive.features.contributions.uploads import clean_filename, clean_upload_temp
from archive.models import Photo, PhotoFile
from tests.web.conftest import (
    contribution,
    csrf_token,
    form_values,
    runtime_of,
    send,
    upload,
    work,
)
from tests.web.test_moderate import contribute, decide, edit

Login = Callable[[str], FlaskClient]
XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
STAFF_GET = (
    "/moderate/",
    "/moderate/?queue=held",
    "/moderate/photos/{id}",
    "/moderate/files/{file}.jpg",
    "/moderate/dashboard",
    "/moderate/dashboard.csv",
    "/moderate/audit",
    "/moderate/users",
)
STAFF_POST = ("/moderate/photos/{id}", "/moderate/photos/{id}/decide", "/moderate/bulk-publish")
ADMIN_ONLY = ("/moderate/audit", "/moderate/users")


def nothing_stored(app: Flask) -> bool:
    runtime = runtime_of(app)
    with runtime.db.session() as session:
        rows = session.scalar(select(func.count()).select_from(Photo))
    files = [p for p in runtime.settings.storage_dir.rglob("*") if p.is_file()]
    temp = runtime.settings.data_dir / "tmp"
    return rows == 0 and files == [] and not (temp.exists() and any(temp.iterdir()))


def png_bomb(width: int, height: int) -> bytes:
    """Return a tiny 1-bit PNG that claims width x height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * ((width + 7) // 8 + 1) * height, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


@pytest.fixture
def client(fresh_app: Flask) -> FlaskClient:
    return fresh_app.test_client()


def test_missing_csrf_token_is_refused(fresh_app: Flask, login_as: Login) -> None:
    client = fresh_app.test_client()
    data = contribution("", [(upload(), {})])
    del data["csrf_token"]
    response = send(client, data)
    assert response.status_code == 400
    assert "보안 확인 값이 없거나 만료되었습니다" in response.get_data(as_text=True)
    assert nothing_stored(fresh_app)
    assert client.post("/login", data={"name": "a", "password": "b"}).status_code == 400
    (photo,), _ = contribute(fresh_app, "사연")
    staff = login_as("moderator")
    response = staff.post(f"/moderate/photos/{photo}/decide", data={"action": "approve"})
    assert response.status_code == 400
    assert staff.post("/logout").status_code == 400
    with runtime_of(fresh_app).db.session() as session:
        assert session.scalars(select(Photo.status)).one() == "draft"


@pytest.mark.settings(max_pixels=2_000_000)
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"Dear city office, here are my photos.\n", "사진 파일이 아닙니다"),
        (lambda: upload(Image.new("RGB", (600, 400)))[0].getvalue()[:3000], "손상되었거나"),
        (lambda: png_bomb(40_000, 40_000), "사진이 너무 큽니다"),
        (lambda: b"", "빈 파일입니다"),
        (lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "사진 파일이 아닙니다"),
    ],
    ids=["text-as-jpg", "truncated", "bomb", "empty", "pdf"],
)
def test_files_that_are_not_photos_are_refused_and_nothing_is_stored(
    fresh_app: Flask, client: FlaskClient, make: Callable[[], bytes], message: str
) -> None:
    token = csrf_token(client, "/contribute")
    bad = (io.BytesIO(make()), "photo.jpg")
    response = send(client, contribution(token, [(bad, {"story": "사연"})]))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert nothing_stored(fresh_app)


@pytest.mark.settings(upload_max_request_mb=1)
def test_an_oversized_request_gets_a_korean_413_page(fresh_app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/contribute")
    big = (io.BytesIO(os.urandom(1_300_000)), "big.jpg")
    response = send(client, contribution(token, [(big, {})]))
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "보낸 내용이 너무 큽니다" in html and "모두 합쳐 1MB" in html
    assert nothing_stored(fresh_app)


@pytest.mark.settings(upload_max_file_mb=1)
def test_a_photo_over_the_per_file_limit_is_refused(fresh_app: Flask, client: FlaskClient) -> None:
    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    photo = upload(noise)
    assert len(photo[0].getvalue()) > 1024 * 1024
    token = csrf_token(client, "/contribute")
    response = send(client, contribution(token, [(photo, {})]))
    assert response.status_code == 400
    assert "사진 한 장은 1MB까지" in response.get_data(as_text=True)
    assert nothing_stored(fresh_app)


def test_filenames_with_path_traversal_are_harmless(fresh_app: Flask, client: FlaskClient) -> None:
    names = ["../../../../etc/passwd.jpg", "C:/Users/kim/../../x.jpg", "..%2F..%2Fy.jpg"]
    token = csrf_token(client, "/contribute")
    response = send(client, contribution(token, [(upload(name=n), {}) for n in names]))
    assert response.status_code == 303
    runtime = runtime_of(fresh_app)
    with runtime.db.session() as session:
        masters = session.scalars(select(PhotoFile).where(PhotoFile.role == "master")).all()
        assert sorted(m.original_name or "" for m in masters) == [
            "..%2F..%2Fy.jpg",  # kept as text only: names never become paths
            "passwd.jpg",
            "x.jpg",
        ]
        keys = [m.key for m in masters]
    assert all(key.startswith("uploads/") and ".." not in key for key in keys)
    root = runtime.settings.data_dir.parent
    outside = [
        p for p in root.rglob("*") if p.is_file() and runtime.settings.data_dir not in p.parents
    ]
    assert outside == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("..\\..\\windows\\win.ini.jpg", "win.ini.jpg"),
        ("\x00evil\n.jpg", "evil.jpg"),
        ("", "photo"),
        ("../", "photo"),
        ("사진 (1).JPG", "사진 (1).JPG"),
    ],
)
def test_sent_file_names_are_reduced_to_a_plain_name(sent: str, kept: str) -> None:
    assert clean_filename(sent) == kept


def test_xss_payloads_come_out_escaped_everywhere(fresh_app: Flask, login_as: Login) -> None:
    fields = {name: XSS for name in ("title", "date", "place", "story", "people")}
    client = fresh_app.test_client()
    token = csrf_token(client, "/contribute")
    contact = "o'neil&co@example.kr"  # valid, with characters HTML must escape
    data = contribution(token, [(upload(), fields)], name=XSS, contact=contact, show_name="y")
    response = send(client, data)
    assert response.status_code == 303
    status_url = response.headers["Location"]
    staff = login_as("admin")
    with runtime_of(fresh_app).db.session() as session:
        photo = session.scalars(select(Photo.public_id)).one()
    edit(staff, photo, "approve", tags=XSS, credit=XSS, description=XSS + " 장날")
    work(fresh_app)
    pages = {
        "status": client.get(status_url),
        "photo": client.get(f"/photos/{photo}"),
        "search": client.get("/photos", query_string={"q": XSS}),
        "search-hit": client.get("/photos", query_string={"q": "장날"}),
        "feed": client.get("/feed.atom"),
        "embed": client.get("/embed"),
        "landing": client.get("/"),
        "queue": staff.get("/moderate/?queue=published"),
        "review": staff.get(f"/moderate/photos/{photo}"),
        "audit": staff.get("/moderate/audit"),
    }
    for name, page in pages.items():
        html = page.get_data(as_text=True)
        assert page.status_code == 200, name
        assert "<script>alert" not in html and "<img src=x" not in html, name
    for name in ("photo", "review", "audit", "feed", "search-hit"):
        assert "&lt;script&gt;alert(1)" in pages[name].get_data(as_text=True), name
    api = client.get(f"/api/photos/{photo}")
    assert api.mimetype == "application/json" and api.get_json()["title"] == XSS


def test_staff_routes_refuse_anonymous_visitors_and_wrong_roles(
    fresh_app: Flask, login_as: Login
) -> None:
    (photo,), _ = contribute(fresh_app, "사연")
    with runtime_of(fresh_app).db.session() as session:
        thumb = session.scalars(select(PhotoFile.id).where(PhotoFile.variant == "thumb")).first()
        thumb_sha = session.scalars(
            select(PhotoFile.sha256).where(PhotoFile.variant == "thumb")
        ).first()
    anonymous = fresh_app.test_client()
    for route in STAFF_GET:
        response = anonymous.get(route.format(id=photo, file=thumb))
        assert response.status_code == 302, route
        assert response.headers["Location"].startswith("/login?next="), route
    token = csrf_token(anonymous, "/contribute")  # a valid token, but no account
    for route in STAFF_POST:
        response = anonymous.post(route.format(id=photo), data={"csrf_token": token})
        assert response.status_code == 302, route
    assert anonymous.get(f"/media/thumb/{thumb_sha}.jpg").status_code == 404
    moderator = login_as("moderator")
    for route in ADMIN_ONLY:
        assert moderator.get(route).status_code == 403, route
    for route in set(STAFF_GET) - set(ADMIN_ONLY):
        assert moderator.get(route.format(id=photo, file=thumb)).status_code == 200, route
    admin = login_as("admin")
    for route in STAFF_GET:
        assert admin.get(route.format(id=photo, file=thumb)).status_code == 200, route
    with runtime_of(fresh_app).db.session() as session:
        assert session.scalars(select(Photo.status)).one() == "draft"


def test_masters_are_never_served(fresh_app: Flask, login_as: Login) -> None:
    (photo,), _ = contribute(fresh_app, "사연")
    staff = login_as("moderator")
    edit(staff, photo, "approve")
    with runtime_of(fresh_app).db.session() as session:
        master = session.scalars(select(PhotoFile).where(PhotoFile.role == "master")).one()
        master_id, master_sha, key = master.id, master.sha256, master.key
    public = fresh_app.test_client()
    assert staff.get(f"/moderate/files/{master_id}.jpg").status_code == 404
    for path in (f"/media/web/{master_sha}.jpg", f"/media/thumb/{master_sha}.jpg", "/" + key):
        assert public.get(path).status_code == 404, path
    assert public.get("/static/../var/storage/" + key).status_code == 404


def test_session_cookies_are_httponly_samesite_and_secure_over_https(
    fresh_app: Flask, login_as: Login
) -> None:
    client = fresh_app.test_client()
    client.get("/contribute")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure
    secure = fresh_app.test_client()
    response = secure.get("/contribute", base_url="https://localhost")
    header = response.headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


@pytest.mark.settings(login_rate_limit="3 per minute")
def test_login_attempts_are_rate_limited(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    statuses = []
    for _ in range(4):
        token = csrf_token(client, "/login")
        response = client.post(
            "/login", data={"name": "kim", "password": "guess-guess", "csrf_token": token}
        )
        statuses.append(response.status_code)
    assert statuses == [400, 400, 400, 429]


def test_contact_details_never_reach_public_pages_or_logs(
    fresh_app: Flask, login_as: Login, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    (photo,), _ = contribute(fresh_app, "사연", contact="grandma@example.kr", name="이영산")
    staff = login_as("moderator")
    edit(staff, photo, "approve", title="공개된 사진")
    work(fresh_app)
    public = fresh_app.test_client()
    for path in (
        f"/photos/{photo}",
        f"/api/photos/{photo}",
        "/api/photos",
        "/feed.atom",
        "/sitemap.xml",
        "/photos?q=공개된",
        "/embed",
        "/",
    ):
        body = public.get(path).get_data(as_text=True)
        assert "grandma@example.kr" not in body and "이영산" not in body, path
    assert "grandma@example.kr" in staff.get(f"/moderate/photos/{photo}").get_data(as_text=True)
    review_fields = form_values(
        staff.get(f"/moderate/photos/{photo}").get_data(as_text=True), "review-form"
    )
    assert review_fields["credit"] == "시민 제공"
    assert caplog.records
    assert "grandma@example.kr" not in caplog.text and "이영산" not in caplog.text


def test_a_rejection_cannot_skip_to_published_work(fresh_app: Flask, login_as: Login) -> None:
    (photo,), _ = contribute(fresh_app, "사연")
    staff = login_as("moderator")
    edit(staff, photo, "approve")
    page = decide(staff, photo, "reject", "이유")
    assert "처리하지 못했습니다" in page
    with runtime_of(fresh_app).db.session() as session:
        assert session.scalars(select(Photo.status)).one() == "published"


def test_upload_temp_files_left_by_a_killed_process_are_cleaned(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    old, fresh, other = temp / "upload-a.part", temp / "upload-b.part", temp / "keep.txt"
    for path in (old, fresh, other):
        path.write_bytes(b"x")
    os.utime(old, (0, 0))
    pyramid = temp / "pyramid-0a1b"
    (pyramid / "full" / "max" / "0").mkdir(parents=True)
    os.utime(pyramid, (0, 0))
    assert clean_upload_temp(temp) == 2
    assert sorted(p.name for p in temp.iterdir()) == ["keep.txt", "upload-b.part"]
    assert clean_upload_temp(tmp_path / "missing") == 0


def test_staff_images_are_single_files_never_a_tile_pyramid(
    fresh_app: Flask, login_as: Login
) -> None:
    from tests.web.test_moderate import scan

    scan(fresh_app, {"title": "등대"})
    with runtime_of(fresh_app).db.session() as session:
        rows = session.scalars(select(PhotoFile).where(PhotoFile.role == "derivative")).all()
        trees = [row.id for row in rows if row.key.endswith("/")]
        single = [row.id for row in rows if not row.key.endswith("/")]
    assert trees and single
    staff = login_as("moderator")
    for file_id in trees:
        assert staff.get(f"/moderate/files/{file_id}.jpg").status_code == 404
    answer = staff.get(f"/moderate/files/{single[0]}.jpg")
    assert answer.status_code == 200 and answer.content_type == "image/jpeg"
