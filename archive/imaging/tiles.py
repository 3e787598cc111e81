"""IIIF Image API 3.0 level-0 tile pyramids, cut by libvips (pyvips with its binary wheel).

A pyramid is made from the same display pixels as the other derivatives (sRGB, turned
upright, nothing else: built from memory, so no metadata can reach a tile) and written
under one folder in the IIIF layout: ``{region}/{w},{h}/0/default.jpg`` for every
512-pixel tile at every scale factor, and ``full/{w},{h}/0/default.jpg`` for the sizes
listed in ``info.json``. The ``info.json`` itself is written by the web, from the
record, with the URL the visitor sees; this module returns what it needs.
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

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


def scale_factors(width: int, height: int) -> tuple[int, ...]:
    """Return 1, 2, 4, ... down to the scale at which the image fits one tile."""
    factors = [1]
    while max(math.ceil(width / factors[-1]), math.ceil(height / factors[-1])) > TILE_SIZE:
        factors.append(factors[-1] * 2)
    return tuple(factors)


def make_pyramid(image: Image.Image, folder: Path, quality: int = QUALITY) -> Pyramid:
    """Write the level-0 pyramid of an RGB display image into folder (which must not exist).

    :param image: 8-bit sRGB RGB pixels, already at the public resolution cap.
    """
    import pyvips  # libvips is loaded only where pyramids are made (decoder processes)

    if image.mode != "RGB":
        image = image.convert("RGB")
    vips = pyvips.Image.new_from_memory(
        image.tobytes(), image.width, image.height, 3, "uchar"
    ).copy(interpretation="srgb")
    work = folder.with_name(folder.name + ".part")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
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
    factors = scale_factors(image.width, image.height)
    sizes = _write_sizes(vips, written, factors, quality)
    written.rename(folder)
    shutil.rmtree(work)  # dzsave's vips-properties.xml beside the pyramid
    files, size = _count(folder)
    return Pyramid(image.width, image.height, factors, sizes, files, size)


def _write_sizes(
    vips: object, folder: Path, factors: tuple[int, ...], quality: int
) -> tuple[tuple[int, int], ...]:
    """Write the full image at each scale factor whose long side is at most SIZE_LIMIT."""
    width, height = vips.width, vips.height  # type: ignore[attr-defined]
    sizes = []
    for factor in reversed(factors):
        w, h = math.ceil(width / factor), math.ceil(height / factor)
        if max(w, h) > SIZE_LIMIT:
            break
        small = vips.resize(w / width, vscale=h / height)  # type: ignore[attr-defined]
        target = folder / "full" / f"{w},{h}" / "0"
        target.mkdir(parents=True)
        small.jpegsave(str(target / "default.jpg"), Q=quality, keep="none")
        sizes.append((w, h))
    return tuple(sizes)


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
    return list(dict.fromkeys(paths))  # the top tile is also the smallest size
