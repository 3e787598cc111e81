"""In Chromium at phone and desktop sizes: an admin changes the variants table in the
browser — a refused row explained in Korean, a row added, found and removed again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_exhibitions import SIZES, check, sign_in
from tests.e2e.test_staff_account import add_account


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_admin_edits_the_variants_table(
    browser: Browser, live_archive: tuple[str, dict[str, str]], artifacts: object, size: str
) -> None:
    base, env = live_archive
    admin = f"e2e-tables-{size}"
    add_account(env, admin, "admin")
    page = browser.new_context(viewport=SIZES[size], locale="ko-KR").new_page()
    sign_in(page, base, admin)
    page.get_by_role("link", name="기준 표").click()
    page.get_by_role("link", name="비슷한 말 표").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("비슷한 말 표")
    words = page.get_by_label("같은 뜻의 말 (| 로 나눔)")
    words.fill("혼자")
    page.get_by_role("button", name="더하기").click()
    expect(page.locator(".flash.error")).to_contain_text("두 낱말 이상을 | 로 나눠 적어 주세요")
    row = f"뱃머리{size}|선창머리{size}"
    page.get_by_label("같은 뜻의 말 (| 로 나눔)").fill(row)
    page.get_by_label("메모").fill("영산포 사람들 말")
    page.get_by_role("button", name="더하기").click()
    expect(page.locator(".flash")).to_contain_text("한 줄을 더했습니다")
    page.get_by_label("찾을 말").fill(f"뱃머리{size}")
    page.get_by_role("button", name="표에서 찾기").click()
    expect(page.locator("table.reference tbody tr")).to_have_count(1)
    check(page, artifacts, "staff-table-variants", size)
    page.get_by_role("link", name="번째 줄 고치기").click()
    expect(page.get_by_label("같은 뜻의 말 (| 로 나눔)")).to_have_value(row)
    check(page, artifacts, "staff-table-variants-row", size)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="이 줄 지우기").click()
    expect(page.locator(".flash")).to_contain_text("한 줄을 지웠습니다")
    expect(page.get_by_text(row)).to_have_count(0)
