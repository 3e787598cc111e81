"""Store an analysed original (a scan or a contributed photo) with its derivatives.

The ingest pipeline and the contribution service both write through here, so a file
becomes a master, technical metadata and private derivatives the same way wherever it
came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from archive.config import Settings
from archive.imaging.analyse import Analysis
from archive.models import Photo, PhotoFile
from archive.places.gazetteer import Gazetteer
from archive.records import photos as photo_service
from archive.records.renditions import derivative_exif, rendition_format, store_derivative
from archive.statuses import FileRole
from archive.storage import Storage, Storages, StoredObject


class Collaborators(Protocol):
    """What a runtime lends the services that write records (duck-typed, no import)."""

    storages: Storages
    settings: Settings

    @property
    def gazetteer(self) -> Gazetteer: ...


@dataclass
class RecordContext:
    """The collaborators a new record is written through."""

    session: Session
    storages: Storages
    settings: Settings
    gazetteer: Gazetteer

    @classmethod
    def of(cls, session: Session, runtime: Collaborators) -> RecordContext:
        """Return the context of one unit of work over a runtime's collaborators."""
        return cls(session, runtime.storages, runtime.settings, runtime.gazetteer)

    @property
    def storage(self) -> Storage:
        """Return the backend new files are written to."""
        return self.storages.default


def store_original(
    ctx: RecordContext,
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
        **_where(stored),
        width=analysis.width,
        height=analysis.height,
        format=analysis.format,
        **columns,
    )
    photo_service.add_technical(ctx.session, original, analysis.technical)
    store_renditions(ctx, photo, original, analysis)
    return original


def store_renditions(
    ctx: RecordContext, photo: Photo, original: PhotoFile, analysis: Analysis
) -> None:
    """Store the derivatives of an original (privately) with a small rights EXIF."""
    exif = derivative_exif(photo, ctx.settings.default_rights, ctx.settings.default_credit)
    for rendition in analysis.renditions:
        stored = store_derivative(ctx.storage, rendition, exif)
        photo_service.add_file(
            ctx.session,
            photo,
            role=FileRole.DERIVATIVE,
            variant=rendition.variant,
            page=rendition.page,
            derived_from_id=original.id,
            spec=rendition.spec or None,
            **_where(stored),
            width=rendition.width,
            height=rendition.height,
            format=rendition_format(rendition),
        )


def _where(stored: StoredObject) -> dict[str, Any]:
    """Return the file-row columns saying where and what a stored object is."""
    return {
        "backend": stored.backend,
        "key": stored.key,
        "sha256": stored.sha256,
        "size": stored.size,
    }
