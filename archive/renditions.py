"""The derivatives every original gets, each declared once: name, size, format, quality.

The decoder processes render what is declared here; each derivative row records the
spec (a hash of its declaration and size setting), so `archive derivatives --regenerate`
knows which are out of date after a setting or a declaration changes. Adding a kind (a
second thumbnail size, say) is one entry.
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

    def size(self, settings: Settings) -> int:
        """Return the long side in pixels the settings give this kind."""
        return int(getattr(settings, self.size_setting))

    def spec(self, settings: Settings) -> str:
        """Return the hash of everything that shapes this kind's files."""
        text = f"{self.name}|{self.size(settings)}|{self.format}|{self.quality}|{PIXELS_VERSION}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


RENDITIONS: tuple[RenditionSpec, ...] = (
    RenditionSpec("web", "web_size", "웹 이미지"),
    RenditionSpec("thumb", "thumb_size", "썸네일"),
)
BY_NAME = {spec.name: spec for spec in RENDITIONS}


@dataclass(frozen=True)
class Planned:
    """What a decoder makes of one kind: its name, long side, quality and spec."""

    name: str
    size: int
    quality: int
    spec: str


def long_side(settings: Settings, name: str) -> int:
    """Return the declared long side of one kind, for templates' width and height."""
    return BY_NAME[name].size(settings)


def plan(settings: Settings, names: tuple[str, ...] | None = None) -> tuple[Planned, ...]:
    """Return the kinds to render (all, or the named), largest first."""
    chosen = [BY_NAME[name] for name in names] if names else list(RENDITIONS)
    planned = [Planned(s.name, s.size(settings), s.quality, s.spec(settings)) for s in chosen]
    return tuple(sorted(planned, key=lambda p: -p.size))
