"""Contributed photos: decode them in the decoder processes, then keep them as records.

Uploads are hostile until proven otherwise: they are decoded in the same isolated
processes as scans (time limit, memory cap, bounded concurrency), never in the web
process, and a contribution is stored whole or not at all.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from archive.errors import IngestError
from archive.fields import clean_fields
from archive.formats import extension_for
from archive.imaging.analyse import clear_leftovers
from archive.imaging.pool import DecoderPool, Outcome
from archive.models import Contribution, Photo
from archive.records import photos as photo_service
from archive.records.contributions import Contributor, create_contribution, credit_for
from archive.records.events import record_event
from archive.records.notices import schedule_digest
from archive.records.originals import Collaborators, RecordContext, store_original
from archive.statuses import FileRole, Source
from archive.storage import upload_key

log = logging.getLogger(__name__)
ACTOR = "contribution-form"
# What a contributor is told, by the reason code the decoder gives.
CITIZEN_REASONS = {
    "empty": "빈 파일입니다. 사진을 다시 골라 주세요.",
    "too_large": "사진이 너무 큽니다(화소 수나 색 깊이). 크기를 줄여 다시 보내 주세요.",
    "not_an_image": "사진 파일이 아닙니다. JPEG, PNG, HEIC 같은 사진 파일을 골라 주세요.",
    "unsupported_format": "받을 수 없는 파일 형식입니다. JPEG, PNG, HEIC 사진으로 보내 주세요.",
    "undecodable": "사진을 읽을 수 없습니다. 파일이 손상되었거나 일부만 올라간 것 같습니다.",
    "timeout": "사진을 읽는 데 너무 오래 걸립니다. 파일이 손상되었을 수 있습니다.",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The fields a contributor fills in; rights and credit come from the contribution.
CONTRIBUTED = ("title", "description", "date", "place", "people")


@dataclass(frozen=True)
class Upload:
    """One received photo: its saved temp file, what the contributor wrote, its name."""

    path: Path
    fields: dict[str, Any]
    original_name: str


def citizen_reason(error: IngestError) -> str:
    """Return the plain Korean reason shown on the form for a refused photo."""
    return CITIZEN_REASONS.get(error.code, CITIZEN_REASONS["undecodable"])


def clean_filename(name: str | None) -> str:
    """Return a browser-sent file name safe to keep as text (never used as a path)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    return _CONTROL.sub("", name).strip()[:200] or "photo"


def clean_upload_temp(directory: Path, older_than: float = 3600.0) -> int:
    """Remove upload temp files and tile pyramids left by a killed web process or decoder;
    return how many."""
    cutoff = time.time() - older_than
    removed = 0
    for leftover in directory.glob("upload-*.part") if directory.is_dir() else ():
        if leftover.stat().st_mtime <= cutoff:
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed + clear_leftovers(directory, older_than)


@contextlib.contextmanager
def analysed_uploads(
    pool: DecoderPool, paths: list[Path], wait_seconds: float
) -> Iterator[list[Outcome]]:
    """Decode every photo of one contribution in one decoder process, in order; yield the
    outcomes, then remove their temporary tile pyramids (stored or not).

    :raises DecoderBusy: when no decoder process is free within wait_seconds.
    """
    with pool.reserve(wait_seconds) as decoder:
        outcomes = [decoder.analyse(path) for path in paths]
    try:
        yield outcomes
    finally:
        for outcome in outcomes:
            if not isinstance(outcome, IngestError):
                outcome.discard()


def receive_contribution(
    session: Session,
    runtime: Collaborators,
    contributor: Contributor,
    uploads: list[tuple[Upload, Any]],
) -> str:
    """Record a contribution and a pending record per analysed photo; return the secret.

    The caller's unit of work commits. :param uploads: each upload with its Analysis
    (every photo was decoded already).
    """
    ctx = RecordContext.of(session, runtime)
    contribution, token = create_contribution(ctx.session, contributor)
    schedule_digest(session, ctx.settings, contribution.created_at)
    for upload, analysis in uploads:
        store_upload(ctx, contribution, upload, analysis)
    log.info("contribution %s received: %d photos", contribution.receipt, len(uploads))
    return token


def store_upload(
    ctx: RecordContext, contribution: Contribution, upload: Upload, analysis: Any
) -> Photo:
    """Create a pending record for one contributed photo and store its files."""
    written, _ = clean_fields(upload.fields, truncate=True, names=CONTRIBUTED)
    fields = {**written, "rights": contribution.rights, "credit": credit_for(contribution)}
    photo = photo_service.create_photo(
        ctx.session, fields, source=Source.CONTRIBUTION, gazetteer=ctx.gazetteer
    )
    photo.contribution = contribution
    key = upload_key(analysis.sha256, extension_for(analysis.format))
    stored = store_original(
        ctx,
        photo,
        upload.path,
        analysis,
        key,
        role=FileRole.MASTER,
        original_name=clean_filename(upload.original_name),
    )
    photo.phash = analysis.phash
    near = photo_service.flag_near_duplicates(
        ctx.session, photo, ctx.settings.near_duplicate_distance
    )
    record_event(
        ctx.session,
        "contributed",
        actor=ACTOR,
        photo=photo,
        detail={
            "receipt": contribution.receipt,
            "sha256": stored.sha256,
            "near_duplicates": [other.public_id for other, _ in near],
        },
    )
    return photo
