"""Turn a photo record into its search document."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, select

from archive.dates import PRECISION_RANK
from archive.models import Photo
from archive.search.analysis import KoreanAnalyzer
from archive.search.gazetteer import Gazetteer

UNKNOWN_YEAR = 0


class Record(Protocol):
    """The columns of a photo the index needs (an ORM object or a result row)."""

    public_id: str
    identifier: str | None
    title: str
    description: str
    people: str
    tags: list[str]
    place_text: str
    places: list[str]
    date_text: str
    date_start: int | None
    date_end: int | None
    date_precision: str
    status: str
    source: str
    created_at: datetime


def record_query() -> Select[Any]:
    """Return a light query for the columns in Record (no ORM objects for bulk builds)."""
    names = Record.__annotations__
    return select(*(getattr(Photo, name) for name in names)).order_by(Photo.id)


def document_texts(photo: Record) -> tuple[str, str]:
    """Return the two texts of a record that are analysed: title and body."""
    body = " ".join(
        [
            photo.description,
            photo.people,
            " ".join(photo.tags or []),
            photo.place_text,
            photo.identifier or "",
        ]
    )
    return photo.title, body


def place_ancestry(photo: Record, gazetteer: Gazetteer) -> list[str]:
    """Return the record's places and everything they lie in."""
    ancestry: list[str] = []
    for name in photo.places or []:
        ancestry.extend(a for a in gazetteer.ancestors(name) if a not in ancestry)
    return ancestry


def photo_document(photo: Record, gazetteer: Gazetteer, analyzer: KoreanAnalyzer) -> dict[str, Any]:
    """Return the fields Whoosh stores for a record; terms are analysed here, once."""
    title, body = document_texts(photo)
    title_terms, body_terms = analyzer.terms(title), analyzer.terms(body)
    return {
        "id": photo.public_id,
        "title": " ".join(title_terms),
        "body": " ".join(body_terms),
        "places": ",".join(place_ancestry(photo, gazetteer)),
        "status": photo.status,
        "source": photo.source,
        "year_start": photo.date_start if photo.date_start is not None else UNKNOWN_YEAR,
        "year_end": photo.date_end if photo.date_end is not None else UNKNOWN_YEAR,
        "precision": PRECISION_RANK.get(photo.date_precision, PRECISION_RANK["unknown"]),
        "title_len": min(len(title_terms), 65_535),
        "body_len": min(len(body_terms), 65_535),
        "stored": {
            "identifier": photo.identifier,
            "title": photo.title,
            "description": photo.description,
            "date": photo.date_text,
            "place": photo.place_text,
        },
    }
