"""Naju's places as data: names, aliases, parents and historic units, matched in text."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from archive.errors import ArchiveError, ConfigError
from archive.places.romanize import KEY_PATTERN, place_key
from archive.text import decode_text_file

if TYPE_CHECKING:
    from archive.config import Settings

DEFAULT_PATH = Path(__file__).with_name("gazetteer.csv")
# The kind of the place the archive covers as a whole (나주시): the top of the hierarchy.
CITY_KIND = "시"


def squash(text: str) -> str:
    """Return NFC text without spaces, for matching names however they are spaced."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    name: str
    kind: str
    parent: str | None
    part_of: tuple[str, ...]
    aliases: tuple[str, ...]
    lat: float | None = None
    lon: float | None = None
    # Stable ASCII name (OAI-PMH setSpecs, offline copy): kept when the Korean name changes.
    key: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """Return the name and every alias."""
        return (self.name, *self.aliases)


@dataclass
class Gazetteer:
    """All places, with lookups by any name and ancestor/descendant walks."""

    places: dict[str, Place]
    _by_name: dict[str, str] = field(default_factory=dict)
    _ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for place in self.places.values():
            for name in place.names:
                self._by_name.setdefault(squash(name), place.name)
        for place in self.places.values():
            for link in (place.parent, *place.part_of):
                if link and link not in self.places:
                    raise ConfigError(
                        f"지명 '{place.name}'이(가) 사전에 없는 '{link}'을(를) 가리킵니다 / "
                        f"gazetteer: {place.name} refers to unknown place {link}"
                    )

    def lookup(self, name: str) -> Place | None:
        """Return the entry for a name or alias, however it is spaced."""
        canonical = self._by_name.get(squash(name))
        return self.places[canonical] if canonical else None

    def ancestors(self, name: str) -> list[str]:
        """Return the place and everything it lies in, nearest first (no repeats)."""
        cached = self._ancestors.get(name)
        if cached is None:
            cached = self._ancestors[name] = self._walk_up(name)
        return list(cached)

    def _walk_up(self, name: str) -> tuple[str, ...]:
        seen: list[str] = []
        queue = [name]
        while queue:
            current = queue.pop(0)
            if current in seen or current not in self.places:
                continue
            seen.append(current)
            place = self.places[current]
            queue.extend(p for p in (place.parent, *place.part_of) if p)
        return tuple(seen)

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        names = sorted(self._by_name, key=len, reverse=True)
        return re.compile("|".join(re.escape(n) for n in names if len(n) >= 2))

    def find_in(self, text: str) -> list[tuple[Place, str]]:
        """Return the places named in text (longest names first) with the text matched."""
        squashed = squash(text)
        found: list[tuple[Place, str]] = []
        for match in self._pattern.finditer(squashed):
            place = self.places[self._by_name[match.group(0)]]
            if place not in [f[0] for f in found]:
                found.append((place, match.group(0)))
        return found

    def key_path(self, name: str) -> tuple[str, ...]:
        """Return the keys from the top of the hierarchy down to a place, through today's
        parents; the city the archive covers is the top itself and is left out (영산포:
        yeongsan-dong, yeongsanpo). Empty for the city and for unknown names."""
        chain: list[Place] = []
        current = self.places.get(name)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.places.get(current.parent) if current.parent else None
        if chain and chain[-1].parent is None and chain[-1].kind == CITY_KIND:
            chain.pop()
        return tuple(place.key for place in reversed(chain))

    def all_names(self) -> list[str]:
        """Return every name and alias without spaces (for the morphological analyser)."""
        return sorted(self._by_name)


def gazetteer_for(settings: Settings) -> Gazetteer:
    """Return the gazetteer the settings name (the bundled one by default)."""
    return load_gazetteer(Path(settings.gazetteer) if settings.gazetteer else None)


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Read the gazetteer CSV file (UTF-8 or CP949).

    :raises ConfigError: when a row is malformed or refers to an unknown place.
    """
    path = path or DEFAULT_PATH
    return parse_gazetteer(path.read_bytes(), path.name)


def parse_gazetteer(data: bytes, name: str = "gazetteer.csv") -> Gazetteer:
    """Read gazetteer CSV bytes (UTF-8 or CP949).

    :raises ConfigError: when a row is malformed or refers to an unknown place.
    """
    try:
        rows = csv.DictReader(io.StringIO(decode_text_file(data)))
    except ArchiveError as exc:
        raise ConfigError(f"{name}: {exc}") from exc
    places: dict[str, Place] = {}
    keys: set[str] = set()
    for line, row in enumerate(rows, start=2):
        name = unicodedata.normalize("NFC", (row.get("name") or "").strip())
        if not name:
            raise ConfigError(f"{line}번째 줄: 지명(name)이 없습니다 / line {line}: empty name")
        if name in places:
            raise ConfigError(
                f"{line}번째 줄: '{name}'이(가) 두 번 있습니다 / line {line}: listed twice"
            )
        try:
            lat = float(row["lat"]) if row.get("lat") else None
            lon = float(row["lon"]) if row.get("lon") else None
        except ValueError as exc:
            raise ConfigError(
                f"{line}번째 줄: 위도·경도는 숫자로 적어 주세요 / line {line}: bad coordinates"
            ) from exc
        places[name] = Place(
            name=name,
            kind=(row.get("kind") or "").strip(),
            parent=(row.get("parent") or "").strip() or None,
            part_of=tuple(p.strip() for p in (row.get("part_of") or "").split("|") if p.strip()),
            aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
            lat=lat,
            lon=lon,
            key=_key(row, line, name, keys),
        )
    return Gazetteer(places)


def _key(row: dict[str, str], line: int, name: str, taken: set[str]) -> str:
    """Return the row's key as written (checked), or one romanized from the name."""
    written = (row.get("key") or "").strip().lower()
    if written and not KEY_PATTERN.fullmatch(written):
        raise ConfigError(
            f"{line}번째 줄: 영문 키는 영어 소문자·숫자와 하이픈(-)으로 적어 주세요 "
            f"(예: yeongsan-dong) / line {line}: key must be lower-case letters, digits and "
            "hyphens"
        )
    if written in taken:
        raise ConfigError(
            f"{line}번째 줄: 영문 키 '{written}'을(를) 다른 지명이 이미 씁니다 / "
            f"line {line}: key {written} is used twice"
        )
    key = written or place_key(name, (row.get("kind") or "").strip())
    stem, n = key, 2
    while key in taken:  # a generated key that another place already has
        key, n = f"{stem}-{n}", n + 1
    taken.add(key)
    return key
