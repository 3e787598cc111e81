"""Figures for the office's reports: what was scanned, catalogued, published and contributed."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from archive.models import Event, Photo
from archive.statuses import RecordStatus, Source

COLUMNS = ("scanned", "catalogued", "published", "contributed", "approved", "rejected")
LABELS = {
    "scanned": "스캔 등록",
    "catalogued": "목록 작성",
    "published": "공개",
    "contributed": "시민 기증 접수",
    "approved": "기증 승인",
    "rejected": "기증 반려",
}
STAFF_EDIT_KINDS = ("edited",)


def _month(column: Any) -> tuple[Any, Any]:
    return extract("year", column), extract("month", column)


def monthly_figures(session: Session) -> list[dict[str, Any]]:
    """Return one row per month (newest first) with every figure of COLUMNS."""
    photo_month = _month(Photo.created_at)
    event_month = _month(Event.created_at)
    figures: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))

    def add(name: str, rows: Any) -> None:
        for y, m, n in rows:
            figures[f"{int(y):04d}-{int(m):02d}"][name] += n

    def photos_where(*conditions: Any) -> Any:
        return session.execute(
            select(*photo_month, func.count()).where(*conditions).group_by(*photo_month)
        )

    def events_where(*conditions: Any, distinct: bool = False) -> Any:
        counted = func.count(Event.photo_id.distinct()) if distinct else func.count()
        return session.execute(
            select(*event_month, counted)
            .join(Photo, Photo.id == Event.photo_id, isouter=True)
            .where(*conditions)
            .group_by(*event_month)
        )

    add("scanned", photos_where(Photo.source == Source.SCAN))
    add("contributed", photos_where(Photo.source == Source.CONTRIBUTION))
    add("catalogued", events_where(Event.kind.in_(STAFF_EDIT_KINDS), distinct=True))
    add("published", events_where(Event.kind == RecordStatus.PUBLISHED))
    add(
        "approved",
        events_where(Event.kind == RecordStatus.PUBLISHED, Photo.source == Source.CONTRIBUTION),
    )
    add(
        "rejected",
        events_where(Event.kind == RecordStatus.REJECTED, Photo.source == Source.CONTRIBUTION),
    )
    return [{"month": month, **figures[month]} for month in sorted(figures, reverse=True)]


def totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Return the sum of each figure over all months."""
    return {name: sum(row[name] for row in rows) for name in COLUMNS}
