"""Turn an analysed file into stored objects and database rows (no Flask, no moving)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import piexif
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.ingest.analyse import Analysis
from archive.ingest.files import DropFile
from archive.ingest.sidecar import merge_descriptive, normalise_fields
from archive.models import Photo, PhotoFile
from archive.search.gazetteer import Gazetteer
from archive.services import photos as photo_service
from archive.services.events import record_event
from archive.services.renditions import derivative_exif
from archive.storage import Storage, derivative_key, master_key

FORMAT_EXTENSIONS = {
    "JPEG": "jpg",
    "MPO": "jpg",
    "TIFF": "tif",
    "PNG": "png",
    "WEBP": "webp",
    "BMP": "bmp",
    "GIF": "gif",
    "HEIF": "heic",
    "AVIF": "avif",
    "JPEG2000": "jp2",
}
ACTOR = "ingest-worker"


@dataclass
class IngestResult:
    """What happened to one dropped file."""

    file: str
    outcome: str
    id: str | None = None
    reason: str | None = None
    korean: str | None = None
    advice: str | None = None
    warnings: list[str] = field(default_factory=list)
    resumed: bool = False

    def as_json(self) -> dict[str, Any]:
        """Return the --json line for this file."""
        data: dict[str, Any] = {"file": self.file, "outcome": self.outcome, "id": self.id}
        if self.reason:
            data["reason"] = self.reason
            data["reason_ko"] = self.korean
        if self.warnings:
            data["warnings"] = self.warnings
        if self.resumed:
            data["resumed"] = True
        return data


@dataclass
class IngestContext:
    """The collaborators the pipeline writes through."""

    session: Session
    storage: Storage
    settings: Settings
    gazetteer: Gazetteer


def ingest_analysis(
    ctx: IngestContext, drop: DropFile, analysis: Analysis, fields: dict[str, Any]
) -> IngestResult:
    """Record an analysed file: a new record, an attachment, or a duplicate."""
    existing = photo_service.find_original_by_sha(ctx.session, analysis.sha256)
    if existing is not None:
        return _already_known(ctx, drop, existing)
    if drop.kind != "primary":
        master = photo_service.find_master_by_stem(ctx.session, drop.stem)
        if master is not None:
            return _attach(ctx, drop, analysis, master.photo)
        result = _create(ctx, drop, analysis, fields)
        result.warnings.append(
            "앞면 파일을 찾지 못해 별도 기록으로 등록했습니다 / "
            "no front image with this name was found, so it became its own record"
        )
        return result
    return _create(ctx, drop, analysis, fields)


def _already_known(ctx: IngestContext, drop: DropFile, existing: PhotoFile) -> IngestResult:
    photo = existing.photo
    if existing.source_path == drop.rel:
        outcome = "ingested" if existing.role == "master" else "attached"
        return IngestResult(drop.rel, outcome, photo.public_id, resumed=True)
    record_event(
        ctx.session,
        "duplicate",
        actor=ACTOR,
        photo=photo,
        source_path=drop.rel,
        message=f"same SHA-256 as {existing.source_path}",
    )
    return IngestResult(
        drop.rel,
        "duplicate",
        photo.public_id,
        reason=f"identical to {existing.source_path or existing.key} (record {photo.public_id})",
        korean=f"이미 등록된 파일과 똑같습니다({existing.source_path}, 기록 {photo.public_id}).",
    )


def _create(
    ctx: IngestContext, drop: DropFile, analysis: Analysis, fields: dict[str, Any]
) -> IngestResult:
    warnings: list[str] = []
    fields = merge_descriptive(fields, normalise_fields(analysis.embedded))
    identifier = fields.get("identifier")
    if identifier and photo_service.identifier_taken(ctx.session, identifier):
        warnings.append(
            f"관리번호 {identifier}은(는) 이미 다른 기록에 있어 비워 두었습니다 / "
            f"identifier {identifier} is already used; left empty"
        )
        fields = {**fields, "identifier": None}
    photo = photo_service.create_photo(ctx.session, fields, source="scan", gazetteer=ctx.gazetteer)
    master = _store_original(ctx, photo, drop, analysis, "master")
    photo.phash = analysis.phash
    near = photo_service.flag_near_duplicates(
        ctx.session, photo, ctx.settings.near_duplicate_distance
    )
    for other, distance in near:
        warnings.append(
            f"비슷한 사진이 있습니다 / looks like record {other.public_id} (distance {distance})"
        )
    record_event(
        ctx.session,
        "ingested",
        actor=ACTOR,
        photo=photo,
        source_path=drop.rel,
        detail={
            "sha256": master.sha256,
            "near_duplicates": [o.public_id for o, _ in near],
            "warnings": warnings,
        },
    )
    return IngestResult(drop.rel, "ingested", photo.public_id, warnings=warnings)


def _attach(ctx: IngestContext, drop: DropFile, analysis: Analysis, photo: Photo) -> IngestResult:
    stored = _store_original(ctx, photo, drop, analysis, drop.kind)
    record_event(
        ctx.session,
        "attached",
        actor=ACTOR,
        photo=photo,
        source_path=drop.rel,
        detail={"role": drop.kind, "sha256": stored.sha256},
    )
    return IngestResult(drop.rel, "attached", photo.public_id)


def _store_original(
    ctx: IngestContext, photo: Photo, drop: DropFile, analysis: Analysis, role: str
) -> PhotoFile:
    key = master_key(analysis.sha256, FORMAT_EXTENSIONS.get(analysis.format, "bin"))
    return store_original(
        ctx,
        photo,
        drop.path,
        analysis,
        key,
        role=role,
        original_name=drop.rel.rsplit("/", 1)[-1],
        source_path=drop.rel,
        source_stem=drop.stem,
    )


def store_original(
    ctx: IngestContext,
    photo: Photo,
    source: Path,
    analysis: Analysis,
    key: str,
    **columns: Any,
) -> PhotoFile:
    """Store an original under key (verified), record it with its technical metadata and
    derivatives, and return its row; columns are role, original_name and source paths."""
    stored = ctx.storage.put_file(key, source, analysis.sha256)
    original = photo_service.add_file(
        ctx.session,
        photo,
        backend=stored.backend,
        key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        width=analysis.width,
        height=analysis.height,
        format=analysis.format,
        **columns,
    )
    photo_service.add_technical(ctx.session, original, analysis.technical)
    store_renditions(ctx, photo, original, analysis)
    return original


def store_renditions(
    ctx: IngestContext, photo: Photo, original: PhotoFile, analysis: Analysis
) -> None:
    """Store the public derivatives of an original with a small rights EXIF."""
    exif = derivative_exif(photo, ctx.settings.default_rights, ctx.settings.default_credit)
    for rendition in analysis.renditions:
        out = io.BytesIO()
        piexif.insert(exif, rendition.data, out)
        data = out.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        stored = ctx.storage.put_bytes(derivative_key(digest, rendition.variant), data)
        photo_service.add_file(
            ctx.session,
            photo,
            role="derivative",
            variant=rendition.variant,
            page=rendition.page,
            derived_from_id=original.id,
            backend=stored.backend,
            key=stored.key,
            sha256=stored.sha256,
            size=stored.size,
            width=rendition.width,
            height=rendition.height,
            format="JPEG",
        )
