"""Exhibitions: staff curate them as drafts, publish them, and visitors browse them in order."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from archive.features.exhibitions.showcase import photo_of_the_day
from archive.ingest.worker import IngestWorker
from archive.records.photos import create_photo
from tests.scans import picture, save_jpeg
from tests.web.conftest import add_staff, csrf_token, runtime_of, sign_in, work

STAFF = "/moderate/exhibitions"


def scans(app: Flask, *records: dict[str, Any]) -> list[str]:
    """Ingest scans (portrait where asked) through the real worker; return their ids in order."""
    runtime = runtime_of(app)
    inbox = runtime.settings.inbox_dir
    for n, fields in enumerate(records):
        size = (500, 900) if fields.pop("portrait", False) else (900, 600)
        save_jpeg(inbox / f"show{n}.jpg", picture(size, seed=200 + n))
        (inbox / f"show{n}.json").write_text(json.dumps(fields), "utf-8")
    with IngestWorker(runtime) as worker:
        worker.run_once(inbox)
    work(app)
    from sqlalchemy import select

    from archive.models import Photo, PhotoFile

    with runtime.db.session() as session:
        rows = dict(
            session.execute(
                select(PhotoFile.source_path, Photo.public_id)
                .join(Photo)
                .where(PhotoFile.role == "master")
            ).all()
        )
    return [rows[f"show{n}.jpg"] for n in range(len(records))]


def post(client: FlaskClient, path: str, page: str, **data: str) -> str:
    """POST a staff form with the CSRF token of the page it sits on; return the page after."""
    data["csrf_token"] = csrf_token(client, page)
    response = client.post(path, data=data, follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def exhibition_id(client: FlaskClient, title: str) -> int:
    listing = client.get(STAFF + "/").get_data(as_text=True)
    found = re.search(rf'href="{STAFF}/(\d+)">{re.escape(title)}</a>', listing)
    assert found, listing
    return int(found.group(1))


def item_ids(client: FlaskClient, edit: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="item-(\d+)"', client.get(edit).get_data(as_text=True))]


def public_order(client: FlaskClient, slug: str) -> list[str]:
    page = client.get(f"/exhibitions/{slug}").get_data(as_text=True)
    return re.findall(
        rf'<h2><span class="number">\d+\.</span> <a href="/photos/(\w+)\?exhibition={slug}"', page
    )


def test_staff_curate_a_draft_then_publish_it_and_visitors_follow_its_order(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    market, river, school, draft = scans(
        fresh_app,
        {"title": "영산포 장날", "date": "1972", "place": "영산포", "status": "published"},
        {
            "title": "영산강 나루",
            "date": "1968",
            "place": "영산포",
            "status": "published",
            "portrait": True,
        },
        {
            "title": "남평국민학교 운동회",
            "date": "1975",
            "place": "남평읍",
            "status": "published",
            "identifier": "NJ-0042",
        },
        {"title": "아직 검토 중인 사진", "date": "1970", "status": "draft"},
    )
    staff = login_as("moderator")
    visitor = fresh_app.test_client()
    page = post(
        staff,
        STAFF + "/",
        STAFF + "/",
        title="영산포 사람들",
        slug="yeongsanpo-people",
        introduction="강과 장터가 있던 영산포.\n\n배가 드나들던 시절의 모습입니다.",
    )
    assert "전시를 만들었습니다" in page
    ex = exhibition_id(staff, "영산포 사람들")
    edit = f"{STAFF}/{ex}"
    # A draft is staff-only: nothing public answers for it.
    assert visitor.get("/exhibitions/yeongsanpo-people").status_code == 404
    assert visitor.get("/api/exhibitions/yeongsanpo-people").status_code == 404
    assert "yeongsanpo-people" not in visitor.get("/sitemap.xml").get_data(as_text=True)
    # Photos named by id, by page address and by 관리번호; a draft photo can wait inside.
    post(
        staff, f"{edit}/items", edit, photo=market, caption="장날이면 강가까지 사람이 가득했습니다."
    )
    post(
        staff,
        f"{edit}/items",
        edit,
        photo=f"https://oldphoto.naju.go.kr/photos/{river}?q=x",
        caption="",
    )
    post(staff, f"{edit}/items", edit, photo="NJ-0042", caption="운동회 날 학부모들")
    page = post(staff, f"{edit}/items", edit, photo=draft, caption="")
    assert "방문자에게 안 보임" in page
    assert "이미 이 전시에 있는 사진" in post(
        staff, f"{edit}/items", edit, photo=market, caption=""
    )
    assert "해당하는 사진이 없습니다" in post(
        staff, f"{edit}/items", edit, photo="없는사진", caption=""
    )
    _first, second, third, _fourth = item_ids(staff, edit)
    post(staff, f"{edit}/items/{third}", edit, action="up", caption="")  # school before river
    post(staff, f"{edit}/items/{second}", edit, action="caption", caption="나루터의 배\n둘째 줄")
    post(staff, f"{edit}/items/{second}", edit, action="cover", caption="")
    assert "전시를 공개했습니다" in post(staff, f"{edit}/publish", edit)

    assert public_order(visitor, "yeongsanpo-people") == [market, school, river]
    show = visitor.get("/exhibitions/yeongsanpo-people").get_data(as_text=True)
    assert (
        "<p>강과 장터가 있던 영산포.</p>" in show
        and "<p>배가 드나들던 시절의 모습입니다.</p>" in show
    )
    assert "<p>나루터의 배</p><p>둘째 줄</p>" in show
    assert "아직 검토 중인 사진" not in show
    landing = visitor.get("/").get_data(as_text=True)
    assert "지금 전시" in landing and "/exhibitions/yeongsanpo-people" in landing
    # Opened from the exhibition: its caption, its place in the order, neighbours, a way back.
    photo = visitor.get(f"/photos/{school}?exhibition=yeongsanpo-people").get_data(as_text=True)
    assert "운동회 날 학부모들" in photo and "2 / 3" in photo
    assert f'rel="prev" id="prev" href="/photos/{market}?exhibition=yeongsanpo-people"' in photo
    assert f'rel="next" id="next" href="/photos/{river}?exhibition=yeongsanpo-people"' in photo
    assert '<a href="/exhibitions/yeongsanpo-people">전시로 돌아가기</a>' in photo
    assert "이 사진이 실린 전시" in visitor.get(f"/photos/{school}").get_data(as_text=True)
    # The API, the sitemap and the feed carry it, with absolute links.
    listed = visitor.get("/api/exhibitions").get_json()["items"]
    assert [e["slug"] for e in listed] == ["yeongsanpo-people"]
    one = visitor.get("/api/exhibitions/yeongsanpo-people").get_json()
    assert [i["id"] for i in one["items"]] == [market, school, river]
    assert one["cover"] == river and one["items"][0]["caption"].startswith("장날이면")
    assert one["url"].startswith("http") and "contact" not in json.dumps(one)
    assert "/exhibitions/yeongsanpo-people</loc>" in visitor.get("/sitemap.xml").get_data(
        as_text=True
    )
    assert "전시: 영산포 사람들" in visitor.get("/feed.atom").get_data(as_text=True)

    # Taking it down shows at once (cached pages included); its address stays fixed while public.
    page = post(staff, edit, edit, title="영산포 사람들", slug="other", introduction="")
    assert "저장하지 못했습니다: 입력한 값을 저장할 수 없습니다. (공개된 전시의 주소는" in page
    assert "먼저 비공개로" in post(staff, f"{edit}/delete", edit)
    post(staff, f"{edit}/unpublish", edit)
    assert visitor.get("/exhibitions/yeongsanpo-people").status_code == 404
    assert "지금 전시" not in visitor.get("/").get_data(as_text=True)
    assert visitor.get("/api/exhibitions").get_json()["items"] == []


def test_every_change_is_in_the_audit_log_with_titles(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    [market] = scans(fresh_app, {"title": "영산포 장날", "status": "published"})
    staff = login_as("moderator")
    post(staff, STAFF + "/", STAFF + "/", title="장날 풍경", slug="", introduction="")
    ex = exhibition_id(staff, "장날 풍경")
    edit = f"{STAFF}/{ex}"
    assert "exhibition-1" in staff.get(edit).get_data(as_text=True)  # an address was chosen
    post(staff, f"{edit}/items", edit, photo=market, caption="")
    post(staff, f"{edit}/publish", edit)
    add_staff(fresh_app, "admin-park", "admin")
    admin = fresh_app.test_client()
    sign_in(admin, "admin-park")
    audit = admin.get("/moderate/audit?kind=exhibition").get_data(as_text=True)
    for message in (
        "전시 만듦: 「장날 풍경」",
        "사진 더함: 「장날 풍경」",
        "전시 공개: 「장날 풍경」",
    ):
        assert message in audit
    assert f'href="/moderate/photos/{market}">영산포 장날</a>' in audit  # titles, not only ids
    assert f'href="{edit}">전시 「장날 풍경」</a>' in audit
    assert staff.get("/moderate/audit").status_code == 403  # the log is for admins


def test_bad_requests_are_refused_in_korean_and_change_nothing(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    [photo] = scans(fresh_app, {"title": "초안", "status": "draft"})
    staff = login_as("moderator")
    for slug, message in (
        ("영산포", "영문 소문자"),
        ("Bad Slug!", "영문 소문자"),
        ("a" * 61, "60"),
    ):
        page = post(staff, STAFF + "/", STAFF + "/", title="시험", slug=slug, introduction="")
        assert message in page, slug
    assert "제목을 적어 주세요" in post(
        staff, STAFF + "/", STAFF + "/", title="", slug="", introduction=""
    )
    post(staff, STAFF + "/", STAFF + "/", title="첫 전시", slug="first", introduction="")
    assert "이미 쓰였습니다" in post(
        staff, STAFF + "/", STAFF + "/", title="둘", slug="first", introduction=""
    )
    ex = exhibition_id(staff, "첫 전시")
    edit = f"{STAFF}/{ex}"
    post(staff, f"{edit}/items", edit, photo=photo, caption="")
    # Only draft photos: nothing visitors could see, so it cannot be published.
    assert "공개된 사진이 한 장 이상" in post(staff, f"{edit}/publish", edit)
    assert "요청을 처리하지 못했습니다" in post(
        staff, f"{edit}/items/{item_ids(staff, edit)[0]}", edit, action="explode"
    )
    token = csrf_token(staff, edit)
    assert (
        staff.post(
            f"{edit}/items/999999", data={"csrf_token": token, "action": "remove"}
        ).status_code
        == 404
    )
    assert staff.get(f"{STAFF}/999999").status_code == 404
    assert staff.post(f"{edit}/publish", data={}).status_code in (302, 303, 400)  # no CSRF token
    assert "준비 중" in staff.get(STAFF + "/").get_data(as_text=True)
    # Anonymous visitors are sent to sign in; the public list shows no drafts.
    visitor = fresh_app.test_client()
    assert visitor.get(edit).status_code in (302, 401)
    assert "첫 전시" not in visitor.get("/exhibitions/").get_data(as_text=True)
    # Deleting a draft keeps its photos.
    assert "전시를 지웠습니다" in post(staff, f"{edit}/delete", edit)
    assert staff.get(edit).status_code == 404
    assert staff.get(f"/moderate/photos/{photo}").status_code == 200


def test_the_day_photo_is_the_same_all_day_and_changes_from_day_to_day(fresh_app: Flask) -> None:
    ids = scans(fresh_app, *({"title": f"사진 {n}", "status": "published"} for n in range(5)))
    scans(fresh_app, {"title": "초안", "status": "draft"})  # never chosen
    runtime = runtime_of(fresh_app)
    start = date(2026, 11, 24)
    with runtime.db.session() as session:  # published, but with no image yet: never chosen
        for n in range(3):
            fields = {"title": f"그림 없음 {n}", "status": "published"}
            create_photo(session, fields, source="scan", gazetteer=runtime.gazetteer)
    with runtime.db.session() as session:
        picks = [photo_of_the_day(session, start + timedelta(days=n)) for n in range(30)]
        again = photo_of_the_day(session, start)
    chosen = [p.public_id for p in picks if p is not None]
    assert len(chosen) == 30 and set(chosen) <= set(ids)
    assert again is not None and again.public_id == chosen[0]
    assert len(set(chosen)) >= 3
    landing = fresh_app.test_client().get("/").get_data(as_text=True)
    assert "오늘의 사진" in landing


def test_cards_have_two_thumbnail_sizes_and_their_real_pixel_sizes(fresh_app: Flask) -> None:
    landscape, portrait = scans(
        fresh_app,
        {"title": "가로 사진", "status": "published"},
        {"title": "세로 사진", "status": "published", "portrait": True},
    )
    client = fresh_app.test_client()
    landing = client.get("/").get_data(as_text=True)
    images = re.findall(r"<img [^>]*>", landing)
    by_alt = {re.search(r'alt="([^"]*)"', tag).group(1): tag for tag in images}  # type: ignore[union-attr]
    for title, (wide, tall) in (("가로 사진", (320, 214)), ("세로 사진", (178, 320))):
        tag = by_alt[title]
        assert f'width="{wide}" height="{tall}"' in tag, tag
        small, large = re.search(r'srcset="(\S+) \d+w, (\S+) (\d+)w"', tag).groups()[:2]  # type: ignore[union-attr]
        with Image.open(__import__("io").BytesIO(client.get(large).data)) as im:
            assert max(im.size) == 640 and (im.width > im.height) == (wide > tall)
        assert client.get(small).status_code == 200 and "sizes=" in tag
    # Above the fold is fetched at once; every image on the page has width and height.
    assert all('width="' in tag and 'height="' in tag for tag in images)
    assert 'loading="eager"' in by_alt["가로 사진"] or 'loading="eager"' in by_alt["세로 사진"]
    photo = client.get(f"/photos/{portrait}").get_data(as_text=True)
    assert re.search(r'<img src="[^"]+" alt="세로 사진" width="(\d+)" height="(\d+)"', photo)
    assert landscape
