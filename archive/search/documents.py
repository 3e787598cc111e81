"""Turn a photo record into its search document."""

from __future__ import annotations

from typing import Any

from archive.dates import PRECISION_RANK
from archive.models import Photo
from archive.search.analysis import KoreanAnalyzer
from archive.search.gazetteer import Gazetteer

UNKNOWN_YEAR = 0


def photo_document(photo: Photo, gazetteer: Gazetteer, analyzer: KoreanAnalyzer) -> dict[str, Any]:
    """Return the fields Whoosh stores for a record; terms are analysed here, once."""
    places = list(photo.places or [])
    ancestry: list[str] = []
    facet: list[str] = []
    for name in places:
        for ancestor in gazetteer.ancestors(name):
            if ancestor not in ancestry:
                ancestry.append(ancestor)
        unit = gazetteer.unit_of(name)
        facet.extend(p for p in (name, unit) if p and p not in facet)
    body = " ".join(
        [photo.description, " ".join(photo.tags or []), photo.place_text, photo.identifier or ""]
    )
    start = photo.date_start if photo.date_start is not None else UNKNOWN_YEAR
    end = photo.date_end if photo.date_end is not None else UNKNOWN_YEAR
    decades = [str(d) for d in range(start // 10 * 10, end // 10 * 10 + 1, 10)] if start else []
    return {
        "id": photo.public_id,
        "title": " ".join(analyzer.terms(photo.title)),
        "body": " ".join(analyzer.terms(body)),
        "places": ",".join(ancestry),
        "facet_place": ",".join(facet),
        "decades": " ".join(decades),
        "tags": ",".join(t.lower() for t in photo.tags or []),
        "status": photo.status,
        "source": photo.source,
        "year_start": start,
        "year_end": end,
        "precision": PRECISION_RANK.get(photo.date_precision, PRECISION_RANK["unknown"]),
        "created": int(photo.created_at.timestamp()) if photo.created_at else 0,
        "stored": {
            "identifier": photo.identifier,
            "title": photo.title,
            "description": photo.description,
            "date": photo.date_text,
            "place": photo.place_text,
        },
    }
