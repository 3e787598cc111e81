"""Staff change their password in the browser; an admin sets one for a colleague."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import serious_violations

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
FIRST = "처음 비밀번호 영산강 물결 2026"
SECOND = "바꾼 비밀번호 금성관 은행나무 1975"


def add_account(env: dict[str, str], name: str, role: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "archive.cli", "users", "add", name, "--role", role,
         "--password-stdin"],
        input=FIRST + "\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_changing_a_password_and_resetting_a_colleagues(
    browser: Browser, live_archive: tuple[str, dict[str, str]], artifacts: object, size: str
) -> None:
    base, env = live_archive
    admin, colleague = f"e2e-admin-{size}", f"e2e-lee-{size}"
    add_account(env, admin, "admin")
    add_account(env, colleague, "moderator")
    page = browser.new_context(viewport=SIZES[size], locale="ko-KR").new_page()
    page.goto(base + "/login")
    page.get_by_label("아이디").fill(admin)
    page.get_by_label("비밀번호").fill(FIRST)
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("link", name="비밀번호").click()
    page.get_by_label("지금 비밀번호").fill(FIRST)
    page.get_by_label("새 비밀번호", exact=True).fill("aaaaaaaaaa")
    page.get_by_label("새 비밀번호 확인").fill("aaaaaaaaaa")
    page.get_by_role("button", name="비밀번호 바꾸기").click()
    expect(page.locator(".field-error")).to_contain_text("비밀번호가 너무 쉽습니다")
    assert serious_violations(page) == []
    page.screenshot(path=f"{artifacts}/staff-password-refused-{size}.png", full_page=True)
    page.get_by_label("지금 비밀번호").fill(FIRST)
    page.get_by_label("새 비밀번호", exact=True).fill(SECOND)
    page.get_by_label("새 비밀번호 확인").fill(SECOND)
    page.get_by_role("button", name="비밀번호 바꾸기").click()
    expect(page.locator(".flash")).to_contain_text("비밀번호를 바꿨습니다")
    page.get_by_role("link", name="직원").click()
    page.get_by_label(f"{colleague}의 새 비밀번호", exact=True).fill(SECOND)
    page.get_by_label(f"{colleague}의 새 비밀번호 확인").fill(SECOND)
    page.locator("form.reset-password").filter(
        has=page.get_by_label(f"{colleague}의 새 비밀번호", exact=True)
    ).get_by_role("button").click()
    expect(page.locator(".flash")).to_contain_text(f"{colleague}의 비밀번호를 새로 정했습니다")
    assert serious_violations(page) == []
    page.screenshot(path=f"{artifacts}/staff-users-{size}.png", full_page=True)
