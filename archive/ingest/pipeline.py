"""Turn an analysed file into stored objects and database rows (no Flask, no moving)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archive.fields import clean_fields, merge_descriptive
from archive.formats import extension_for
from archive.imaging.analyse import Analysis
from archive.ingest.files import DropFile
from archive.models import Photo, PhotoFile
from archive.records import photos as photo_service
from archive.records.events import record_event
from archive.records.originals import RecordContext, store_original
from archive.records.publication import fill_public, publish_files
from archive.statuses import FileRole, RecordStatus, Source
from archive.storage import master_key

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


def ingest_analysis(
    ctx: RecordContext, drop: DropFile, analysis: Analysis, fields: dict[str, Any]
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


def _already_known(ctx: RecordContext, drop: DropFile, existing: PhotoFile) -> IngestResult:
    photo = existing.photo
    if existing.source_path == drop.rel:
        outcome = "ingested" if existing.role == FileRole.MASTER else "attached"
        return IngestResult(drop.rel, outcome, photo.public_id, resumed=True)
    korean, english = _origin_of(existing)
    record_event(
        ctx.session,
        "duplicate",
        actor=ACTOR,
        photo=photo,
        source_path=drop.rel,
        message=f"same SHA-256 as {english}",
    )
    return IngestResult(
        drop.rel,
        "duplicate",
        photo.public_id,
        reason=f"identical to {english} (record {photo.public_id})",
        korean=f"이미 등록된 파일과 똑같습니다({korean}, 기록 {photo.public_id}).",
    )


def _origin_of(existing: PhotoFile) -> tuple[str, str]:
    """Say where a stored file came from (Korean, English): the scan's path in the drop
    folder, or what else brought it (a contributed photo has no path)."""
    if existing.source_path:
        return existing.source_path, existing.source_path
    if existing.photo.source == Source.CONTRIBUTION:
        return "시민이 보낸 사진", "a photo a citizen sent"
    return "보관 중인 파일", "a stored file"


def _create(
    ctx: RecordContext, drop: DropFile, analysis: Analysis, fields: dict[str, Any]
) -> IngestResult:
    embedded, shortened = clean_fields(analysis.embedded, truncate=True)
    warnings = [
        f"파일에 적힌 {f.label_ko}이(가) {f.max_length:,}자를 넘어 잘랐습니다 / "
        f"the embedded {f.name} was cut to {f.max_length:,} characters"
        for f in shortened
    ]
    fields = merge_descriptive(fields, embedded)
    identifier = fields.get("identifier")
    if identifier and photo_service.identifier_taken(ctx.session, identifier):
        warnings.append(
            f"관리번호 {identifier}은(는) 이미 다른 기록에 있어 비워 두었습니다 / "
            f"identifier {identifier} is already used; left empty"
        )
        fields = {**fields, "identifier": None}
    photo = photo_service.create_photo(
        ctx.session, fields, source=Source.SCAN, gazetteer=ctx.gazetteer
    )
    master = _store_original(ctx, photo, drop, analysis, FileRole.MASTER)
    photo.phash = analysis.phash
    if photo.status == RecordStatus.PUBLISHED:
        publish_files(ctx.session, ctx.storages, photo)
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


def _attach(ctx: RecordContext, drop: DropFile, analysis: Analysis, photo: Photo) -> IngestResult:
    stored = _store_original(ctx, photo, drop, analysis, drop.kind)
    if photo.status == RecordStatus.PUBLISHED:
        ctx.session.refresh(photo, ["files"])
        fill_public(ctx.session, ctx.storages, photo)
        photo_service.queue_reindex(ctx.session, photo)
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
    ctx: RecordContext, photo: Photo, drop: DropFile, analysis: Analysis, role: str
) -> PhotoFile:
    key = master_key(analysis.sha256, extension_for(analysis.format))
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
