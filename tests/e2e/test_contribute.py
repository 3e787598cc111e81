"""A citizen sends two photos; a moderator approves one and rejects the other, in Chromium."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import piexif
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import serious_violations, shot
from tests.scans import picture, save_jpeg

PASSWORD = "e2e-moderator-password"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def add_moderator(env: dict[str, str]) -> str:
    name = "e2e-moderator"
    subprocess.run(
        [sys.executable, "-m", "archive.cli", "users", "add", name, "--password-stdin"],
        input=PASSWORD + "\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return name


def send_two_photos(page: Page, base: str, tmp_path: Path, artifacts: Path) -> str:
    gps = save_jpeg(
        tmp_path / "할머니 사진.jpg",
        picture((1200, 900), seed=71),
        gps=True,
        serial=True,
        make="Samsung",
        model="SM-G991N",
    )
    plain = save_jpeg(tmp_path / "plain.jpg", picture((900, 1200), seed=72))
    page.goto(base + "/contribute")
    expect(page.locator("h1")).to_have_text("옛 사진 보내기")
    assert serious_violations(page) == []
    page.set_input_files("#photos-0-file", gps)
    page.fill("#photos-0-date", "1970년대 초")
    page.fill("#photos-0-place", "영산포 선창")
    page.fill("#photos-0-story", "도깨비시장 가는 길에 아버지가 찍어 주신 사진입니다.")
    page.wait_for_load_state("load")  # the add-photo handler comes with a deferred script
    page.get_by_role("link", name="사진 한 장 더 보내기").click()
    page.set_input_files("#photos-1-file", plain)
    page.fill("#photos-1-date", "1965년경")
    page.fill("#photos-1-story", "징검다리 건너던 날")
    page.fill("#name", "김나주")
    page.fill("#contact", "naju-e2e@example.kr")
    page.get_by_label("제1유형 · 출처만 밝히면 누구나 자유롭게 이용").check()
    page.locator("#owns_rights").check()
    page.locator("#consent").check()
    page.screenshot(path=str(artifacts / "contribute-form-phone.png"), full_page=True)
    page.get_by_role("button", name="사진 보내기").click()
    expect(page.locator("h1")).to_have_text("사진을 잘 받았습니다. 고맙습니다.")
    expect(page.locator(".outcome.pending")).to_have_count(2)
    assert re.fullmatch(r"\d{8}-[0-9A-Z]{6}", page.locator("#receipt").inner_text())
    return page.url.split("?")[0]


def moderate(page: Page, base: str, name: str) -> tuple[str, str]:
    page.goto(base + "/moderate/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page.locator("h1")).to_have_text("사진 검토")
    expect(page.locator(".staff-card")).to_have_count(2)
    page.locator(".staff-card a").first.click()
    approved = page.url.rsplit("/", 1)[1]
    expect(page.locator(".contributor-contact")).to_have_text("naju-e2e@example.kr")
    page.wait_for_load_state("load")
    page.fill("#title", "도깨비시장 가는 길")
    page.locator("#date").fill("1970년대 중반")
    expect(page.locator("#date-hint")).to_have_text("1974~1976년 (1974/1976)")
    page.locator("#place").fill("남평 드들강")
    expect(page.locator("#place-hint")).to_contain_text("드들강")
    assert serious_violations(page) == []
    page.get_by_role("button", name="저장하고 승인·공개").click()
    expect(page.locator(".flash")).to_have_text("저장하고 공개했습니다.")
    page.goto(base + "/moderate/")
    expect(page.locator(".staff-card")).to_have_count(1)
    page.locator(".staff-card a").first.click()
    rejected = page.url.rsplit("/", 1)[1]
    page.fill("#reason", "사진 속 인물의 동의를 확인하기 어렵습니다.")
    page.once("dialog", lambda dialog: dialog.accept())  # a destructive action asks first
    page.get_by_role("button", name="반려").click()
    expect(page.locator(".flash")).to_have_text("반려했습니다.")
    return approved, rejected


def wait_until_found(page: Page, base: str, words: str) -> None:
    """Wait until a search finds something (the worker applies index jobs every second)."""
    deadline = time.monotonic() + 30
    while page.request.get(base + "/api/photos", params={"q": words}).json()["total"] == 0:
        assert time.monotonic() < deadline, f"{words} never became searchable"
        time.sleep(0.2)


def test_a_contribution_from_phone_to_gallery(
    browser: Browser, live_archive: tuple[str, dict[str, str]], tmp_path: Path, artifacts: Path
) -> None:
    base, env = live_archive
    moderator = add_moderator(env)
    citizen = browser.new_context(viewport=PHONE, locale="ko-KR").new_page()
    status_url = send_two_photos(citizen, base, tmp_path, artifacts)
    citizen.screenshot(path=str(artifacts / "contribute-received-phone.png"), full_page=True)
    for words in ("도깨비시장", "징검다리"):
        found = citizen.request.get(base + "/api/photos", params={"q": words}).json()
        assert found["total"] == 0, words  # nothing is public before a moderator decides

    staff = browser.new_context(viewport=DESKTOP, locale="ko-KR").new_page()
    approved, rejected = moderate(staff, base, moderator)
    staff.screenshot(path=str(artifacts / "moderate-review-desktop.png"), full_page=True)
    wait_until_found(citizen, base, "도깨비시장")  # the worker indexes within a second or two

    citizen.goto(base + "/photos?q=도깨비시장")
    citizen.get_by_role("link", name="도깨비시장 가는 길").first.click()
    expect(citizen.locator("h1")).to_have_text("도깨비시장 가는 길")
    expect(citizen.locator(".facts")).to_contain_text("시민 제공")
    assert "naju-e2e@example.kr" not in citizen.content()
    sources = citizen.locator("img").evaluate_all("images => images.map(i => i.src)")
    found = citizen.request.get(base + "/api/photos", params={"q": "도깨비시장"}).json()
    assert [item["id"] for item in found["items"]] == [approved]
    public_files = {*sources, found["items"][0]["thumbnail_url"], found["items"][0]["image_url"]}
    for url in public_files:
        body = citizen.request.get(url if url.startswith("http") else base + url).body()
        exif = piexif.load(body)
        assert exif["GPS"] == {} and piexif.ExifIFD.BodySerialNumber not in exif["Exif"], url
    assert citizen.request.get(f"{base}/photos/{rejected}").status == 404
    assert citizen.request.get(base + "/api/photos", params={"q": "징검다리"}).json()["total"] == 0

    citizen.goto(status_url)
    expect(citizen.locator(".outcome.published")).to_contain_text("공개됨")
    expect(citizen.locator(".outcome.not_published")).to_contain_text(
        "사진 속 인물의 동의를 확인하기 어렵습니다."
    )
    assert serious_violations(citizen) == []
    citizen.screenshot(path=str(artifacts / "contribute-status-phone.png"), full_page=True)
    copy = citizen.get_by_role("button", name="주소 복사")
    expect(copy).to_be_visible()  # shown once the script runs; the address stays selectable


def test_the_form_is_checked_in_the_browser_before_anything_is_uploaded(
    page: Page, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(live_server + "/contribute")
    # The optional fields start folded on phones and open on a desktop.
    optional = page.locator("details.optional-fields").first
    page.wait_for_load_state("load")
    assert optional.evaluate("d => d.open") == (page.size_name == "desktop")  # type: ignore[attr-defined]
    if page.size_name == "phone":  # type: ignore[attr-defined]
        optional.locator("summary").click()
        expect(page.locator("#photos-0-title")).to_be_visible()
    note = tmp_path / "메모.txt"
    note.write_text("사진이 아닙니다", "utf-8")
    page.locator("#photos-0-file").set_input_files(str(note))
    page.get_by_role("button", name="사진 보내기").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    texts = links.all_inner_texts()
    assert any("사진 파일(JPEG, PNG, HEIC 등)만" in t for t in texts), texts
    assert any(t.startswith("이름:") for t in texts) and any("동의해야" in t for t in texts)
    assert posts == []  # nothing was sent
    shot(page, artifacts, "contribute-checked")
    summary.get_by_role("link", name=re.compile("^이름:")).click()
    expect(page.locator("#name")).to_be_focused()
