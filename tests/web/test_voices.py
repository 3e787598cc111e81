"""Visitors' memories, suggestions and requests on a photo, and the moderators' desk."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from archive.models import Event, Photo, Submission
from archive.operations.checks import run_checks
from archive.records.contributions import purge_personal_data
from tests.web.conftest import csrf_token, runtime_of, work
from tests.web.test_moderate import contribute, decide, scan

Login = Callable[[str], FlaskClient]
CONTACT = "grandson.kim@example.kr"
_STATUS = re.compile(r"/voices/([A-Za-z0-9_-]+)\?new=1")


def published(app: Flask, **fields: str) -> str:
    """Ingest one published scan and build the index; return its public id."""
    record = {"title": "영산포 선창", "status": "published", **fields}
    [public_id] = scan(app, record)
    work(app)
    return public_id


def send_voice(
    client: FlaskClient, public_id: str, action: str, **fields: Any
) -> tuple[int, str, str]:
    """Send one of the three forms; return (status, page or status page, status token)."""
    path = f"/photos/{public_id}/{action}"
    data = {"csrf_token": csrf_token(client, path), "website": "", **fields}
    response = client.post(path, data=data)
    if response.status_code != 303:
        return response.status_code, response.get_data(as_text=True), ""
    location = response.headers["Location"]
    token = _STATUS.search(location)
    assert token, location
    return 303, client.get(location).get_data(as_text=True), token.group(1)


def memory(client: FlaskClient, public_id: str, text: str, **extra: Any) -> tuple[int, str, str]:
    fields = {"body": text, "relation": "그때 그곳에 살았음", "name": "김영산", **extra}
    return send_voice(client, public_id, "memory", **fields)


def item_id(app: Flask, receipt_page: str) -> int:
    receipt = re.search(r'id="receipt">([^<]+)<', receipt_page)
    assert receipt, receipt_page
    with runtime_of(app).db.session() as session:
        found = session.scalar(select(Submission.id).where(Submission.receipt == receipt.group(1)))
    assert found is not None
    return found


def act(staff: FlaskClient, number: int, action: str, **fields: Any) -> str:
    """Take a decision on the desk; return the item page shown after it."""
    path = f"/moderate/voices/items/{number}"
    data = {"csrf_token": csrf_token(staff, path), "action": action, **fields}
    response = staff.post(path, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return staff.get(response.headers["Location"]).get_data(as_text=True)


def test_a_memory_is_shown_only_once_approved(fresh_app: Flask, login_as: Login) -> None:
    public_id = published(fresh_app)
    visitor = fresh_app.test_client()
    page = visitor.get(f"/photos/{public_id}").get_data(as_text=True)
    assert "기억 나누기" in page and "이 사진을 아시나요?" in page and "수정·삭제 요청" in page
    text = "장날이면 선창에\n새우젓 배가 가득했지요."
    status, receipt_page, token = memory(visitor, public_id, text, contact=CONTACT, consent="y")
    assert status == 303 and "잘 받았습니다" in receipt_page and "검토 중" in receipt_page
    work(fresh_app)
    assert "새우젓" not in visitor.get(f"/photos/{public_id}").get_data(as_text=True)
    assert not visitor.get(f"/api/photos/{public_id}").get_json()["memories"]

    staff = login_as("moderator")
    queue = staff.get("/moderate/voices/memory").get_data(as_text=True)
    assert 'data-voices="memory">1<' in queue and "새우젓" in queue
    number = item_id(fresh_app, receipt_page)
    item_page = staff.get(f"/moderate/voices/items/{number}").get_data(as_text=True)
    assert CONTACT in item_page  # staff see how to reach the writer
    act(staff, number, "approve")
    work(fresh_app)

    page = visitor.get(f"/photos/{public_id}").get_data(as_text=True)
    assert "새우젓 배가" in page and "김영산" in page and "그때 그곳에 살았음" in page
    assert 'class="count">1<' in page
    item = visitor.get(f"/api/photos/{public_id}").get_json()
    assert item["memory_count"] == 1
    assert item["memories"][0]["text"] == text and item["memories"][0]["name"] == "김영산"
    assert "기억 1" in visitor.get("/photos?q=선창").get_data(as_text=True)
    feed = visitor.get("/memories.atom").get_data(as_text=True)
    assert "새우젓" in feed and "김영산" in feed
    found = visitor.get("/api/photos", query_string={"q": "새우젓"}).get_json()
    assert [card["id"] for card in found["items"]] == [public_id]
    assert "반영됨" in visitor.get(f"/voices/{token}").get_data(as_text=True)
    for path in (f"/photos/{public_id}", f"/api/photos/{public_id}", "/memories.atom", "/photos"):
        assert CONTACT not in visitor.get(path).get_data(as_text=True), path


def test_memories_without_a_name_are_anonymous_and_sort_both_ways(
    fresh_app: Flask, login_as: Login
) -> None:
    public_id = published(fresh_app)
    visitor = fresh_app.test_client()
    _s, first, _t = memory(visitor, public_id, "첫 번째 기억입니다", name="")
    _s, second, _t = memory(visitor, public_id, "두 번째 기억입니다", name="박나주")
    staff = login_as("moderator")
    for page in (first, second):
        act(staff, item_id(fresh_app, page), "approve")
    newest = visitor.get(f"/photos/{public_id}").get_data(as_text=True)
    oldest = visitor.get(f"/photos/{public_id}?memories=oldest").get_data(as_text=True)
    assert newest.index("두 번째") < newest.index("첫 번째")
    assert oldest.index("첫 번째") < oldest.index("두 번째")
    assert "익명" in newest


def test_an_accepted_suggestion_edits_the_record_with_credit(
    fresh_app: Flask, login_as: Login
) -> None:
    public_id = published(fresh_app, place="")
    visitor = fresh_app.test_client()
    page = visitor.get(f"/photos/{public_id}").get_data(as_text=True)
    assert "장소</a>" in page  # the page asks for what is missing
    status, receipt_page, token = send_voice(
        visitor,
        public_id,
        "identify",
        field="place",
        body="영산포 선창 근처 같아요",
        source_note="사진 뒷면 글씨",
    )
    assert status == 303
    staff = login_as("moderator")
    number = item_id(fresh_app, receipt_page)
    receipt = re.search(r'id="receipt">([^<]+)<', receipt_page).group(1)  # type: ignore[union-attr]
    item_page = act(staff, number, "accept", value="영산포 선창")
    assert "반영됨" in item_page
    with runtime_of(fresh_app).db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        assert photo.place_text == "영산포 선창"
        events = session.scalars(
            select(Event).where(Event.photo_id == photo.id, Event.kind == "edited")
        ).all()
    assert [e.message for e in events] == [f"시민 제보 #{receipt}"]
    page = visitor.get(f"/photos/{public_id}").get_data(as_text=True)  # at once, before the index
    assert "영산포 선창" in page
    assert "영산포 선창" in visitor.get(f"/voices/{token}").get_data(as_text=True)
    history = staff.get(f"/moderate/photos/{public_id}").get_data(as_text=True)
    assert f"시민 제보 #{receipt}" in history


def test_an_unreadable_date_is_kept_and_flagged(fresh_app: Flask, login_as: Login) -> None:
    public_id = published(fresh_app)
    visitor = fresh_app.test_client()
    status, receipt_page, _token = send_voice(
        visitor, public_id, "identify", field="date", body="할아버지 환갑 잔치 무렵"
    )
    assert status == 303
    staff = login_as("moderator")
    item_page = staff.get(f"/moderate/voices/items/{item_id(fresh_app, receipt_page)}")
    html = item_page.get_data(as_text=True)
    assert "할아버지 환갑 잔치 무렵" in html and "시기로 읽을 수 없는 표기" in html


def test_a_request_can_hide_the_photo_then_restore_it(fresh_app: Flask, login_as: Login) -> None:
    public_id = published(fresh_app)
    visitor = fresh_app.test_client()
    status, receipt_page, token = send_voice(
        visitor,
        public_id,
        "request",
        reason="person",
        body="제 어머니가 나오는 사진입니다.",
        contact="010-2222-3333",
        consent="y",
    )
    assert status == 303
    number = item_id(fresh_app, receipt_page)
    staff = login_as("moderator")
    act(staff, number, "hide")
    assert visitor.get(f"/photos/{public_id}").status_code == 404
    assert "임시로 내려" in visitor.get(f"/voices/{token}").get_data(as_text=True)
    dashboard = staff.get("/moderate/dashboard").get_data(as_text=True)
    assert "data-open-requests>1<" in dashboard and "임시 비공개" in dashboard
    act(staff, number, "restore")
    assert visitor.get(f"/photos/{public_id}").status_code == 200
    act(staff, number, "reject", reason="사진 속 인물을 확인할 수 없었습니다.")
    answer = visitor.get(f"/voices/{token}").get_data(as_text=True)
    assert "받아들이지 못했습니다" in answer and "확인할 수 없었습니다" in answer
    csv_text = staff.get("/moderate/dashboard.csv").get_data(as_text=True)
    assert "수정·삭제 요청 접수" in csv_text and "요청 첫 조치까지 (시간, 중앙값)" in csv_text


def test_erasure_removes_every_file_and_leaves_a_tombstone(
    fresh_app: Flask, login_as: Login
) -> None:
    public_id = published(fresh_app, description="김씨 집안 잔치")
    visitor = fresh_app.test_client()
    _s, receipt_page, token = send_voice(
        visitor,
        public_id,
        "request",
        reason="person",
        body="저입니다",
        contact=CONTACT,
        consent="y",
    )
    runtime = runtime_of(fresh_app)
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        stored = [(f.backend, f.key) for f in photo.files]
        stored += [(f.backend, f.public_key) for f in photo.files if f.public_key]
    assert stored and all(runtime.storages.of(b).holds(k) for b, k in stored)
    assert any(k.endswith("/") for _b, k in stored)  # the tile pyramids, public and private
    staff = login_as("moderator")
    number = item_id(fresh_app, receipt_page)
    refused = act(staff, number, "grant", resolution="erased")  # without the confirmation
    assert "되돌릴 수 없습니다" in refused
    act(staff, number, "grant", resolution="erased", confirm="erase")
    work(fresh_app)  # the deletion job and the index
    assert not any(runtime.storages.of(b).holds(k) for b, k in stored)
    assert visitor.get(f"/photos/{public_id}").status_code == 404
    assert visitor.get("/api/photos", query_string={"q": "잔치"}).get_json()["total"] == 0
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        assert (photo.status, photo.title, photo.description, photo.files) == ("erased", "", "", [])
        texts = [e.message or "" for e in session.scalars(select(Event))]
        details = [str(e.detail) for e in session.scalars(select(Event))]
    assert not any("잔치" in t or "영산포 선창" in t for t in texts + details)
    assert "영구 삭제" in visitor.get(f"/voices/{token}").get_data(as_text=True)
    [check] = [c for c in run_checks(runtime) if c.name == "erasures"]
    assert check.ok and "none of their files remains" in check.detail
    backend, key = stored[0]
    runtime.storages.of(backend).put_bytes(key, b"a copy someone restored")
    [check] = [c for c in run_checks(runtime) if c.name == "erasures"]
    assert not check.ok and public_id in check.detail


@pytest.mark.parametrize(
    ("action", "fields", "expected"),
    [
        ("memory", {"body": ""}, "기억이나 이야기를 적어 주세요"),
        ("memory", {"body": "   \n  "}, "기억이나 이야기를 적어 주세요"),
        ("memory", {"body": "가" * 3001}, "3,000자까지"),
        ("memory", {"body": "https://spam.example/a http://x.example"}, "링크만으로는"),
        ("memory", {"body": "hxxp://spam.example/a"}, "링크만으로는"),
        ("memory", {"body": "spam.example/a"}, "링크만으로는"),
        ("memory", {"body": "ｈｔｔｐ：／／spam.example/a"}, "링크만으로는"),
        ("memory", {"body": "좋아요 spam.example/a b.xyz c.top/x d.shop"}, "링크만으로는"),
        ("memory", {"body": "www[.]spam[.]com"}, "링크만으로는"),
        (
            "memory",
            {"body": "좋은 기억", "contact": "1.2.3.4.5.6.7.8", "consent": "y"},
            "이메일 주소나 전화번호",
        ),
        ("identify", {"field": "rights", "body": "공공누리"}, "고칠 수 없는 항목"),
        ("identify", {"field": "title", "body": "제" * 501}, "최대 500자"),
        ("request", {"reason": "person", "body": "내려 주세요"}, "연락처를 적어 주세요"),
        ("request", {"reason": "person", "contact": "아무개"}, "이메일 주소나 전화번호"),
        ("request", {"reason": "whim", "contact": CONTACT, "consent": "y"}, "Not a valid"),
        ("request", {"reason": "person", "contact": CONTACT}, "동의해 주세요"),
        ("memory", {"body": "좋은 기억", "contact": CONTACT}, "동의해 주세요"),
    ],
)
def test_bad_input_gets_a_plain_answer_and_stores_nothing(
    shared_photo: tuple[Flask, str], action: str, fields: dict[str, str], expected: str
) -> None:
    fresh_app, public_id = shared_photo  # refused input stores nothing: one archive for all
    status, page, _token = send_voice(fresh_app.test_client(), public_id, action, **fields)
    assert status == 400
    assert expected in page or (expected == "Not a valid" and "올바른" in page), page[-3000:]
    with runtime_of(fresh_app).db.session() as session:
        assert session.scalar(select(Submission.id)) is None


def test_the_same_memory_twice_is_refused(fresh_app: Flask) -> None:
    public_id = published(fresh_app)
    visitor = fresh_app.test_client()
    assert memory(visitor, public_id, "영산포 장날의 기억")[0] == 303
    status, page, _token = memory(visitor, public_id, "  영산포   장날의 기억 ")
    assert status == 400 and "같은 내용이 이미 접수되었습니다" in page


def test_only_published_photos_take_voices(fresh_app: Flask, login_as: Login) -> None:
    public_id, draft = scan(
        fresh_app, {"title": "공개", "status": "published"}, {"title": "초안", "status": "draft"}
    )
    work(fresh_app)
    visitor = fresh_app.test_client()
    for action in ("memory", "identify", "request"):
        assert visitor.get(f"/photos/{draft}/{action}").status_code == 404
        assert visitor.get(f"/photos/nosuchphoto1/{action}").status_code == 404
    staff = login_as("moderator")
    token = csrf_token(staff, f"/moderate/photos/{public_id}")
    staff.post(
        f"/moderate/photos/{public_id}/decide",
        data={"csrf_token": token, "action": "withdraw", "reason": "확인 필요"},
    )
    assert visitor.get(f"/photos/{public_id}/memory").status_code == 404
    response = visitor.post(f"/photos/{public_id}/memory", data={"body": "기억"})
    assert response.status_code in (400, 404)
    with runtime_of(fresh_app).db.session() as session:
        assert session.scalar(select(Submission.id)) is None


@pytest.mark.settings(voice_rate_limit="2 per hour")
def test_a_flood_from_one_address_gets_a_korean_429(fresh_app: Flask) -> None:
    public_id = published(fresh_app)
    visitor = fresh_app.test_client()
    for n in range(2):
        assert memory(visitor, public_id, f"기억 {n}번")[0] == 303
    status, page, _token = memory(visitor, public_id, "기억 3번")
    assert status == 429 and "요청이 너무 많습니다" in page
    with runtime_of(fresh_app).db.session() as session:
        assert len(session.scalars(select(Submission)).all()) == 2


def test_canned_reasons_are_kept_by_admins_and_offered_on_every_rejection(
    fresh_app: Flask, login_as: Login
) -> None:
    admin = login_as("admin")
    moderator = login_as("moderator")
    assert moderator.get("/moderate/reasons/").status_code == 403
    page = admin.get("/moderate/reasons/").get_data(as_text=True)
    assert "저작권" in page
    response = admin.post(
        "/moderate/reasons/",
        data={
            "csrf_token": csrf_token(admin, "/moderate/reasons/"),
            "text": "사진 속 장소가 나주가 아닙니다",
            "active": "y",
        },
    )
    assert response.status_code == 303
    public_id = published(fresh_app)
    _s, receipt_page, token = memory(fresh_app.test_client(), public_id, "기억 하나")
    number = item_id(fresh_app, receipt_page)
    item_page = moderator.get(f"/moderate/voices/items/{number}").get_data(as_text=True)
    chosen = re.search(r'<option value="(\d+)">사진 속 장소가 나주가 아닙니다</option>', item_page)
    assert chosen, item_page
    review = moderator.get(f"/moderate/photos/{public_id}").get_data(as_text=True)
    assert "사진 속 장소가 나주가 아닙니다" in review
    act(moderator, number, "reject", canned=chosen.group(1), reason="")
    answer = fresh_app.test_client().get(f"/voices/{token}").get_data(as_text=True)
    assert "사진 속 장소가 나주가 아닙니다" in answer
    # A decided item offers no decisions, and a stale form is refused plainly.
    decided = moderator.get(f"/moderate/voices/items/{number}").get_data(as_text=True)
    assert 'name="action"' not in decided
    token = csrf_token(moderator, f"/moderate/photos/{public_id}")
    response = moderator.post(
        f"/moderate/voices/items/{number}",
        data={"csrf_token": token, "action": "approve"},
        follow_redirects=True,
    )
    assert "이미 처리된 건입니다" in response.get_data(as_text=True)


def test_a_contributor_can_withdraw_consent_and_have_the_photo_erased(
    fresh_app: Flask, login_as: Login
) -> None:
    [public_id], status_url = contribute(fresh_app, "할머니 환갑 잔치")
    staff = login_as("moderator")
    decide(staff, public_id, "approve")
    contributor = fresh_app.test_client()
    page = contributor.get(status_url).get_data(as_text=True)
    assert "동의 철회·삭제 요청" in page
    path = f"{status_url}/{public_id}/withdraw"
    token = csrf_token(contributor, status_url)
    unconfirmed = contributor.post(path, data={"csrf_token": token}, follow_redirects=True)
    assert "확인하는 칸에 표시한 뒤" in unconfirmed.get_data(as_text=True)
    response = contributor.post(
        path, data={"csrf_token": token, "confirm": "y", "details": "가족이 원치 않습니다"}
    )
    assert response.status_code == 303
    receipt_page = contributor.get(response.headers["Location"]).get_data(as_text=True)
    assert "기증 동의를 철회합니다" in receipt_page
    assert "접수 번호" in contributor.get(status_url).get_data(as_text=True)
    assert contributor.get(f"{status_url}/nosuchphoto1/withdraw").status_code == 405
    stranger = contributor.post(
        f"/contribute/status/{'x' * 43}/{public_id}/withdraw",
        data={"csrf_token": token, "confirm": "y"},
    )
    assert stranger.status_code == 404
    number = item_id(fresh_app, receipt_page)
    item_page = staff.get(f"/moderate/voices/items/{number}").get_data(as_text=True)
    assert "010-1234-5678" in item_page  # the contributor's own contact, for staff
    act(staff, number, "grant", resolution="erased", confirm="erase")
    work(fresh_app)
    page = contributor.get(status_url).get_data(as_text=True)
    assert "삭제됨" in page and "할머니 환갑 잔치" not in page
    assert contributor.get(f"{status_url}/{public_id}.jpg").status_code == 404


def test_memories_are_searched_below_the_records_own_words(
    fresh_app: Flask, login_as: Login
) -> None:
    titled, remembered = scan(
        fresh_app,
        {"title": "새우젓 장수", "status": "published"},
        {"title": "강가 풍경", "status": "published"},
    )
    work(fresh_app)
    _s, page, _t = memory(fresh_app.test_client(), remembered, "새우젓 배가 들어오던 날")
    act(login_as("moderator"), item_id(fresh_app, page), "approve")
    work(fresh_app)
    found = fresh_app.test_client().get("/api/photos", query_string={"q": "새우젓"}).get_json()
    assert [card["id"] for card in found["items"]] == [titled, remembered]


def test_the_help_page_asks_for_what_is_missing(fresh_app: Flask) -> None:
    unplaced, complete = scan(
        fresh_app,
        {"title": "어디일까", "date": "1970", "people": "김씨", "status": "published"},
        {
            "title": "다 앎",
            "date": "1970",
            "place": "영산포",
            "people": "김씨",
            "status": "published",
        },
    )
    work(fresh_app)
    visitor = fresh_app.test_client()
    assert "도움이 필요한 사진" in visitor.get("/").get_data(as_text=True)
    page = visitor.get("/help?missing=place").get_data(as_text=True)
    assert "어디일까" in page and "다 앎" not in page
    assert f"/photos/{unplaced}/identify?field=place" in page
    assert "장소를 모름" in page
    for bad in ("?missing=rights", "?page=0", "?page=x"):
        assert visitor.get("/help" + bad).status_code == 400
    assert complete not in page


def test_the_purge_erases_old_contacts_but_keeps_names_shown_with_memories(
    fresh_app: Flask, login_as: Login
) -> None:
    public_id = published(fresh_app)
    visitor = fresh_app.test_client()
    shown = memory(visitor, public_id, "보이는 이름", contact=CONTACT, consent="y")[1]
    hidden = send_voice(
        visitor,
        public_id,
        "identify",
        field="date",
        body="1968",
        name="박",
        contact=CONTACT,
        consent="y",
    )[1]
    staff = login_as("moderator")
    act(staff, item_id(fresh_app, shown), "approve")
    act(staff, item_id(fresh_app, hidden), "reject", reason="확인할 수 없습니다")
    runtime = runtime_of(fresh_app)
    with runtime.db.session() as session:
        session.execute(
            update(Submission).values(decided_at=datetime.now(UTC) - timedelta(days=400))
        )
        purged = purge_personal_data(session, retention_days=365, actor="test")
    assert len(purged) == 2
    with runtime.db.session() as session:
        rows = {s.body: (s.name, s.contact) for s in session.scalars(select(Submission))}
    assert rows == {"보이는 이름": ("김영산", ""), "1968": ("", "")}
    assert "김영산" in visitor.get(f"/photos/{public_id}").get_data(as_text=True)
