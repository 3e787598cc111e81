"""What an offline copy holds: the published records a selection names, with the public
files each brings (web image, thumbnail, zoom tiles; masters only for the records office).

Only published records and public fields are taken; drafts, contacts, notes and
withdrawn records never are. Files are the public copies (which carry nothing but the
archive's own small EXIF), except masters, which are the originals as scanned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.errors import ArchiveError
from archive.formats import FORMAT_EXTENSIONS
from archive.models import Exhibition, Photo, PhotoFile
from archive.places.gazetteer import Gazetteer
from archive.records.images import TILES
from archive.renditions import RENDITIONS
from archive.statuses import ExhibitionStatus, FileRole, RecordStatus


class SelectionError(ArchiveError):
    """An --era, --place or --exhibition that names nothing (said in Korean and English)."""


@dataclass(frozen=True)
class Selection:
    """Which records to copy: any of the eras, any of the places (with what lies in
    them), any of the exhibitions; nothing given takes every published record."""

    eras: tuple[tuple[int, int], ...] = ()
    places: frozenset[str] = frozenset()
    exhibitions: tuple[str, ...] = ()
    zoom: bool = False
    masters: bool = False


@dataclass(frozen=True)
class FileCopy:
    """One stored file (or tile tree) to copy, and its path in the copy."""

    backend: str
    key: str
    target: str  # relative path in the copy (a folder for a tree)
    size: int
    tree: bool = False


@dataclass
class Record:
    """A published record as the copy shows it, with its files."""

    photo: Photo
    image: FileCopy | None = None
    thumb: FileCopy | None = None
    zoom: FileCopy | None = None
    zoom_size: tuple[int, int] = (0, 0)
    image_size: tuple[int, int] = (0, 0)
    master: FileCopy | None = None
    exhibitions: list[str] = field(default_factory=list)  # slugs

    @property
    def files(self) -> list[FileCopy]:
        """Return the record's files to copy."""
        return [f for f in (self.image, self.thumb, self.zoom, self.master) if f is not None]


@dataclass
class Shown:
    """A published exhibition in the copy: its records in order, with captions."""

    exhibition: Exhibition
    items: list[tuple[str, str]]  # (public id, caption)


def parse_era(text: str) -> tuple[int, int]:
    """Return the years of "1970s", "1970" or "1960-1979".

    :raises SelectionError: for anything else.
    """
    value = text.strip().lower()
    try:
        if value.endswith("s") and len(value) == 5:
            start = int(value[:4])
            return start, start + 9
        if "-" in value:
            first, last = (int(part) for part in value.split("-", 1))
            return first, last
        return int(value), int(value)
    except ValueError as exc:
        raise SelectionError(
            f"시대는 1970s, 1975, 1960-1979처럼 적어 주세요 / era must look like 1970s, 1975 "
            f"or 1960-1979: {text!r}"
        ) from exc


def places_within(gazetteer: Gazetteer, names: Iterable[str]) -> frozenset[str]:
    """Return the places named and every place inside them (canonical names).

    :raises SelectionError: for a name the gazetteer does not know.
    """
    found: set[str] = set()
    for name in names:
        place = gazetteer.lookup(name)
        if place is None:
            raise SelectionError(f"지명 사전에 없는 곳입니다 / unknown place: {name}")
        found.update(n for n in gazetteer.places if place.name in gazetteer.ancestors(n))
    return frozenset(found)


def _in_eras(start: int | None, end: int | None, eras: tuple[tuple[int, int], ...]) -> bool:
    if start is None or end is None:
        return False
    return any(start <= last and end >= first for first, last in eras)


def _wanted(photo: Photo, selection: Selection, shown: set[int]) -> bool:
    if not (selection.eras or selection.places or selection.exhibitions):
        return True
    if _in_eras(photo.date_start, photo.date_end, selection.eras):
        return True
    return bool(selection.places & set(photo.places or [])) or photo.id in shown


def collect(session: Session, selection: Selection) -> tuple[list[Record], list[Shown]]:
    """Return the selected published records (oldest date first) and the published
    exhibitions among them.

    :raises SelectionError: for an exhibition slug that is not published.
    """
    exhibitions = list(
        session.scalars(
            select(Exhibition)
            .where(Exhibition.status == ExhibitionStatus.PUBLISHED)
            .options(selectinload(Exhibition.items))
            .order_by(Exhibition.published_at.desc(), Exhibition.id)
        )
    )
    slugs = {e.slug for e in exhibitions}
    for slug in selection.exhibitions:
        if slug not in slugs:
            raise SelectionError(f"공개된 전시가 아닙니다 / no published exhibition: {slug}")
    chosen = [
        e for e in exhibitions if not selection.exhibitions or e.slug in selection.exhibitions
    ]
    in_chosen = {item.photo_id for e in chosen for item in e.items}
    photos = session.scalars(
        select(Photo)
        .where(Photo.status == RecordStatus.PUBLISHED)
        .options(selectinload(Photo.files))
        .order_by(Photo.date_start.is_(None), Photo.date_start, Photo.id)
    )
    records = [
        _record(photo, selection)
        for photo in photos
        if _wanted(photo, selection, in_chosen if selection.exhibitions else set())
    ]
    return records, _shown(chosen, {r.photo.id: r for r in records})


def _shown(exhibitions: list[Exhibition], kept: dict[int, Record]) -> list[Shown]:
    """Return the exhibitions with their copied records in order (and note each record's)."""
    shown = []
    for exhibition in exhibitions:
        items = [
            i for i in sorted(exhibition.items, key=lambda i: i.position) if i.photo_id in kept
        ]
        for item in items:
            kept[item.photo_id].exhibitions.append(exhibition.slug)
        if items:
            members = [(kept[i.photo_id].photo.public_id, i.caption) for i in items]
            shown.append(Shown(exhibition, members))
    return shown


# What the offline copy takes of each kind declared in archive/renditions.py.
OFFLINE_ROLES = {spec.name: spec.offline for spec in RENDITIONS if spec.offline}
_ORDER = {spec.name: number for number, spec in enumerate(RENDITIONS)}


def _earlier(row: PhotoFile, than: PhotoFile) -> bool:
    return _ORDER[row.variant or ""] < _ORDER[than.variant or ""]


def _record(photo: Photo, selection: Selection) -> Record:
    record = Record(photo)
    master = photo.master()
    public_id = photo.public_id
    chosen: dict[str, PhotoFile] = {}  # role → the first declared kind this record has
    for row in photo.files:
        if row.role != FileRole.DERIVATIVE or row.page != 0 or not row.public_key:
            continue
        if master is None or row.derived_from_id != master.id:
            continue
        role = OFFLINE_ROLES.get(row.variant or "")
        if role and (role not in chosen or _earlier(row, chosen[role])):
            chosen[role] = row
        elif row.variant == TILES and selection.zoom:
            record.zoom = FileCopy(row.backend, row.public_key, f"zoom/{public_id}", row.size, True)
            record.zoom_size = (row.width or 0, row.height or 0)
    if image := chosen.get("image"):
        record.image = FileCopy(
            image.backend, image.public_key or "", f"images/{public_id}.jpg", image.size
        )
        record.image_size = (image.width or 0, image.height or 0)
    if thumb := chosen.get("thumb"):
        record.thumb = FileCopy(
            thumb.backend, thumb.public_key or "", f"thumbs/{public_id}.jpg", thumb.size
        )
    if selection.masters and master is not None:
        extension = "." + FORMAT_EXTENSIONS.get(master.format or "", "bin")
        record.master = FileCopy(
            master.backend, master.key, f"masters/{public_id}{extension}", master.size
        )
    return record
