"""IIIF Image API 3.0 level-0 tile pyramids, cut by libvips (pyvips with its binary wheel).

A pyramid is made from the same display pixels as the other derivatives (sRGB, turned
upright, nothing else: built from memory, so no metadata can reach a tile) and written
under one folder in the IIIF layout: ``{region}/{w},{h}/0/default.jpg`` for every
512-pixel tile at every scale factor, and ``full/{w},{h}/0/default.jpg`` for the sizes
listed in ``info.json``, and ``full/max/0/default.jpg``: the whole image fitted into
SIZE_LIMIT, which info.json declares as maxWidth and maxHeight. The ``info.json``
itself is written by the web, from the record, with the URL the visitor sees.
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from archive.digest import folder_digest

TILE_SIZE = 512
SIZE_LIMIT = 2048  # full-image sizes are listed up to this long side
QUALITY = 85
INFO = "info.json"


@dataclass(frozen=True)
class Pyramid:
    """A written tile pyramid: what info.json declares, and what was written."""

    width: int
    height: int
    scale_factors: tuple[int, ...]
    sizes: tuple[tuple[int, int], ...]  # full-image sizes, smallest first
    files: int
    bytes: int
    digest: str  # of the folder as a stored tree (archive.digest.folder_digest)

    @property
    def max_size(self) -> tuple[int, int]:
        """Return the size of the "max" image (the whole image within SIZE_LIMIT)."""
        return max_size(self.width, self.height)

    def as_json(self) -> dict[str, object]:
        """Return the facts stored with the pyramid's file row."""
        return {
            "width": self.width,
            "height": self.height,
            "tile": TILE_SIZE,
            "scale_factors": list(self.scale_factors),
            "sizes": [list(size) for size in self.sizes],
            "files": self.files,
            "bytes": self.bytes,
        }


def max_size(width: int, height: int) -> tuple[int, int]:
    """Return the whole image's size fitted into SIZE_LIMIT (never enlarged)."""
    scale = min(1.0, SIZE_LIMIT / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def sizes_of(width: int, height: int) -> tuple[tuple[int, int], ...]:
    """Return the full-image sizes a pyramid lists: each scale factor's, up to SIZE_LIMIT."""
    found = []
    for factor in reversed(scale_factors(width, height)):
        w, h = math.ceil(width / factor), math.ceil(height / factor)
        if max(w, h) > SIZE_LIMIT:
            break
        found.append((w, h))
    return tuple(found)


def scale_factors(width: int, height: int) -> tuple[int, ...]:
    """Return 1, 2, 4, ... down to the scale at which the image fits one tile."""
    factors = [1]
    while max(math.ceil(width / factors[-1]), math.ceil(height / factors[-1])) > TILE_SIZE:
        factors.append(factors[-1] * 2)
    return tuple(factors)


def to_vips(image: Image.Image) -> Any:
    """Return an 8-bit L or RGB Pillow image as a libvips image over the same pixels."""
    import pyvips  # libvips is loaded only where it is used (decoder processes)

    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    bands = len(image.mode)
    vips = pyvips.Image.new_from_memory(image.tobytes(), image.width, image.height, bands, "uchar")
    return vips.copy(interpretation="b-w" if bands == 1 else "srgb")


def shrink(image: Image.Image, long_side: int, vips: Any = None) -> Image.Image:
    """Return a copy of an L or RGB image fitted into long_side (never enlarged), resized
    by libvips (Lanczos, several times faster than Pillow on a whole scan).

    :param vips: the same pixels already in libvips (see to_vips), to save a copy.
    """
    scale = long_side / max(image.width, image.height)
    if scale >= 1:
        return image.copy()
    small = (vips if vips is not None else to_vips(image)).resize(scale, kernel="lanczos3")
    mode = "L" if small.bands == 1 else "RGB"
    return Image.frombytes(mode, (small.width, small.height), small.write_to_memory())


def make_pyramid(
    image: Image.Image, folder: Path, quality: int = QUALITY, vips: Any = None
) -> Pyramid:
    """Write the level-0 pyramid of an RGB display image into folder (which must not exist).

    :param image: 8-bit sRGB RGB pixels, already at the public resolution cap.
    :param vips: the same pixels already in libvips (an RGB to_vips), to save a copy.
    """
    if vips is None:
        vips = to_vips(image if image.mode == "RGB" else image.convert("RGB"))
    work = folder.with_name(folder.name + ".part")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        sizes = _write_pyramid(vips, work, quality)
        (work / "t").rename(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # dzsave's vips-properties.xml, or a failure
    files, size = _count(folder)
    factors = scale_factors(image.width, image.height)
    digest = folder_digest(folder)  # here, in the decoder processes, not in the worker
    return Pyramid(image.width, image.height, factors, sizes, files, size, digest)


def _write_pyramid(vips: Any, work: Path, quality: int) -> tuple[tuple[int, int], ...]:
    """Cut the tiles into work/t, then write the listed sizes and the "max" image."""
    # dzsave names its output folder after the basename; "t" keeps paths short.
    vips.dzsave(
        str(work / "t"),
        layout="iiif3",
        tile_size=TILE_SIZE,
        overlap=0,
        depth="onetile",
        Q=quality,
        keep="none",
        id="tiles",
    )
    written = work / "t"
    (written / INFO).unlink(missing_ok=True)  # the web writes info.json with the real URL
    shutil.rmtree(written / "full", ignore_errors=True)
    sizes = _write_sizes(vips, written, quality)
    _write_max(vips, written, quality)
    return sizes


def _write_sizes(vips: Any, folder: Path, quality: int) -> tuple[tuple[int, int], ...]:
    """Write the full image at each scale factor whose long side is at most SIZE_LIMIT,
    the largest first and each smaller one from the one before (half the pixels to read)."""
    sizes = sizes_of(vips.width, vips.height)
    source = vips
    for w, h in reversed(sizes):
        source = _write_whole(source, folder / "full" / f"{w},{h}", (w, h), quality)
    return sizes


def _write_max(vips: Any, folder: Path, quality: int) -> None:
    _write_whole(vips, folder / "full" / "max", max_size(vips.width, vips.height), quality)


def _write_whole(vips: Any, folder: Path, size: tuple[int, int], quality: int) -> Any:
    """Write the whole image at a size; return those pixels (in memory, for the next)."""
    w, h = size
    small = vips
    if (w, h) != (vips.width, vips.height):
        scaled = vips.resize(w / vips.width, vscale=h / vips.height, kernel="lanczos3")
        small = scaled.copy_memory()
    target = folder / "0"
    target.mkdir(parents=True)
    small.jpegsave(str(target / "default.jpg"), Q=quality, keep="none")
    return small


def _count(folder: Path) -> tuple[int, int]:
    files = size = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            files += 1
            size += (Path(root) / name).stat().st_size
    return files, size


def tile_paths(pyramid: Pyramid) -> list[str]:
    """Return the relative path of every file a pyramid holds (tiles, then sizes)."""
    paths = []
    for factor in pyramid.scale_factors:
        span = TILE_SIZE * factor
        for y in range(0, pyramid.height, span):
            for x in range(0, pyramid.width, span):
                w, h = min(span, pyramid.width - x), min(span, pyramid.height - y)
                whole = (w, h) == (pyramid.width, pyramid.height)
                region = "full" if whole else f"{x},{y},{w},{h}"
                size = f"{math.ceil(w / factor)},{math.ceil(h / factor)}"
                paths.append(f"{region}/{size}/0/default.jpg")
    paths += [f"full/{w},{h}/0/default.jpg" for w, h in pyramid.sizes]
    paths.append("full/max/0/default.jpg")
    return list(dict.fromkeys(paths))  # the top tile is also the smallest size
