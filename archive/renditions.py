"""The derivatives every original gets, each declared once: name, size, format, quality.

The decoder processes render what is declared here; each derivative row records the
spec (a hash of its declaration and size setting), so `archive derivatives --regenerate`
knows which are out of date after a setting or a declaration changes. Adding a kind (a
second thumbnail size, say) is one entry, and its size setting: what is declared here
drives the media route (`SERVED`), the cards and the API (`card`), the offline copy
(`offline`) and the review screens.

The "tiles" kind is an IIIF tile pyramid: one stored tree (see archive.imaging.tiles)
rather than one image, made from the largest pixels the public may see, so it comes
first; its size 0 means full resolution, and contributed photos have their own cap.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.config import Settings

# Bump when rendering changes in a way the declaration does not show (colour handling...).
PIXELS_VERSION = 1


@dataclass(frozen=True)
class RenditionSpec:
    """One kind of derivative image."""

    name: str
    size_setting: str  # the Settings attribute holding the long side in pixels
    label_ko: str
    quality: int = 85
    format: str = "JPEG"
    public: bool = True  # copied to the public prefix while its record is published
    pyramid: bool = False  # a tree of IIIF tiles rather than one image
    # The setting that caps contributed photos' files, when it differs from size_setting.
    contribution_setting: str = ""
    # Where cards and the API show it: the name of its `<card>_url`, `_width`, `_height`
    # (empty: not on cards).
    card: str = ""
    # What the offline copy takes it as ("image" or "thumb"; the first declared of a
    # role that a record has wins; empty: left out).
    offline: str = ""

    def size(self, settings: Settings, contributed: bool = False) -> int:
        """Return the long side in pixels the settings give this kind (0: full size)."""
        name = self.contribution_setting if contributed and self.contribution_setting else None
        return int(getattr(settings, name or self.size_setting))

    def spec(self, settings: Settings, contributed: bool = False) -> str:
        """Return the hash of everything that shapes this kind's files."""
        size = self.size(settings, contributed)
        text = f"{self.name}|{size}|{self.format}|{self.quality}|{PIXELS_VERSION}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


RENDITIONS: tuple[RenditionSpec, ...] = (
    RenditionSpec(
        "tiles",
        "tiles_scan_max",
        "확대 보기 타일",
        format="IIIF3-512-2048-v1",
        pyramid=True,
        contribution_setting="tiles_contribution_max",
    ),
    RenditionSpec("web", "web_size", "웹 이미지", card="image", offline="image"),
    RenditionSpec(
        "thumb_large", "thumb_large_size", "큰 썸네일", card="thumbnail_large", offline="thumb"
    ),
    RenditionSpec("thumb", "thumb_size", "썸네일", card="thumbnail", offline="thumb"),
)
BY_NAME = {spec.name: spec for spec in RENDITIONS}
# The kinds served one image per name under /media/<kind>/ (public, not a tile tree).
SERVED = tuple(spec.name for spec in RENDITIONS if spec.public and not spec.pyramid)
# The kinds a card shows, by the name cards and the API give them.
ON_CARDS = {spec.name: spec.card for spec in RENDITIONS if spec.card}


@dataclass(frozen=True)
class Planned:
    """What a decoder makes of one kind: its name, long side, quality and spec."""

    name: str
    size: int  # 0: full size
    quality: int
    spec: str
    pyramid: bool = False

    @property
    def order(self) -> float:
        """Return the sort key that puts the largest (full size first) before the rest."""
        return -(self.size or float("inf"))


def long_side(settings: Settings, name: str) -> int:
    """Return the declared long side of one kind, for templates' width and height."""
    return BY_NAME[name].size(settings)


def plan(
    settings: Settings, names: tuple[str, ...] | None = None, *, contributed: bool = False
) -> tuple[Planned, ...]:
    """Return the kinds to render (all, or the named), largest first, for scans or for
    contributed photos (whose caps may differ)."""
    chosen = [BY_NAME[name] for name in names] if names else list(RENDITIONS)
    planned = [
        Planned(
            s.name,
            s.size(settings, contributed),
            s.quality,
            s.spec(settings, contributed),
            s.pyramid,
        )
        for s in chosen
    ]
    return tuple(sorted(planned, key=lambda p: p.order))
