"""Figures for the office's reports: what was scanned, catalogued, published and contributed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from archive.models import Event, Photo, Submission
from archive.statuses import (
    SUBMISSION_OPEN,
    RecordStatus,
    Source,
    SubmissionKind,
    SubmissionState,
)

PHOTO_COLUMNS = ("scanned", "catalogued", "published", "contributed", "approved", "rejected")
VOICE_COLUMNS = (
    "memories",
    "memories_approved",
    "suggestions",
    "suggestions_accepted",
    "requests",
    "requests_decided",
    "request_first_action_hours",
    "request_first_action_max_hours",
)
COLUMNS = PHOTO_COLUMNS + VOICE_COLUMNS
LABELS = {
    "scanned": "스캔 등록",
    "catalogued": "목록 작성",
    "published": "공개",
    "contributed": "시민 기증 접수",
    "approved": "기증 승인",
    "rejected": "기증 반려",
    "memories": "기억 접수",
    "memories_approved": "기억 게시",
    "suggestions": "제보 접수",
    "suggestions_accepted": "제보 반영",
    "requests": "수정·삭제 요청 접수",
    "requests_decided": "요청 처리 완료",
    "request_first_action_hours": "요청 첫 조치까지 (시간, 중앙값)",
    "request_first_action_max_hours": "요청 첫 조치까지 (시간, 최대)",
}
STAFF_EDIT_KINDS = ("edited",)


def _month(column: Any) -> tuple[Any, Any]:
    return extract("year", column), extract("month", column)


def monthly_figures(session: Session) -> list[dict[str, Any]]:
    """Return one row per month (newest first) with every figure of COLUMNS."""
    photo_month = _month(Photo.created_at)
    event_month = _month(Event.created_at)
    figures: dict[str, dict[str, Any]] = defaultdict(_empty_month)

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
    for month, values in voice_figures(session).items():
        figures[month].update({name: values[name] for name in VOICE_COLUMNS})
    return [{"month": month, **figures[month]} for month in sorted(figures, reverse=True)]


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the sum of each count over all months (response times are per month only)."""
    return {
        name: "" if name.endswith("_hours") else sum(row[name] for row in rows) for name in COLUMNS
    }


def _empty_month() -> dict[str, Any]:
    """Return a month with no counts and no response time (None, not zero hours)."""
    return {name: None if name.endswith("_hours") else 0 for name in COLUMNS}


def _month_of(moment: datetime) -> str:
    moment = _aware(moment).astimezone(UTC)
    return f"{moment.year:04d}-{moment.month:02d}"


def _hours(start: datetime, end: datetime) -> float:
    return round((_aware(end) - _aware(start)).total_seconds() / 3600, 1)


def voice_figures(session: Session) -> dict[str, dict[str, Any]]:
    """Return per month: memories, suggestions and requests received and decided, and how
    long requests received that month waited for a first action (median and longest)."""
    rows = session.execute(
        select(
            Submission.kind,
            Submission.state,
            Submission.created_at,
            Submission.first_action_at,
            Submission.decided_at,
        )
    ).all()
    counts: dict[str, dict[str, Any]] = defaultdict(_empty_month)
    waits: dict[str, list[float]] = defaultdict(list)
    received = {
        SubmissionKind.MEMORY: "memories",
        SubmissionKind.SUGGESTION: "suggestions",
        SubmissionKind.REQUEST: "requests",
    }
    decided = {
        SubmissionKind.MEMORY: "memories_approved",
        SubmissionKind.SUGGESTION: "suggestions_accepted",
    }
    for kind, state, created, _first_action, decided_at in rows:
        counts[_month_of(created)][received[SubmissionKind(kind)]] += 1
        if decided_at is None:
            continue
        if kind == SubmissionKind.REQUEST:
            counts[_month_of(decided_at)]["requests_decided"] += 1
        elif state == SubmissionState.APPROVED:
            counts[_month_of(decided_at)][decided[SubmissionKind(kind)]] += 1
    for kind, _state, created, first_action, _decided in rows:
        if kind == SubmissionKind.REQUEST and first_action is not None:
            waits[_month_of(created)].append(_hours(created, first_action))
    for month, hours in waits.items():
        counts[month]["request_first_action_hours"] = round(median(hours), 1)
        counts[month]["request_first_action_max_hours"] = max(hours)
    return counts


@dataclass(frozen=True)
class OpenRequest:
    """A request still waiting for a decision, and how long it has waited."""

    item_id: int
    receipt: str
    title: str
    received_at: datetime
    age_days: int
    first_action_at: datetime | None
    photo_hidden: bool


def open_requests(session: Session, now: datetime | None = None) -> list[OpenRequest]:
    """Return the undecided requests, oldest first."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(Submission, Photo.title)
        .join(Photo, Photo.id == Submission.photo_id)
        .where(Submission.kind == SubmissionKind.REQUEST, Submission.state.in_(SUBMISSION_OPEN))
        .order_by(Submission.id)
    ).all()
    return [
        OpenRequest(
            item.id,
            item.receipt,
            title or "(제목 없음)",
            item.created_at,
            (now - _aware(item.created_at)).days,
            item.first_action_at,
            "photo_hidden" in (item.flags or []),
        )
        for item, title in rows
    ]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
