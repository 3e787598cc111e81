"""Downloads of published photos whose rights allow reuse (a 공공누리 type).

Three sizes: the web image, 3000 pixels on the long side, and the largest the public
may see (the zoomable image's size, so the public resolution cap holds). Sizes that are
not derivatives already are made from the master on the first request, one at a time
per process, and kept privately under downloads/<photo id>/ (named by everything that
shapes them, so an edit of rights or credit, or a re-made master, gives a new file).
They carry the same small EXIF as every public image: archive id, rights and credit.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from archive.config import Settings
from archive.imaging.decode import encode_jpeg, open_image, render_display
from archive.models import Photo, PhotoFile
from archive.records.images import PublicImage
from archive.records.public import rights_label
from archive.records.renditions import derivative_exif, stamp
from archive.renditions import PIXELS_VERSION
from archive.statuses import FileRole
from archive.storage import Storage, Storages

MIDDLE = 3000
QUALITY = 90
_making = threading.Semaphore(1)  # masters can be large: one decode per process at a time


@dataclass(frozen=True)
class DownloadSize:
    """One size a visitor may download."""

    name: str  # web | 3000 | full
    label: str
    width: int
    height: int


def download_prefix(public_id: str) -> str:
    """Return the private tree key holding a record's made downloads."""
    return f"downloads/{public_id}/"


def allowed(photo: Photo) -> bool:
    """Return whether the rights allow downloads (a 공공누리 type, not 'being checked')."""
    return rights_label(photo.rights)["kogl"] is not None


def sizes(photo: Photo, image: PublicImage | None) -> list[DownloadSize]:
    """Return the sizes offered for a published photo (none while rights are checked)."""
    web = _web_row(photo)
    if not allowed(photo) or web is None or not web.width or not web.height:
        return []
    offered = [DownloadSize("web", "웹용", web.width, web.height)]
    if image is None:
        return offered
    long_side = max(image.width, image.height)
    if long_side > MIDDLE > max(web.width, web.height):
        offered.append(DownloadSize("3000", "중간 크기", *_fit(image, MIDDLE)))
    if long_side > max(web.width, web.height):
        offered.append(DownloadSize("full", "가장 큰 크기", image.width, image.height))
    return offered


def _fit(image: PublicImage, long_side: int) -> tuple[int, int]:
    scale = long_side / max(image.width, image.height)
    return max(1, round(image.width * scale)), max(1, round(image.height * scale))


def _web_row(photo: Photo) -> PhotoFile | None:
    master = next((f for f in photo.files if f.role == FileRole.MASTER), None)
    if master is None:
        return None
    return next(
        (
            f
            for f in photo.files
            if f.derived_from_id == master.id and f.variant == "web" and f.page == 0
        ),
        None,
    )


def download_bytes(
    storages: Storages, settings: Settings, photo: Photo, size: DownloadSize
) -> bytes:
    """Return the JPEG of one offered size, making and keeping it on first request.

    :raises NotFound: when a file it is made from is missing.
    """
    if size.name == "web":
        row = _web_row(photo)
        assert row is not None
        return _read(storages.of(row.backend), row.key)
    master = next(f for f in photo.files if f.role == FileRole.MASTER)
    exif = derivative_exif(photo, settings.default_rights, settings.default_credit)
    shape = f"{master.sha256}|{size.width}x{size.height}|{QUALITY}|{PIXELS_VERSION}|"
    digest = hashlib.sha256(shape.encode() + exif).hexdigest()[:24]
    key = f"{download_prefix(photo.public_id)}{size.name}-{digest}.jpg"
    cache = storages.default
    with _making:
        if cache.exists(key):
            return _read(cache, key)
        with storages.of(master.backend).local_file(master.key, settings.work_dir) as path:
            data = stamp(exif, _render(path, max(size.width, size.height), settings))
        cache.put_bytes(key, data)
    return data


def _render(path: Path, long_side: int, settings: Settings) -> bytes:
    with open_image(path, settings.max_pixels, settings.max_decoded_mb * 1024 * 1024) as im:
        return encode_jpeg(render_display(im, long_side), QUALITY)


def _read(storage: Storage, key: str) -> bytes:
    with storage.open(key) as handle:
        return handle.read()
