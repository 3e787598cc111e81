"""In Chromium at phone and desktop sizes: staff put an exhibition together and publish it,
visitors find it on the landing page and walk through it; the operator's intake screen,
the audit log, the dashboard and the privacy policy, each checked with axe."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import serious_violations
from tests.e2e.test_staff_account import FIRST, add_account

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def published_ids(base: str) -> list[str]:
    place = urllib.parse.quote("영산포")
    with urllib.request.urlopen(f"{base}/api/photos?place={place}&per_page=50") as answer:
        items = json.load(answer)["items"]
    return [item["id"] for item in items if item.get("thumbnail_url")][:3]


def sign_in(page: Page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("아이디").fill(name)
    page.get_by_label("비밀번호").fill(FIRST)
    page.get_by_role("button", name="로그인").click()


def check(page: Page, artifacts: object, name: str, size: str) -> None:
    assert serious_violations(page) == [], name
    page.screenshot(path=f"{artifacts}/{name}-{size}.png", full_page=True)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_exhibition_from_the_staff_screen_to_a_visitors_phone(
    browser: Browser, live_archive: tuple[str, dict[str, str]], artifacts: object, size: str
) -> None:
    base, env = live_archive
    curator = f"e2e-curator-{size}"
    add_account(env, curator, "admin")
    ids = published_ids(base)
    assert len(ids) == 3
    staff = browser.new_context(viewport=SIZES[size], locale="ko-KR").new_page()
    sign_in(staff, base, curator)
    staff.get_by_role("link", name="전시 관리").click()
    staff.get_by_label("제목").fill(f"영산포 강가 사람들 ({size})")
    staff.get_by_label("주소 (영문)").fill(f"yeongsanpo-{size}")
    staff.get_by_label("소개 글").fill(
        "배가 드나들던 영산포의 모습입니다.\n\n사진마다 설명을 붙였습니다."
    )
    staff.get_by_role("button", name="만들기").click()
    expect(staff.locator(".flash")).to_contain_text("전시를 만들었습니다")
    for n, public_id in enumerate(ids):
        staff.get_by_label("사진 번호, 관리번호 또는 사진 주소").fill(f"{base}/photos/{public_id}")
        staff.get_by_label("더할 사진의 설명 (이 전시에서)").fill(f"{n + 1}번째 사진의 설명")
        staff.get_by_role("button", name="더하기").click()
        expect(staff.locator(".flash")).to_contain_text("사진을 더했습니다")
    # A destructive action asks first; saying no keeps the photo.
    staff.once("dialog", lambda dialog: dialog.dismiss())
    staff.get_by_role("button", name="전시에서 빼기").first.click()
    expect(staff.locator(".item-card")).to_have_count(3)
    staff.get_by_role("button", name="2번 사진을 뒤로").click()
    expect(staff.locator(".flash")).to_contain_text("순서를 바꿨습니다")
    check(staff, artifacts, "staff-exhibition-edit", size)
    staff.get_by_role("button", name="전시 공개").click()
    expect(staff.locator(".flash")).to_contain_text("전시를 공개했습니다")

    visitor = browser.new_context(viewport=SIZES[size], locale="ko-KR").new_page()
    visitor.goto(base + "/")
    expect(visitor.get_by_role("heading", name="오늘의 사진")).to_be_visible()
    check(visitor, artifacts, "landing-features", size)
    visitor.get_by_role("link", name="전시 보기 (사진 3장)").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(f"영산포 강가 사람들 ({size})")
    captions = visitor.locator(".exhibition-item figcaption p:not(.meta)")
    expect(captions).to_have_text(["1번째 사진의 설명", "3번째 사진의 설명", "2번째 사진의 설명"])
    check(visitor, artifacts, "exhibition", size)
    visitor.locator(".exhibition-item h2 a").first.click()
    expect(visitor.locator(".in-exhibition")).to_contain_text("1 / 3")
    visitor.get_by_role("link", name="다음 사진 →").click()
    expect(visitor.locator(".in-exhibition")).to_contain_text("3번째 사진의 설명")
    check(visitor, artifacts, "photo-in-exhibition", size)
    visitor.get_by_role("link", name="전시로 돌아가기").click()
    expect(visitor).to_have_url(f"{base}/exhibitions/yeongsanpo-{size}")
    visitor.goto(base + "/exhibitions/")
    check(visitor, artifacts, "exhibitions", size)
    visitor.get_by_role("link", name="개인정보 처리방침").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("개인정보 처리방침")
    check(visitor, artifacts, "privacy", size)

    staff.get_by_role("link", name="감사 기록").click()
    expect(staff.locator("table.audit")).to_contain_text("전시 공개")
    check(staff, artifacts, "staff-audit", size)
    staff.get_by_role("link", name="통계").click()
    expect(staff.locator("figure.chart svg").first).to_be_visible()
    check(staff, artifacts, "staff-dashboard", size)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_operator_sees_a_broken_scan_and_asks_to_try_it_again(
    browser: Browser, live_archive: tuple[str, dict[str, str]], artifacts: object, size: str
) -> None:
    base, env = live_archive
    operator = f"e2e-operator-{size}"
    add_account(env, operator, "operator")
    inbox = Path(env["ARCHIVE_SCANS_DIR"]) / "inbox" / f"batch-{size}"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "부서진-스캔.jpg").write_bytes(b"\xff\xd8\xff\xe0 broken scan")
    failed = Path(env["ARCHIVE_SCANS_DIR"]) / "failed" / f"batch-{size}" / "부서진-스캔.jpg"
    for _ in range(120):  # the running worker takes it
        if failed.exists():
            break
        time.sleep(0.5)
    page = browser.new_context(viewport=SIZES[size], locale="ko-KR").new_page()
    sign_in(page, base, operator)
    expect(page.get_by_role("heading", level=1)).to_have_text("수집 현황")
    expect(page.locator(".intake-failed")).to_contain_text(f"batch-{size}/부서진-스캔.jpg")
    assert page.get_by_role("link", name="검토").count() == 0  # nothing else of the staff area
    check(page, artifacts, "staff-intake", size)
    entry = page.locator(".intake-failed li").filter(has_text=f"batch-{size}/부서진-스캔.jpg")
    moved = failed.stat().st_ctime_ns
    entry.get_by_role("button", name="다시 시도").click()
    expect(page.locator(".flash")).to_contain_text("다시 시도를 예약했습니다")
    # The worker puts it back into the inbox and it fails again, moved anew: nothing is lost.
    # (Not read from the page in between: a quick worker has failed it again before the
    # page after the click is drawn.)
    for _ in range(120):
        if _moved_since(failed, moved):
            break
        time.sleep(0.5)
    assert _moved_since(failed, moved), "the file was not tried again"
    page.reload()
    expect(page.locator(".intake-failed")).to_contain_text(f"batch-{size}/부서진-스캔.jpg")


def _moved_since(path: Path, ctime_ns: int) -> bool:
    """Return whether the file is there, moved (renamed into place) since ctime_ns."""
    try:
        return path.stat().st_ctime_ns != ctime_ns
    except FileNotFoundError:
        return False
