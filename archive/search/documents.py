"""Turn a photo record into its search document, as the field registry says.

Every searched field of archive.fields goes into the text field of its weight
(``text_3`` for weight 3, ...), so adding a searched field, or giving one another weight,
is a registry entry: the layout below changes, and with it the index's schema version,
which rebuilds the index.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, select

from archive.dates import PRECISION_RANK
from archive.fields import FIELDS, Field
from archive.models import Photo
from archive.places.gazetteer import Gazetteer
from archive.search.analysis import ANALYSIS_VERSION, KoreanAnalyzer
from archive.statuses import RecordStatus

UNKNOWN_YEAR = 0
# Shown with hits without reading the database.
STORED = ("identifier", "title", "description", "date", "place")
# Bump when the document is built differently in a way the layout below does not show.
DOCUMENT_VERSION = 1
SEARCHED: tuple[Field, ...] = tuple(f for f in FIELDS if f.search_weight)
# Visitors' approved memories count, but less than the record's own fields.
MEMORY_WEIGHT = 0.5
WEIGHTS: tuple[float, ...] = tuple(
    sorted({f.search_weight for f in SEARCHED} | {MEMORY_WEIGHT}, reverse=True)
)


def text_field(weight: float) -> str:
    """Return the name of the index text field holding the fields of a weight."""
    return f"text_{weight:g}".replace(".", "_")


TEXT_FIELDS: dict[str, float] = {text_field(w): w for w in WEIGHTS}


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
    memories_text: str


@dataclass
class Document:
    """What the index keeps of one record: analysed texts, filters, numbers, stored."""

    id: str
    texts: dict[str, list[str]]  # text field -> terms
    places: list[str]
    status: str
    source: str
    numbers: dict[str, int] = field(default_factory=dict)
    stored: dict[str, Any] = field(default_factory=dict)


def record_query() -> Select[Any]:
    """Return a light query for the columns in Record (no ORM objects for bulk builds).

    Erased records have no document: a tombstone holds nothing to find.
    """
    names = Record.__annotations__
    columns = (getattr(Photo, name) for name in names)
    return select(*columns).where(Photo.status != RecordStatus.ERASED).order_by(Photo.id)


def _text_of(photo: Record, spec: Field) -> str:
    value = getattr(photo, spec.column)
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


def document_texts(photo: Record) -> dict[str, str]:
    """Return the text of each index text field (the searched fields by weight)."""
    texts: dict[str, list[str]] = {name: [] for name in TEXT_FIELDS}
    for spec in SEARCHED:
        texts[text_field(spec.search_weight)].append(_text_of(photo, spec))
    texts[text_field(MEMORY_WEIGHT)].append(photo.memories_text or "")
    return {name: " ".join(parts) for name, parts in texts.items()}


def place_ancestry(photo: Record, gazetteer: Gazetteer) -> list[str]:
    """Return the record's places and everything they lie in."""
    ancestry: list[str] = []
    for name in photo.places or []:
        ancestry.extend(a for a in gazetteer.ancestors(name) if a not in ancestry)
    return ancestry


def photo_document(photo: Record, gazetteer: Gazetteer, analyzer: KoreanAnalyzer) -> Document:
    """Return the search document of a record; terms are analysed here, once."""
    texts = {name: analyzer.terms(text) for name, text in document_texts(photo).items()}
    return Document(
        id=photo.public_id,
        texts=texts,
        places=place_ancestry(photo, gazetteer),
        status=str(photo.status),
        source=str(photo.source),
        numbers={
            "year_start": photo.date_start if photo.date_start is not None else UNKNOWN_YEAR,
            "year_end": photo.date_end if photo.date_end is not None else UNKNOWN_YEAR,
            "precision": PRECISION_RANK.get(photo.date_precision, PRECISION_RANK["unknown"]),
        },
        stored={
            "identifier": photo.identifier,
            "title": photo.title,
            "description": photo.description,
            "date": photo.date_text,
            "place": photo.place_text,
        },
    )


def layout_version(backend_schema: str, analysis: str = ANALYSIS_VERSION) -> str:
    """Return a short hash of everything a document's layout depends on."""
    layout = {
        "backend": backend_schema,
        "document": DOCUMENT_VERSION,
        "analysis": analysis,
        "searched": [(f.name, f.column, f.search_weight) for f in SEARCHED],
        "memories": MEMORY_WEIGHT,
        "stored": STORED,
    }
    encoded = json.dumps(layout, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]
