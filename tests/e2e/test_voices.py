"""On a phone, visitors share a memory, suggest a place and ask for a takedown; a moderator
decides each, and everyone is told by mail (a real SMTP server), in Chromium."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import running_archive, serious_violations
from tests.e2e.test_contribute import DESKTOP, PASSWORD, PHONE, add_moderator
from tests.smtp import Inbox, Server

MEMORY = "장날이면 영산포 선창에 새우젓 배가 가득했지요.\n어머니 손을 잡고 구경 갔던 기억이 납니다."
ASKER = "memory-e2e@example.kr"
OBJECTOR = "takedown-e2e@example.kr"
STAFF = "staff-e2e@naju.go.kr"


@pytest.fixture(scope="module")
def mail_archive(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, str], Inbox]]:
    """Run an archive whose notices go to a local SMTP server; yield URL, env and inbox."""
    server = Server(Inbox())
    server.start()
    mail = {
        "smtp_host": "127.0.0.1",
        "smtp_port": str(server.port),
        "smtp_starttls": "0",
        "smtp_user": "archive",
        "smtp_password": "mail-secret",
        "staff_digest_to": STAFF,
        "staff_digest_minutes": "0",
    }
    try:
        with running_archive(tmp_path_factory.mktemp("voices"), **mail) as (base, env):
            yield base, env, server.inbox
    finally:
        server.stop()


def shoot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"voices-{name}.png"), full_page=True)


def open_photo(page: Page, base: str, title: str) -> str:
    page.goto(base + "/")
    page.get_by_role("link", name=re.compile(title)).first.click()
    expect(page.locator("h1")).to_have_text(title)
    return page.url.split("?")[0]


def share_memory(page: Page, photo_url: str, artifacts: Path) -> str:
    page.goto(photo_url)
    page.get_by_role("link", name=re.compile("기억 나누기")).click()
    expect(page.locator("h1")).to_have_text("기억 나누기")
    page.fill("#body", MEMORY)
    page.fill("#relation", "그때 그곳에 살았음")
    page.fill("#name", "김영산")
    page.fill("#contact", ASKER)
    page.locator("#notify").check()
    page.locator("#consent").check()
    assert serious_violations(page) == []
    shoot(page, artifacts, "memory-form-phone")
    page.get_by_role("button", name="보내기").click()
    expect(page.locator("h1")).to_have_text("잘 받았습니다. 고맙습니다.")
    expect(page.locator("#state")).to_have_text("검토 중")
    assert serious_violations(page) == []
    shoot(page, artifacts, "status-phone")
    return page.url.split("?")[0]


def suggest_place(page: Page, photo_url: str, artifacts: Path) -> str:
    page.goto(photo_url)
    page.get_by_role("link", name=re.compile("이 사진을 아시나요")).click()
    page.wait_for_load_state("load")  # the hints come with a deferred script
    page.get_by_label("장소").check()
    page.fill("#body", "영산포 선창 근처")
    expect(page.locator("#body-hint")).to_contain_text("영산포")  # read as the staff see it
    page.fill("#source_note", "사진 뒷면 글씨")
    page.fill("#contact", ASKER)
    page.locator("#notify").check()
    page.locator("#consent").check()
    assert serious_violations(page) == []
    shoot(page, artifacts, "suggest-form-phone")
    page.get_by_role("button", name="보내기").click()
    expect(page.locator("h1")).to_have_text("잘 받았습니다. 고맙습니다.")
    return page.url.split("?")[0]


def ask_takedown(page: Page, photo_url: str, artifacts: Path) -> str:
    page.goto(photo_url)
    page.get_by_role("link", name=re.compile("수정·삭제 요청")).click()
    page.get_by_role("button", name="보내기").click()  # nothing chosen: said plainly
    expect(page.locator("#error-summary")).to_contain_text("까닭을 하나 골라 주세요")
    page.get_by_label("제가(또는 가족이) 사진 속에 있습니다").check()
    page.fill("#body", "사진 속 왼쪽이 제 어머니입니다. 내려 주세요.")
    page.fill("#contact", OBJECTOR)
    page.locator("#notify").check()
    page.locator("#consent").check()
    assert serious_violations(page) == []
    shoot(page, artifacts, "request-form-phone")
    page.get_by_role("button", name="보내기").click()
    expect(page.locator("h1")).to_have_text("잘 받았습니다. 고맙습니다.")
    return page.url.split("?")[0]


def sign_in(page: Page, base: str, name: str) -> None:
    page.goto(base + "/moderate/")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page.locator("h1")).to_have_text("사진 검토")


def open_queue(page: Page, kind_label: str, count: int, shot: Path | None = None) -> None:
    page.get_by_role("link", name=re.compile(kind_label)).first.click()
    expect(page.locator(".item-card")).to_have_count(count)
    if shot is not None:
        assert serious_violations(page) == []
        page.screenshot(path=str(shot), full_page=True)
    page.locator(".item-card a").first.click()


def moderate(staff: Page, base: str, name: str, visitor: Page, photo_url: str, art: Path) -> None:
    sign_in(staff, base, name)
    expect(staff.locator('[data-voices="suggestion"]')).to_have_text("1")
    open_queue(staff, "제보", 1, art / "voices-desk-queue-phone.png")
    expect(staff.locator("#item-body")).to_have_text("영산포 선창 근처")
    staff.fill("#value", "영산포 선창")
    assert serious_violations(staff) == []
    shoot(staff, art, "desk-suggestion-phone")
    staff.get_by_role("button", name="사진 정보에 반영").click()
    expect(staff.locator(".flash")).to_have_text("제보를 사진 정보에 반영했습니다.")

    staff.goto(base + "/moderate/")
    open_queue(staff, "기억", 1)
    expect(staff.locator(".sender-contact")).to_have_text(ASKER)
    staff.get_by_role("button", name="승인하고 사진 아래에 싣기").click()
    expect(staff.locator("#item-state")).to_have_text("반영됨")

    staff.goto(base + "/moderate/")
    open_queue(staff, "수정·삭제 요청", 1)
    staff.get_by_role("button", name="검토하는 동안 임시 비공개").click()
    expect(staff.locator("#photo-status")).to_have_text("공개 중단")
    assert visitor.request.get(photo_url).status == 404
    shoot(staff, art, "desk-request-phone")
    staff.get_by_role("button", name="사진 다시 공개").click()
    expect(staff.locator("#photo-status")).to_have_text("공개됨")
    assert visitor.request.get(photo_url).status == 200
    staff.select_option("#reject-canned", label="사진 속 인물의 동의를 확인하기 어렵습니다.")
    staff.fill("#reject-reason", "사진 속 분을 알아볼 수 없어 공개를 이어 갑니다.")
    staff.once("dialog", lambda dialog: dialog.accept())  # a destructive action asks first
    staff.get_by_role("button", name="요청 받아들이지 않음").click()
    expect(staff.locator("#item-state")).to_have_text("받아들이지 않음")
    staff.goto(base + "/moderate/dashboard")
    expect(staff.locator("[data-open-requests]")).to_have_text("0")
    assert serious_violations(staff) == []
    shoot(staff, art, "dashboard-phone")


def wait_for_mail(inbox: Inbox, address: str, count: int) -> list[str]:
    deadline = time.monotonic() + 30
    while len(inbox.to(address)) < count:
        assert time.monotonic() < deadline, f"{address} got {len(inbox.to(address))} mails"
        time.sleep(0.2)
    return [message.get_content() for message in inbox.to(address)]


def test_voices_from_phone_to_desk_and_back(
    browser: Browser, mail_archive: tuple[str, dict[str, str], Inbox], artifacts: Path
) -> None:
    base, env, inbox = mail_archive
    moderator = add_moderator(env)
    visitor = browser.new_context(viewport=PHONE, locale="ko-KR").new_page()
    photo_url = open_photo(visitor, base, "영산포 나루터")
    expect(visitor.locator(".voice-actions a")).to_have_count(3)
    assert serious_violations(visitor) == []
    shoot(visitor, artifacts, "photo-before-phone")
    memory_status = share_memory(visitor, photo_url, artifacts)
    suggestion_status = suggest_place(visitor, photo_url, artifacts)
    other = browser.new_context(viewport=PHONE, locale="ko-KR").new_page()
    request_status = ask_takedown(other, photo_url, artifacts)

    visitor.goto(photo_url)  # nothing is public yet
    expect(visitor.locator(".memory")).to_have_count(0)
    expect(visitor.locator(".facts")).not_to_contain_text("영산포 선창")

    staff = browser.new_context(viewport=PHONE, locale="ko-KR").new_page()
    moderate(staff, base, moderator, visitor, photo_url, artifacts)

    visitor.goto(photo_url)
    expect(visitor.locator(".memory")).to_have_count(1)
    expect(visitor.locator(".memory-text")).to_have_text(MEMORY)
    expect(visitor.locator(".memory-by")).to_contain_text("김영산")
    expect(visitor.locator(".facts")).to_contain_text("영산포 선창")
    assert ASKER not in visitor.content() and OBJECTOR not in visitor.content()
    assert serious_violations(visitor) == []
    shoot(visitor, artifacts, "photo-after-phone")
    desktop = browser.new_context(viewport=DESKTOP, locale="ko-KR").new_page()
    desktop.goto(photo_url)
    shoot(desktop, artifacts, "photo-after-desktop")

    staff.goto(photo_url.replace("/photos/", "/moderate/photos/"))
    expect(staff.locator(".history")).to_contain_text(re.compile(r"시민 제보 #\d{8}-"))

    for url, outcome in (
        (memory_status, "사진 아래에 실렸습니다"),
        (suggestion_status, "영산포 선창"),
        (request_status, "알아볼 수 없어"),
    ):
        visitor.goto(url)
        expect(visitor.locator(".outcome-text")).to_contain_text(outcome)
    shoot(visitor, artifacts, "status-decided-phone")
    visitor.goto(base + "/help")
    assert serious_violations(visitor) == []
    shoot(visitor, artifacts, "help-phone")

    told = wait_for_mail(inbox, ASKER, 2)
    assert any("사진 아래에 실렸습니다" in body for body in told)
    assert any("영산포 선창" in body for body in told)
    objector = wait_for_mail(inbox, OBJECTOR, 2)  # hidden, then the decision
    assert any("임시로 비공개" in body for body in objector)
    assert any("알아볼 수 없어" in body for body in objector)
    assert wait_for_mail(inbox, STAFF, 1)
