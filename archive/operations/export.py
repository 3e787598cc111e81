"""Export published records as a BagIt bag for the city's records office.

Each record becomes a folder named by its public id with its preserved files (master,
back side, alternates) and a metadata.json; records.csv lists them all with Dublin Core
columns. Contributors' names and contacts are never part of an export.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bagit
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.errors import ArchiveError
from archive.fields import FIELDS, Field
from archive.formats import FORMAT_EXTENSIONS
from archive.models import Photo, PhotoFile
from archive.statuses import ORIGINAL_ROLES, FileRole, RecordStatus, Source
from archive.storage import Storages

CHUNK = 1024 * 1024
# Dublin Core columns from the field registry (the identifier first, as catalogues
# expect), then the archive's own.
DC_FIELDS = tuple(
    sorted((f for f in FIELDS if f.dc and f.public), key=lambda f: f.name != "identifier")
)
CSV_COLUMNS = (
    *(f"dc:{field.dc}" for field in DC_FIELDS),
    "dc:source",
    "archive:id",
    "archive:date_text",
    "archive:published_at",
    *(f"archive:{field.name}" for field in FIELDS if field.public and not field.dc),
)


class ExportError(ArchiveError):
    """An export cannot be written (destination in use, or a file does not match)."""


def published_photos(session: Session) -> Iterator[Photo]:
    """Yield published records with their files, oldest first."""
    yield from session.scalars(
        select(Photo)
        .options(selectinload(Photo.files))
        .where(Photo.status == RecordStatus.PUBLISHED)
        .order_by(Photo.id)
    )


def export_bag(
    session: Session,
    storages: Storages,
    destination: Path,
    *,
    organisation: str,
    on_record: Callable[[Photo], None] = lambda _photo: None,
) -> bagit.Bag:
    """Write every published record into a new BagIt bag at destination and return it.

    :raises ExportError: when destination is not empty or a stored file fails its hash.
    """
    if destination.exists() and any(destination.iterdir()):
        raise ExportError(f"{destination} is not empty; give a new folder")
    destination.mkdir(parents=True, exist_ok=True)
    try:
        rows = []
        for photo in published_photos(session):
            rows.append(_write_record(storages, destination / photo.public_id, photo))
            on_record(photo)
        _write_csv(destination / "records.csv", rows)
        info = {
            "Source-Organization": organisation,
            "External-Description": f"나주 옛 사진 아카이브: 공개 기록 {len(rows)}건",
            "Bagging-Date": datetime.now(UTC).date().isoformat(),
        }
        return bagit.make_bag(str(destination), bag_info=info, checksums=["sha256", "sha512"])
    except BaseException:
        shutil.rmtree(destination, ignore_errors=True)  # no half-written bag is left behind
        raise


def _write_record(storages: Storages, folder: Path, photo: Photo) -> dict[str, str]:
    folder.mkdir()
    files = []
    alternates = 0
    for stored in [f for f in photo.files if f.role in ORIGINAL_ROLES]:
        name = stored.role
        if stored.role == FileRole.ALTERNATE:
            alternates += 1
            name = f"alternate-{alternates}"
        name = f"{name}.{FORMAT_EXTENSIONS.get(stored.format or '', 'bin')}"
        _copy_verified(storages, stored, folder / name)
        files.append(_file_entry(stored, name, photo.source))
    metadata = record_metadata(photo, files)
    (folder / "metadata.json").write_text(
        json.dumps(metadata, ensure_ascii=False, indent=2), "utf-8"
    )
    return _csv_row(photo)


def _copy_verified(storages: Storages, stored: PhotoFile, target: Path) -> None:
    digest = hashlib.sha256()
    with storages.of(stored.backend).open(stored.key) as source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != stored.sha256:
        raise ExportError(f"{stored.key} does not match its recorded SHA-256 (run archive fixity)")


def _file_entry(stored: PhotoFile, name: str, source: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "file": name,
        "role": stored.role,
        "sha256": stored.sha256,
        "size": stored.size,
        "format": stored.format,
        "width": stored.width,
        "height": stored.height,
    }
    if source == Source.SCAN:  # a citizen's own file name may carry personal details
        entry["original_name"] = stored.original_name
    return entry


def record_metadata(photo: Photo, files: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the descriptive record of an export: every public field of the registry
    (no personal data of contributors), with the date and place as read."""
    record: dict[str, Any] = {"id": photo.public_id}
    for field in FIELDS:
        if field.public:
            value = getattr(photo, field.column)
            record[field.name] = list(value or []) if field.kind == "tags" else value
    record["date"] = {
        "text": photo.date_text,
        "start": photo.date_start,
        "end": photo.date_end,
        "precision": photo.date_precision,
        "edtf": photo.date_edtf,
    }
    record["place"] = {"text": photo.place_text, "gazetteer": list(photo.places or [])}
    record["source"] = photo.source
    record["published_at"] = photo.published_at.isoformat() if photo.published_at else None
    record["files"] = files
    return record


def _dc_value(photo: Photo, field: Field) -> str:
    """Return a field as its Dublin Core element holds it."""
    if field.name == "date":
        return photo.date_edtf or ""
    if field.name == "place":
        return "; ".join(photo.places or []) or photo.place_text
    value = getattr(photo, field.column)
    return "; ".join(value or []) if field.kind == "tags" else value or ""


def _csv_row(photo: Photo) -> dict[str, str]:
    values = [
        *(_dc_value(photo, field) for field in DC_FIELDS),
        "시민 기증" if photo.source == Source.CONTRIBUTION else "스캔",
        photo.public_id,
        photo.date_text,
        photo.published_at.isoformat() if photo.published_at else "",
        *(_dc_value(photo, f) for f in FIELDS if f.public and not f.dc),
    ]
    return dict(zip(CSV_COLUMNS, values, strict=True))


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Korean Excel
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
