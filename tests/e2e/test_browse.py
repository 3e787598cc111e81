"""What a visitor does, in real Chromium at desktop and phone sizes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import serious_violations, shot


def test_browse_by_decade_and_place_then_open_a_photo(
    page: Page, live_server: str, artifacts: Path
) -> None:
    page.goto(live_server + "/")
    expect(page.locator("h1")).to_have_text("옛 추억을 떠올리며")
    shot(page, artifacts, "landing")
    page.get_by_role("link", name="1970년대").first.click()
    expect(page.locator("h1")).to_have_text("사진 둘러보기")
    expect(page.get_by_text("시기: 1970년대")).to_be_visible()
    folded = page.get_by_text("시기·장소로 좁혀 보기")
    if page.size_name == "phone":  # type: ignore[attr-defined]
        expect(page.locator(".facets")).not_to_have_attribute("open", "")
        folded.click()  # folded above the results on phones
    else:
        expect(folded).to_be_hidden()
    page.locator(".facets").get_by_role("link", name="영산동").click()
    expect(page.get_by_text("장소: 영산동")).to_be_visible()
    shot(page, artifacts, "browse")
    page.get_by_role("link", name="영산포 뱃사공").click()
    expect(page.locator("h1")).to_have_text("영산포 뱃사공")
    expect(page.locator(".kogl")).to_have_text("공공누리 제1유형")
    page.wait_for_load_state("load")  # the viewer's button comes with a deferred script
    shot(page, artifacts, "photo")
    page.get_by_role("button", name="사진을 확대해서 보기").click()
    expect(page.locator("#viewer")).to_have_attribute("data-ready", "true")
    shot(page, artifacts, "viewer")
    page.get_by_role("button", name="확대 보기 닫기").click()
    expect(page.locator(".osd")).to_have_count(0)


def test_search_from_the_box(page: Page, live_server: str, artifacts: Path) -> None:
    page.goto(live_server + "/")
    page.get_by_role("combobox", name="사진 검색").fill("70년대 영산포 장날")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="영산포 선창의 장날")).to_be_visible()
    expect(page.get_by_text("장날 풍경")).to_have_count(0)
    shot(page, artifacts, "search")


def test_keyboard_navigation(page: Page, live_server: str) -> None:
    page.goto(live_server + "/photos?place=%EC%98%81%EC%82%B0%ED%8F%AC")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="본문 바로가기")
    expect(skip).to_be_focused()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "focus must be visible"
    first = page.locator(".grid .card a").first
    first.focus()
    # Wait for each page to load: the arrow-key handler comes with a deferred script.
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    title = page.locator("h1").inner_text()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("ArrowRight")
    expect(page.locator("h1")).not_to_have_text(title)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("ArrowLeft")
    expect(page.locator("h1")).to_have_text(title)


def test_the_search_box_suggests_places_as_you_type(
    page: Page, live_server: str, artifacts: Path
) -> None:
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="사진 검색")
    box.press_sequentially("영사", delay=40)
    listbox = page.get_by_role("listbox", name="검색어 제안")
    expect(listbox.get_by_role("option", name=re.compile("^영산포 등대"))).to_have_count(1)
    expect(listbox.get_by_role("option").first).to_contain_text("영산")
    expect(box).to_have_attribute("aria-expanded", "true")
    shot(page, artifacts, "suggest")
    assert serious_violations(page) == []
    box.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
    label = first.inner_text().split("\n")[0]
    with page.expect_navigation(wait_until="load"):
        box.press("Enter")
    expect(page.get_by_text(f"장소: {label}")).to_be_visible()
    box = page.get_by_role("combobox", name="사진 검색")
    box.fill("")
    box.press_sequentially("가족", delay=40)
    expect(page.get_by_role("option", name=re.compile("^가족"))).to_be_visible()
    box.press("Escape")
    expect(page.get_by_role("listbox", name="검색어 제안")).to_be_hidden()
    box.press("Enter")  # the box still searches as typed
    expect(page.locator("h1")).to_have_text("‘가족’ 검색 결과")


EMPTY = "/photos?q=%EB%B1%83%EC%82%AC%EA%B3%B5&era=1990%EB%85%84%EB%8C%80"  # 뱃사공, 1990년대
NOTHING = "/photos?q=%EC%9A%B0%EC%A3%BC%EC%84%A0&era=1990%EB%85%84%EB%8C%80"  # 우주선, 1990년대


def test_a_misspelt_search_and_an_empty_one_lead_somewhere(
    page: Page, live_server: str, artifacts: Path
) -> None:
    page.goto(live_server + "/")
    page.get_by_role("combobox", name="사진 검색").fill("영산포 뱃사궁")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="영산포 뱃사공")).to_be_visible()
    expect(page.get_by_text("'뱃사궁' → '뱃사공'")).to_be_visible()
    shot(page, artifacts, "search-corrected")
    page.goto(live_server + EMPTY)
    expect(page.get_by_text("찾는 사진이 없습니다.")).to_be_visible()
    shot(page, artifacts, "search-empty")
    page.get_by_role("link", name=re.compile("^시기 없이")).click()
    expect(page.get_by_role("link", name="영산포 뱃사공")).to_be_visible()
    page.goto(live_server + NOTHING)  # no word of it anywhere: what there is instead
    expect(page.get_by_role("heading", name="이런 사진은 있습니다")).to_be_visible()
    shot(page, artifacts, "search-nothing")
    nearest = page.locator(".offers a").first  # the decade nearest the 1990s asked for
    decade = nearest.inner_text()
    nearest.click()
    expect(page.get_by_text(f"시기: {decade}")).to_be_visible()


def test_the_timeline_from_the_landing_page(page: Page, live_server: str, artifacts: Path) -> None:
    page.goto(live_server + "/")
    page.get_by_role("link", name="시대별로 한눈에 보기").click()
    expect(page.locator("h1")).to_have_text("시대별로 보기")
    shot(page, artifacts, "timeline")
    page.get_by_role("link", name=re.compile("^1970년대 사진 모두 보기")).click()
    expect(page.get_by_text("시기: 1970년대")).to_be_visible()
    expect(page.locator(".sort [aria-current]")).to_have_text("오래된 순")


@pytest.mark.parametrize(
    "path", ["/", "/photos?q=%EC%98%81%EC%82%B0%ED%8F%AC", "/embed", EMPTY, NOTHING, "/timeline"]
)
def test_no_serious_accessibility_violations(page: Page, live_server: str, path: str) -> None:
    page.goto(live_server + path)
    assert serious_violations(page) == []


def test_photo_page_accessibility(page: Page, live_server: str) -> None:
    page.goto(live_server + "/photos?q=%EB%B1%83%EC%82%AC%EA%B3%B5")
    page.locator(".grid .card a").first.click()
    assert serious_violations(page) == []


def test_sharing_a_photo_copies_its_link_and_a_citation(
    page: Page, live_server: str, artifacts: Path
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.add_init_script("navigator.share = async (data) => { window.sharedData = data; };")
    page.goto(live_server + "/photos?q=%EB%B1%83%EC%82%AC%EA%B3%B5")  # 뱃사공
    page.get_by_role("link", name="영산포 뱃사공").click()
    page.wait_for_load_state("load")
    share = page.get_by_role("region", name="나누기")
    share.get_by_role("button", name="링크 복사").click()
    expect(share.get_by_role("status").first).to_have_text("복사했습니다.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(live_server + "/photos/")
    share.get_by_role("button", name="공유하기").click()
    assert page.evaluate("window.sharedData.url") == copied
    share.get_by_text("인용하기").click()
    citation = share.get_by_role("textbox", name="인용문").input_value()
    assert citation.startswith("영산포 뱃사공, 1970년대, 나주시 옛 사진 기록물")
    assert copied in citation and citation.endswith("공공누리 제1유형")
    for button in share.locator(".button").all():
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44, button.inner_text()
    shot(page, artifacts, "share")
