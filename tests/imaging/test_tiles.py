"""IIIF level-0 pyramids: every tile where the layout says, right pixels, no metadata."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from archive.imaging.tiles import (
    SIZE_LIMIT,
    TILE_SIZE,
    make_pyramid,
    max_size,
    scale_factors,
    tile_paths,
)
from tests.scans import picture


def files_under(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize(
    "size", [(1, 1), (512, 512), (513, 511), (1025, 2049), (3000, 4200), (5000, 300)]
)
def test_the_pyramid_holds_exactly_the_declared_files(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    source = picture(size, seed=3) if min(size) > 64 else Image.new("RGB", size, (90, 60, 30))
    pyramid = make_pyramid(source, tmp_path / "p")
    assert files_under(tmp_path / "p") == set(tile_paths(pyramid))
    assert pyramid.files == len(tile_paths(pyramid))
    assert not (tmp_path / "p.part").exists() and not (tmp_path / "p" / "info.json").exists()
    assert pyramid.scale_factors == scale_factors(*size)
    top = pyramid.scale_factors[-1]
    assert max(-(-size[0] // top), -(-size[1] // top)) <= TILE_SIZE
    for relative in tile_paths(pyramid):
        named = relative.split("/")[1]
        w, h = pyramid.max_size if named == "max" else (int(n) for n in named.split(","))
        with Image.open(tmp_path / "p" / relative) as tile:
            assert tile.format == "JPEG" and tile.size == (w, h), relative
            assert max(w, h) <= TILE_SIZE or relative.startswith("full/")


@pytest.mark.parametrize(
    ("size", "fitted"),
    [
        ((1, 1), (1, 1)),
        ((2048, 100), (2048, 100)),
        ((3000, 4200), (1463, 2048)),
        ((5000, 300), (2048, 123)),
    ],
)
def test_the_max_image_fits_the_size_limit_and_keeps_the_shape(
    size: tuple[int, int], fitted: tuple[int, int]
) -> None:
    assert max_size(*size) == fitted
    assert max(fitted) <= SIZE_LIMIT


def test_tiles_carry_the_pixels_and_nothing_else(tmp_path: Path) -> None:
    source = picture((1300, 900), seed=9)
    pyramid = make_pyramid(source, tmp_path / "p")
    assert (pyramid.width, pyramid.height) == (1300, 900)
    tile = tmp_path / "p" / "512,0,512,512" / "512,512" / "0" / "default.jpg"
    with Image.open(tile) as im:
        got = np.asarray(im.convert("RGB"), dtype=np.int16)
        info = dict(im.info)
        markers = _markers(tile.read_bytes())
    want = np.asarray(source.crop((512, 0, 1024, 512)), dtype=np.int16)
    assert np.abs(got - want).mean() < 4  # the same pixels, within JPEG's error
    assert not {"exif", "icc_profile", "comment", "xmp", "photoshop"} & set(info)
    assert markers <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDA, 0xDD}  # JFIF and image data only
    sizes = [tuple(size) for size in pyramid.as_json()["sizes"]]  # type: ignore[union-attr]
    assert sizes == sorted(sizes) and sizes[-1] == (1300, 900)


def _markers(data: bytes) -> set[int]:
    """Return the JPEG segment markers before the image data."""
    found, at = set(), 2
    stream = io.BytesIO(data)
    while at + 4 <= len(data):
        stream.seek(at)
        marker = data[at + 1]
        found.add(marker)
        if marker == 0xDA:
            break
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return found
