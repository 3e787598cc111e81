"""IIIF images of published records: which tile pyramids are public, and their info.json.

A pyramid's public copy sits under derivatives/tiles/ab/<sha256>-<publication>/, so its
IIIF identifier is that last folder name: re-made or re-published tiles get a new one,
and an identifier stops working the moment its record leaves the public (the copy is
gone, and the row no longer names it). Tiles are served from the public prefix without
asking the database; info.json is built from the row, which says the image is public.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.imaging.tiles import TILE_SIZE, max_size, scale_factors, sizes_of
from archive.models import Photo, PhotoFile
from archive.statuses import FileRole, RecordStatus
from archive.storage import public_tree_key

TILES = "tiles"
IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
IMAGE_PROFILE = "http://iiif.io/api/image/3/level0.json"
_IMAGE_NAME = re.compile(r"([0-9a-f]{64})-([1-9][0-9]{0,8})")
# Originals in the order a viewer shows them: the front's pages, then the back.
SHOWN_ROLES = (FileRole.MASTER, FileRole.BACK)


@dataclass(frozen=True)
class PublicImage:
    """One published pyramid: a page of the front, or the back side."""

    name: str  # the IIIF identifier: <sha256>-<publication>
    backend: str
    key: str  # its public tree key
    width: int
    height: int
    role: str
    page: int

    @property
    def label_ko(self) -> str:
        """Return the canvas label a visitor sees."""
        if self.role == FileRole.BACK:
            return "뒷면"
        return "앞면" if self.page == 0 else f"{self.page + 1}쪽"

    @property
    def label_en(self) -> str:
        """Return the canvas label in English."""
        if self.role == FileRole.BACK:
            return "Back"
        return "Front" if self.page == 0 else f"Page {self.page + 1}"


def tree_key_of(name: str) -> str | None:
    """Return the public tree key an IIIF identifier names, or None if it is not one."""
    found = _IMAGE_NAME.fullmatch(name)
    if found is None:
        return None
    return public_tree_key(found.group(1), TILES, int(found.group(2)))


def name_of(public_key: str) -> str:
    """Return the IIIF identifier of a public tree key."""
    return public_key.rstrip("/").rsplit("/", 1)[-1]


def public_image(session: Session, name: str) -> PublicImage | None:
    """Return the published pyramid an identifier names, or None (unknown or not public)."""
    key = tree_key_of(name)
    if key is None:
        return None
    row = session.scalars(
        select(PhotoFile)
        .join(Photo)
        .where(PhotoFile.public_key == key, Photo.status == RecordStatus.PUBLISHED)
    ).first()
    return None if row is None else _image(row, "")


def images_of(photo: Photo) -> list[PublicImage]:
    """Return a published record's public pyramids: the front's pages, then the back."""
    originals = {f.id: f.role for f in photo.files if f.role in SHOWN_ROLES}
    found = [
        _image(f, originals[f.derived_from_id])
        for f in photo.files
        if f.variant == TILES and f.public_key and f.derived_from_id in originals
    ]
    return sorted(found, key=lambda image: (SHOWN_ROLES.index(image.role), image.page))


def _image(row: PhotoFile, role: str) -> PublicImage:
    assert row.public_key is not None and row.width and row.height
    return PublicImage(
        name_of(row.public_key),
        row.backend,
        row.public_key,
        row.width,
        row.height,
        role,
        row.page,
    )


def image_info(service_id: str, width: int, height: int) -> dict[str, object]:
    """Return the info.json of a level-0 image service at service_id (no trailing slash)."""
    most_wide, most_high = max_size(width, height)
    return {
        "@context": IMAGE_CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level0",
        "width": width,
        "height": height,
        "maxWidth": most_wide,
        "maxHeight": most_high,
        "sizes": [{"width": w, "height": h} for w, h in sizes_of(width, height)],
        "tiles": [
            {
                "width": TILE_SIZE,
                "height": TILE_SIZE,
                "scaleFactors": list(scale_factors(width, height)),
            }
        ],
        "preferredFormats": ["jpg"],
    }
