"""Citizens send photos with their stories; nothing is public until a moderator approves."""

from __future__ import annotations

import io
from pathlib import Path

import piexif
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from archive.models import Contribution, Photo
from archive.renditions import RENDITIONS
from tests.web.conftest import contribution, csrf_token, runtime_of, send, upload


def photo_count(app: Flask) -> int:
    with runtime_of(app).db.session() as session:
        return session.scalar(select(func.count()).select_from(Photo)) or 0


def stored_files(app: Flask) -> list[Path]:
    root = runtime_of(app).settings.storage_dir
    return sorted(p for p in root.rglob("*") if p.is_file() and "tmp" not in p.parts)


@pytest.fixture
def client(fresh_app: Flask) -> FlaskClient:
    return fresh_app.test_client()


def test_the_form_says_purpose_items_and_retention_next_to_consent(client: FlaskClient) -> None:
    response = client.get("/contribute")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="ko">' in html
    consent = html[html.index('class="consent"') :]
    for words in ("수집 목적", "수집 항목", "이름, 연락처", "보유 기간", "1년"):
        assert words in consent
    assert 'name="csrf_token"' in html
    assert 'name="website"' in html and 'class="honeypot"' in html
    assert "공공누리 제4유형" in html
    assert '<option value="영산포">' in html  # place suggestions from the gazetteer


def test_more_photo_entries_without_javascript(client: FlaskClient) -> None:
    html = client.get("/contribute?n=3").get_data(as_text=True)
    assert 'name="photos-2-file"' in html and 'name="photos-3-file"' not in html
    assert 'name="photos-0-file"' in client.get("/contribute?n=abc").get_data(as_text=True)


def test_two_photos_become_pending_records_with_a_receipt(
    fresh_app: Flask, client: FlaskClient
) -> None:
    token = csrf_token(client, "/contribute")
    gps_photo = upload(name="할머니댁.jpg", gps=True, serial=True, make="Canon", model="EOS")
    sent = gps_photo[0].getvalue()
    data = contribution(
        token,
        [
            (gps_photo, {"date": "1970년대 초", "place": "영산포 선창", "story": "장날 풍경"}),
            (upload(name="b.jpg"), {"date": "할머니 시집오던 해", "people": "할머니"}),
        ],
    )
    response = send(client, data)
    assert response.status_code == 303
    status_url = response.headers["Location"]
    assert status_url.startswith("/contribute/status/") and status_url.endswith("?new=1")
    with runtime_of(fresh_app).db.session() as session:
        photos = list(session.scalars(select(Photo).order_by(Photo.id)))
        assert [p.status for p in photos] == ["draft", "draft"]
        assert {p.source for p in photos} == {"contribution"}
        assert (photos[0].date_start, photos[0].date_end) == (1970, 1973)
        assert photos[0].places == ["영산포 선창"]
        assert photos[1].date_text == "할머니 시집오던 해"  # kept, never rejected
        assert photos[1].date_precision == "unknown"
        assert photos[1].people == "할머니"
        assert photos[0].rights == "공공누리 제1유형" and photos[0].credit == "시민 제공"
        master = photos[0].master()
        assert master is not None and master.key.startswith("uploads/")
        assert master.original_name == "할머니댁.jpg"
        assert master.technical is not None and master.technical.has_gps
        with runtime_of(fresh_app).storage.open(master.key) as handle:
            assert handle.read() == sent  # the original, byte for byte
        derivatives = [f for f in photos[0].files if f.role == "derivative"]
        public_ids = [p.public_id for p in photos]
        contribution_row = session.scalars(select(Contribution)).one()
        assert (contribution_row.name, contribution_row.contact) == ("김나주", "010-1234-5678")
    storage = runtime_of(fresh_app).storage
    for tiles in [f for f in derivatives if f.variant == "tiles"]:
        for tile in storage.list_keys(tiles.key):  # pixels only, not even the archive's EXIF
            with storage.open(tile.key) as handle:
                assert not any(piexif.load(handle.read()).values()), tile.key
        info = client.get(f"/iiif/3/{tiles.sha256}-1/info.json")
        assert info.status_code == 404  # pending: no public image service
    derivatives = [f for f in derivatives if f.variant != "tiles"]
    assert len(derivatives) == len(RENDITIONS) - 1  # web and thumbnails
    for file in derivatives:
        with storage.open(file.key) as handle:
            exif = piexif.load(handle.read())
        assert exif["GPS"] == {}
        assert piexif.ExifIFD.BodySerialNumber not in exif["Exif"]
        assert piexif.ImageIFD.Make not in exif["0th"]
    for public_id in public_ids:
        assert client.get(f"/photos/{public_id}").status_code == 404
        assert client.get(f"/api/photos/{public_id}").status_code == 404
    for file in derivatives:
        assert client.get(f"/media/{file.variant}/{file.sha256}.jpg").status_code == 404

    status = client.get(status_url)
    html = status.get_data(as_text=True)
    assert status.status_code == 200
    assert status.headers["Cache-Control"] == "private, no-store"
    assert status.headers["Referrer-Policy"] == "no-referrer"
    assert html.count("검토 중") == 2 and "잘 받았습니다" in html
    assert contribution_row.receipt in html
    assert "010-1234-5678" not in html


def test_the_contributor_sees_their_own_thumbnails_only(
    fresh_app: Flask, client: FlaskClient
) -> None:
    first = send(client, contribution(csrf_token(client, "/contribute"), [(upload(), {})]))
    second = send(client, contribution(csrf_token(client, "/contribute"), [(upload(), {})]))
    first_url = first.headers["Location"].split("?")[0]
    second_url = second.headers["Location"].split("?")[0]
    with runtime_of(fresh_app).db.session() as session:
        ids = list(session.scalars(select(Photo.public_id).order_by(Photo.id)))
    own = client.get(f"{first_url}/{ids[0]}.jpg")
    assert own.status_code == 200 and own.mimetype == "image/jpeg"
    assert own.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"{first_url}/{ids[1]}.jpg").status_code == 404
    assert client.get(f"{second_url}/{ids[0]}.jpg").status_code == 404
    assert client.get("/contribute/status/not-a-real-token").status_code == 404


def test_showing_the_name_is_the_contributors_choice(fresh_app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/contribute")
    send(client, contribution(token, [(upload(), {})], show_name="y", name="박영산"))
    with runtime_of(fresh_app).db.session() as session:
        assert session.scalars(select(Photo.credit)).one() == "박영산"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": None}, "개인정보 수집·이용에 동의해야"),
        ({"owns_rights": None}, "공유해도 되는지 확인해"),
        ({"rights": None}, "공공누리 유형을 하나 골라"),
        ({"name": ""}, "이름을 적어"),
        ({"contact": "연락 주지 마세요"}, "이메일 주소나 전화번호"),
        ({"contact": "12345678"}, "이메일 주소나 전화번호"),
        ({"contact": "1.2.3.4.5.6.7.8"}, "이메일 주소나 전화번호"),
        ({"contact": "<script>@x.y"}, "이메일 주소나 전화번호"),
        ({"contact": "kim@localhost"}, "이메일 주소나 전화번호"),
        ({"contact": "010-1234-5678 저녁에 전화 주세요"}, "이메일 주소나 전화번호"),
        ({"website": "http://spam.example"}, "비워 두어야"),
    ],
)
def test_a_refused_form_says_why_and_stores_nothing(
    fresh_app: Flask, client: FlaskClient, overrides: dict[str, str | None], message: str
) -> None:
    token = csrf_token(client, "/contribute")
    response = send(client, contribution(token, [(upload(), {"story": "사연"})], **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert photo_count(fresh_app) == 0 and stored_files(fresh_app) == []


def test_an_entry_with_a_story_but_no_file_is_pointed_out(client: FlaskClient) -> None:
    token = csrf_token(client, "/contribute")
    data = contribution(token, [(upload(), {}), (None, {"story": "두 번째 사진 이야기"})])
    response = send(client, {k: v for k, v in data.items() if k != "photos-1-file"})
    assert response.status_code == 400
    assert "이 칸의 사진 파일을 골라 주세요" in response.get_data(as_text=True)


def test_a_form_without_photos_asks_for_one(client: FlaskClient) -> None:
    token = csrf_token(client, "/contribute")
    data = contribution(token, [])
    response = send(client, data)
    assert response.status_code == 400
    assert "사진을 하나 이상" in response.get_data(as_text=True)


@pytest.mark.settings(upload_max_photos=2)
def test_too_many_photos_at_once(fresh_app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/contribute")
    response = send(client, contribution(token, [(upload(), {}) for _ in range(3)]))
    assert response.status_code == 400
    assert "2장까지" in response.get_data(as_text=True)
    assert photo_count(fresh_app) == 0


def test_one_unreadable_photo_keeps_the_others_back_too(
    fresh_app: Flask, client: FlaskClient
) -> None:
    token = csrf_token(client, "/contribute")
    bad = (io.BytesIO(b"this is a letter, not a photo"), "letter.jpg")
    response = send(client, contribution(token, [(upload(), {}), (bad, {})]))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "사진 파일이 아닙니다" in html
    assert photo_count(fresh_app) == 0 and stored_files(fresh_app) == []
    tmp = runtime_of(fresh_app).settings.data_dir / "tmp"
    assert not any(tmp.iterdir())  # temporary copies are removed


@pytest.mark.settings(contribute_rate_limit="2 per hour")
def test_the_form_is_rate_limited_per_address(client: FlaskClient) -> None:
    for _ in range(2):
        token = csrf_token(client, "/contribute")
        assert send(client, contribution(token, [(upload(), {})])).status_code == 303
    token = csrf_token(client, "/contribute")
    response = send(client, contribution(token, [(upload(), {})]))
    assert response.status_code == 429
    assert "요청이 너무 많습니다" in response.get_data(as_text=True)
    assert client.get("/contribute").status_code == 200  # reading the form is not limited


def test_an_empty_archive_invites_contributions(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'href="/contribute"' in html
    for path in ("/photos?q=영산포&era=1970s", "/feed.atom", "/sitemap.xml", "/api/photos"):
        assert client.get(path).status_code == 200, path


def test_every_problem_is_listed_at_once_with_links_to_the_fields(client: FlaskClient) -> None:
    token = csrf_token(client, "/contribute")
    data = {k: v for k, v in contribution(token, []).items() if k not in ("name", "consent")}
    page = send(client, data).get_data(as_text=True)
    summary = page.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#photos-0-file">사진 1의 사진 파일: 보낼 사진을 하나 이상 골라 주세요.' in summary
    assert 'href="#name">이름: 이름을 적어 주세요.' in summary
    assert 'href="#consent">' in summary and "choose-again" not in summary


def test_after_a_refusal_the_page_says_the_photos_must_be_chosen_again(
    client: FlaskClient,
) -> None:
    token = csrf_token(client, "/contribute")
    data = {k: v for k, v in contribution(token, [(upload(), {})]).items() if k != "consent"}
    page = send(client, data).get_data(as_text=True)
    assert "다시 골라" in page and 'href="#consent"' in page


def test_a_scan_identical_to_a_contributed_photo_says_so_plainly(
    fresh_app: Flask, client: FlaskClient
) -> None:
    from archive.ingest.worker import IngestWorker

    photo = upload(name="할머니댁.jpg")
    sent = photo[0].getvalue()
    response = send(client, contribution(csrf_token(client, "/contribute"), [(photo, {})]))
    assert response.status_code == 303
    runtime = runtime_of(fresh_app)
    (runtime.settings.inbox_dir / "스캔0001.jpg").parent.mkdir(parents=True, exist_ok=True)
    (runtime.settings.inbox_dir / "스캔0001.jpg").write_bytes(sent)
    results = []
    with IngestWorker(runtime, on_result=results.append) as worker:
        worker.run_once(runtime.settings.inbox_dir)
    [result] = results
    assert result.outcome == "duplicate"
    assert "None" not in result.korean and "None" not in result.reason
    assert "시민이 보낸 사진" in result.korean and "citizen" in result.reason
    note = runtime.settings.scans_dir / "duplicates" / "스캔0001.jpg.duplicate.txt"
    assert "None" not in note.read_text("utf-8") and "시민이 보낸 사진" in note.read_text("utf-8")


@pytest.mark.parametrize(
    "contact",
    ["010-1234-5678", "01012345678", "061-330-8114", "+81 90-1234-5678", "kim@naver.com"],
)
def test_a_phone_number_or_an_address_is_a_contact(client: FlaskClient, contact: str) -> None:
    token = csrf_token(client, "/contribute")
    response = send(client, contribution(token, [(upload(), {})], contact=contact))
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]


def test_the_service_refuses_a_contact_that_is_neither(fresh_app: Flask) -> None:
    from archive.errors import InvalidChange
    from archive.records.contributions import Contributor, create_contribution

    with pytest.raises(InvalidChange) as refused, runtime_of(fresh_app).db.session() as session:
        create_contribution(session, Contributor("김", "아무 데나", False, "공공누리 제1유형"))
    assert refused.value.code == "invalid_contact"
