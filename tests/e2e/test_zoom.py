"""Deep zoom on a live server: the IIIF validator at level 0, and OpenSeadragon in Chromium."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from PIL import Image, ImageDraw, ImageStat
from playwright.sync_api import Browser, Page, Response, expect

from tests.e2e.conftest import SIZES, running_archive, serious_violations, shot
from tests.scans import picture, save_jpeg

# The IIIF validator's test image is a 10 x 10 grid of 100-pixel squares in these colours
# (its tests crop squares and compare colours); drawn here rather than downloaded.
VALIDATOR = Path(sys.executable).with_name("iiif-validate.py")
TILE = re.compile(r"/iiif/3/[0-9a-f]{64}-\d+/(full|\d+,\d+,\d+,\d+)/(\d+),(\d+)/0/default\.jpg$")


def validation_image() -> Image.Image:
    """Return the validator's grid of coloured squares, at 1000 x 1000 pixels."""
    from iiif_validator.validator import ValidationInfo  # the colours the tests expect

    colours = ValidationInfo().colorInfo
    image = Image.new("RGB", (1000, 1000))
    draw = ImageDraw.Draw(image)
    for x in range(10):
        for y in range(10):
            draw.rectangle((x * 100, y * 100, x * 100 + 99, y * 100 + 99), fill=colours[x][y])
    return image


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def wait_for(base: str, title: str) -> str:
    """Wait until the worker has ingested and published a scan; return its id."""
    for _ in range(240):
        items = fetch_json(f"{base}/api/photos?q={quote(title)}")["items"]
        found = [item["id"] for item in items if item["title"] == title]
        if found:
            return str(found[0])
        time.sleep(0.5)
    raise AssertionError(f"{title} was not published")


@pytest.fixture(scope="module")
def zoom_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A live archive with a large scan and its back side, and the validator's image."""
    root = tmp_path_factory.mktemp("zoom")
    with running_archive(root) as (base, env):
        inbox = Path(env["ARCHIVE_SCANS_DIR"]) / "inbox"
        scans = {"harbour": "영산포 선창 전경", "grid": "검증용 격자"}
        sidecars = {
            "harbour": {"title": scans["harbour"], "date": "1968", "place": "영산포",
                        "status": "published", "rights": "공공누리 제1유형"},
            "grid": {"title": scans["grid"], "status": "published"},
        }  # fmt: skip
        for name, fields in sidecars.items():
            (inbox / f"{name}.json").write_text(json.dumps(fields, ensure_ascii=False), "utf-8")
        save_jpeg(inbox / "harbour.jpg", picture((3000, 2000), seed=11), quality=92)
        save_jpeg(inbox / "harbour_b.jpg", picture((1400, 1000), seed=12), quality=92)
        validation_image().save(inbox / "grid.tif", "TIFF")
        ids = {name: wait_for(base, title) for name, title in scans.items()}
        for _ in range(120):  # the back side is attached once the front is in
            manifest = fetch_json(f"{base}/iiif/3/{ids['harbour']}/manifest.json")
            if len(manifest["items"]) == 2:
                break
            time.sleep(0.5)
        yield {"base": base, **ids}


def test_the_iiif_validator_passes_level_0_and_the_error_cases(
    zoom_archive: dict[str, str],
) -> None:
    base = zoom_archive["base"]
    info = fetch_json(f"{base}/iiif/3/{zoom_archive['grid']}/info.json")
    identifier = info["id"].rsplit("/", 1)[1]
    server = base.removeprefix("http://")
    common = [str(VALIDATOR), "-s", server, "-p", "iiif/3", "-i", identifier, "--version=3.0"]
    level0 = subprocess.run([*common, "--level=0"], capture_output=True, text=True, timeout=300)
    assert level0.returncode == 0, level0.stdout + level0.stderr
    assert "test info_json" in level0.stderr and "test id_squares" in level0.stderr
    extras = ["cors", "baseurl_redirect", "jsonld", "id_error_random", "id_error_unescaped",
              "id_error_escapedslash", "region_error_random", "size_error_random",
              "rot_error_random", "quality_error_random", "format_error_random"]  # fmt: skip
    named = [arg for test in extras for arg in ("--test", test)]
    errors = subprocess.run([*common, *named], capture_output=True, text=True, timeout=300)
    assert errors.returncode == 0, errors.stdout + errors.stderr
    assert f"Done ({len(extras)} tests, 0 failures)" in errors.stderr


def test_zoom_to_full_resolution_and_turn_to_the_back(
    page: Page, zoom_archive: dict[str, str], artifacts: Path
) -> None:
    drawn: list[tuple[float, int]] = []  # (scale factor, tile width) of each tile loaded

    def keep(response: Response) -> None:
        found = TILE.search(response.url)
        if found and response.status == 200:
            region, width = found.group(1), int(found.group(2))
            whole = 3000 if region == "full" else int(region.split(",")[2])
            drawn.append((whole / width, width))

    page.on("response", keep)
    page.goto(f"{zoom_archive['base']}/photos/{zoom_archive['harbour']}", wait_until="load")
    shot(page, artifacts, full_page=False, name="zoom-page")
    page.get_by_role("button", name="사진을 확대해서 보기").click()
    viewer = page.locator("#viewer")
    expect(viewer).to_have_attribute("data-ready", "true")
    expect(page.locator(".osd canvas").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    for _ in range(40):  # a busy machine may draw the first tiles after the network went quiet
        if drawn:
            break
        page.wait_for_timeout(250)
    assert drawn and min(factor for factor, _ in drawn) > 1  # an overview first, not the scan
    for _ in range(14):  # to the scan's own pixels (and past them, where zoom stops)
        if page.size_name == "desktop":  # type: ignore[attr-defined]
            page.locator(".osd .openseadragon-canvas").focus()
            page.keyboard.press("+")
        else:
            page.get_by_role("button", name="확대", exact=True).click()
        page.wait_for_timeout(250)
    page.wait_for_load_state("networkidle")
    full = [width for factor, width in drawn if factor == 1]  # the scan's own pixels
    assert full, f"no tile at scale factor 1 among {drawn}"
    shot(page, artifacts, full_page=False, name="zoom-full")
    assert not_blank(page.locator(".osd").screenshot())
    page.get_by_role("button", name="사진 전체 보기").click()
    page.get_by_role("button", name="뒷면 보기").click()
    expect(viewer).to_have_attribute("data-showing", "뒷면")
    expect(page.get_by_role("button", name="뒷면 보기")).to_have_attribute("aria-pressed", "true")
    expect(viewer).to_have_attribute("data-ready", "true")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)
    shot(page, artifacts, full_page=False, name="zoom-back")
    assert not_blank(page.locator(".osd").screenshot())
    assert serious_violations(page) == []
    page.get_by_role("button", name="확대 보기 닫기").click()
    expect(page.locator(".osd")).to_have_count(0)
    expect(page.locator(".still img")).to_be_visible()


def not_blank(png: bytes) -> bool:
    """Return whether the viewer drew the photo: most of it is not the stage's dark
    background (#1e1a16), and it is not one flat colour."""
    import io

    with Image.open(io.BytesIO(png)) as im:
        grey = im.convert("L")
        background = sum(grey.histogram()[:40]) / (grey.width * grey.height)
        return background < 0.6 and ImageStat.Stat(grey).stddev[0] > 2


def test_without_javascript_the_web_image_links_to_a_large_view(
    browser: Browser, zoom_archive: dict[str, str]
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=SIZES["phone"])
    page = context.new_page()
    page.goto(f"{zoom_archive['base']}/photos/{zoom_archive['harbour']}")
    expect(page.get_by_role("button", name="사진을 확대해서 보기")).to_have_count(0)
    link = page.get_by_role("link", name="큰 사진으로 보기")
    with page.expect_navigation():
        link.click()
    assert page.url.endswith("/full/max/0/default.jpg")
    context.close()
