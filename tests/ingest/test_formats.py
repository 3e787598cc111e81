"""Scanner formats become sRGB JPEG derivatives of the right size and orientation."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from archive.models import Photo
from archive.renditions import RENDITIONS
from archive.runtime import Runtime
from tests.scans import picture, save_jpeg, save_tiff, sixteen_bit_grey, srgb_icc


def derivatives(runtime: Runtime, public_id: str) -> dict[tuple[str, int], Image.Image]:
    """Return the record's decoded derivatives keyed by (variant, page); of a tile
    pyramid, its "max" image (the whole picture within 2048 pixels)."""
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        found = {}
        for row in photo.files:
            if row.role == "derivative":
                key = row.key + "full/max/0/default.jpg" if row.key.endswith("/") else row.key
                with runtime.storage.open(key) as handle:
                    image = Image.open(io.BytesIO(handle.read()))
                    image.load()
                found[(row.variant or "", row.page)] = image
        return found


SCANNER_FILES: dict[str, Callable[[Path], Path]] = {
    "rgb.jpg": lambda p: save_jpeg(p, picture((1200, 2000)), quality=92),
    "grey.jpg": lambda p: save_jpeg(p, picture((900, 700), "L")),
    "cmyk.jpg": lambda p: save_jpeg(p, picture((500, 400), "CMYK")),
    "rgb-lzw.tif": lambda p: save_tiff(p, picture((2000, 1500))),
    "rgb-deflate.tif": lambda p: save_tiff(
        p, picture((800, 600)), compression="tiff_adobe_deflate"
    ),
    "grey-lzw.tif": lambda p: save_tiff(p, picture((700, 900), "L")),
    "grey16.tif": lambda p: save_tiff(p, sixteen_bit_grey(), compression="raw"),
    "cmyk.tif": lambda p: save_tiff(p, picture((400, 500), "CMYK")),
    "bw.tif": lambda p: save_tiff(p, picture((640, 480), "1"), compression="group4"),
    "palette.tif": lambda p: save_tiff(p, picture((300, 300), "P"), compression="raw"),
    "rgba.tif": lambda p: save_tiff(p, picture((300, 200), "RGBA")),
    "icc.tif": lambda p: save_tiff(p, picture((300, 200)), icc=srgb_icc()),
}


@pytest.mark.parametrize("name", sorted(SCANNER_FILES))
def test_scanner_format_gets_both_derivatives(
    name: str, runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    source = SCANNER_FILES[name](inbox / name)
    with Image.open(source) as original:
        width, height = original.size
    [result, _summary] = ingest()
    assert result["outcome"] == "ingested", result
    images = derivatives(runtime, result["id"])
    web, thumb, tiles = images[("web", 0)], images[("thumb", 0)], images[("tiles", 0)]
    for image, limit in ((web, 1600), (thumb, 320), (tiles, 2048)):
        assert image.format == "JPEG" and image.mode in ("RGB", "L")
        assert max(image.size) == min(limit, max(width, height))
        assert abs(image.width / image.height - width / height) < 0.02
        assert "icc_profile" not in image.info


def test_sixteen_bit_grey_keeps_its_tones(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    save_tiff(inbox / "ramp16.tif", sixteen_bit_grey((400, 100)), compression="raw")
    [result, _] = ingest()
    web = derivatives(runtime, result["id"])[("web", 0)].convert("L")
    left, right = web.getpixel((2, 50)), web.getpixel((web.width - 3, 50))
    assert isinstance(left, int) and isinstance(right, int)
    assert left < 20 and right > 235, "16-bit values must be scaled, not clipped"


def test_orientation_is_applied(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    image = picture((400, 200))
    image.paste((255, 0, 0), (0, 0, 40, 40))  # a red mark in the stored top-left corner
    save_jpeg(inbox / "rotated.jpg", image, quality=95, orientation=6)
    [result, _] = ingest()
    web = derivatives(runtime, result["id"])[("web", 0)]
    assert web.size == (200, 400)
    red = web.getpixel((web.width - 10, 10))
    assert isinstance(red, tuple) and red[0] > 200 and red[1] < 60, "orientation 6 turns right"


def test_multipage_tiff_is_one_record_with_every_page(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    pages = [picture((300, 400), seed=2), picture((500, 300), seed=3)]
    save_tiff(inbox / "album.tif", picture((400, 300)), pages=pages)
    [result, summary] = ingest()
    assert summary["ingested"] == 1
    images = derivatives(runtime, result["id"])
    assert sorted(images) == sorted((s.name, p) for p in range(3) for s in RENDITIONS)
    assert images[("web", 2)].size == images[("tiles", 2)].size == (500, 300)
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo)).one()
        master = photo.master()
        assert master is not None and master.technical is not None
        assert master.technical.page_count == 3
