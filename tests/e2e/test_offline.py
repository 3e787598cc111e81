"""The offline copy in Chromium over file://, every network request blocked, at phone and
desktop sizes: the landing page, a decade, a place, an exhibition, a photo with its zoom
viewer, and Korean search (dates, places, variants) with nothing but the copy's files."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select

from archive.config import load_settings
from archive.features.exhibitions import curation as exhibitions
from archive.models import Photo
from archive.runtime import build_runtime
from tests.e2e.conftest import SIZES, prepare, serious_violations


@pytest.fixture(scope="module")
def offline_copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Prepare an archive (the search collection and real scans), publish an exhibition,
    and run `archive export-site --zoom`; yield the copy's folder."""
    root = tmp_path_factory.mktemp("offline")
    prepare(root, "")
    env = {
        **os.environ,
        "ARCHIVE_DATA_DIR": str(root / "var"),
        "ARCHIVE_SCANS_DIR": str(root / "scans"),
    }
    runtime = build_runtime(load_settings(env))
    with runtime.db.session() as session:
        shown = exhibitions.create_exhibition(
            session, title="영산포 강가 사람들", slug="riverside",
            introduction="배가 드나들던 영산포.\n\n사진마다 설명을 붙였습니다.", actor="kim",
        )  # fmt: skip
        for title in ("영산포 나루터", "영산포 뱃사공"):
            photo = session.scalars(select(Photo).where(Photo.title == title)).one()
            exhibitions.add_photo(session, shown, photo.public_id, f"{title} 이야기", actor="kim")
        exhibitions.publish(session, shown, actor="kim")
    runtime.close()
    copy = root / "usb"
    command = [sys.executable, "-m", "archive.cli", "export-site", str(copy), "--zoom"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "모든 링크를 확인했습니다" in done.stdout
    yield copy


def offline_page(browser: Browser, size: str) -> tuple[Page, list[str]]:
    """Open a tab that may load file:// only; return it and the list of blocked requests."""
    context = browser.new_context(viewport=SIZES[size], locale="ko-KR")
    blocked: list[str] = []

    def only_files(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    return context.new_page(), blocked


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_copy_works_offline(
    browser: Browser, offline_copy: Path, artifacts: Path, size: str
) -> None:
    page, blocked = offline_page(browser, size)
    page.goto((offline_copy / "index.html").as_uri())
    expect(page.get_by_role("heading", level=1)).to_have_text("옛 추억을 떠올리며")
    assert serious_violations(page) == []
    page.screenshot(path=str(artifacts / f"offline-index-{size}.png"), full_page=True)
    page.get_by_role("link", name="1970년대").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("1970년대 사진")
    cards = page.locator(".card")
    assert cards.count() >= 3
    assert serious_violations(page) == []
    page.get_by_role("link", name="영산포 나루터").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("영산포 나루터")
    image = page.locator("#image")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert serious_violations(page) == []
    page.screenshot(path=str(artifacts / f"offline-photo-{size}.png"), full_page=True)
    page.get_by_role("button", name="확대해서 보기").click()
    expect(page.locator("#zoom canvas")).to_have_count(1)
    page.get_by_role("button", name="확대", exact=True).click()
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / f"offline-zoom-{size}.png"))
    page.get_by_role("link", name="영산포 사진").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("영산포 사진")
    assert serious_violations(page) == []
    page.get_by_role("link", name="전시", exact=True).click()
    page.get_by_role("link", name="영산포 강가 사람들").click()
    expect(page.locator(".card .meta").first).to_have_text("영산포 나루터 이야기")
    assert serious_violations(page) == []
    page.screenshot(path=str(artifacts / f"offline-exhibition-{size}.png"), full_page=True)
    page.get_by_role("link", name="장소별").click()
    assert serious_violations(page) == []
    page.get_by_role("link", name="이용 안내").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("이용 안내")
    assert serious_violations(page) == []
    # Korean search: a decade and a place together.
    page.get_by_label("사진 찾기").fill("1970년대 영산포")
    page.get_by_role("button", name="찾기").click()
    status = page.locator("#search-status")
    expect(status).to_contain_text("찾은 사진")
    titles = page.locator("#results .title").all_inner_texts()
    assert "영산포 나루터" in titles and "영산포 선창의 장날" in titles
    assert "영산포 등대" not in titles  # 1965: another decade
    assert serious_violations(page) == []
    page.screenshot(path=str(artifacts / f"offline-search-{size}.png"), full_page=True)
    # A variant word (초등학교 finds 국민학교) and a particle after a place (영산강에서).
    for query, wanted in (("초등학교 졸업", "국민학교 졸업사진"), ("영산강에서", "영산강 나룻배")):
        page.get_by_label("사진 찾기").fill(query)
        page.get_by_role("button", name="찾기").click()
        expect(page.locator("#results .title").first).to_be_visible()
        assert wanted in page.locator("#results .title").all_inner_texts(), query
    # Named periods and two-digit decades are read as dates, as online.
    asked = page.evaluate("() => window.NAJU_UNDERSTAND('6·25 전쟁 때 영산강 나룻배')")
    assert asked["span"] == [1950, 1953] and asked["places"] == ["영산강"]
    assert asked["words"][0][0] == "나룻배"
    assert page.evaluate("() => window.NAJU_UNDERSTAND('70년대 장날')")["span"] == [1970, 1979]
    assert blocked == []
    page.context.close()
