"""Contributed photos: decode them for real, then keep the original privately as a master."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from archive.config import Settings
from archive.errors import IngestError
from archive.ingest.analyse import AnalyseOptions, Analysis, analyse_file
from archive.ingest.pipeline import FORMAT_EXTENSIONS, IngestContext, store_original
from archive.models import Contribution, Photo
from archive.services import photos as photo_service
from archive.services.contributions import credit_for
from archive.services.events import record_event
from archive.storage import upload_key

ACTOR = "contribution-form"
# What a contributor is told, by the reason code the decoder gives.
CITIZEN_REASONS = {
    "empty": "빈 파일입니다. 사진을 다시 골라 주세요.",
    "too_large": "사진의 화소 수가 너무 많습니다. 크기를 줄여 다시 보내 주세요.",
    "not_an_image": "사진 파일이 아닙니다. JPEG, PNG, HEIC 같은 사진 파일을 골라 주세요.",
    "unsupported_format": "받을 수 없는 파일 형식입니다. JPEG, PNG, HEIC 사진으로 보내 주세요.",
    "undecodable": "사진을 읽을 수 없습니다. 파일이 손상되었거나 일부만 올라간 것 같습니다.",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def citizen_reason(error: IngestError) -> str:
    """Return the plain Korean reason shown on the form for a refused photo."""
    return CITIZEN_REASONS.get(error.code, CITIZEN_REASONS["undecodable"])


def clean_filename(name: str | None) -> str:
    """Return a browser-sent file name safe to keep as text (never used as a path)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    return _CONTROL.sub("", name).strip()[:200] or "photo"


def analyse_upload(path: Path, settings: Settings) -> Analysis:
    """Decode an uploaded file for real and render its derivatives.

    :raises IngestError: when it is not an image the archive can keep.
    """
    options = AnalyseOptions(
        max_pixels=settings.max_pixels,
        thumb_size=settings.thumb_size,
        web_size=settings.web_size,
        max_pages=1,
    )
    return analyse_file(path, options)


def store_upload(
    ctx: IngestContext,
    contribution: Contribution,
    upload: Path,
    analysis: Analysis,
    fields: dict[str, Any],
    original_name: str,
) -> Photo:
    """Create a pending record for one contributed photo and store its files."""
    fields = {**fields, "rights": contribution.rights, "credit": credit_for(contribution)}
    photo = photo_service.create_photo(
        ctx.session, fields, source="contribution", gazetteer=ctx.gazetteer
    )
    photo.contribution = contribution
    key = upload_key(analysis.sha256, FORMAT_EXTENSIONS.get(analysis.format, "bin"))
    stored = store_original(
        ctx,
        photo,
        upload,
        analysis,
        key,
        role="master",
        original_name=clean_filename(original_name),
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
