"""What became of the scans: the operator's view of ingest outcomes, and trying a failed
file again.

The web never touches the scans folder: "try again" is a job the ingest worker runs (it
moves the file, and its sidecar, from failed/ back into the inbox, where it is taken
like a new drop). Every step is an event, so the screen shows the request and its fate.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.errors import InvalidChange
from archive.jobs.kinds import JobKind
from archive.jobs.queue import Claimed, enqueue
from archive.models import Event, Photo
from archive.records.events import record_event

OUTCOMES = ("ingested", "attached", "duplicate", "failed")
RETRY_KINDS = ("retry-requested", "retry-started", "retry-missing")
WORKER = "ingest-worker"


@dataclass
class FileLine:
    """One dropped file's latest word: what happened, when, why (in Korean)."""

    path: str
    kind: str
    at: datetime
    reason: str = ""
    public_id: str | None = None
    title: str = ""

    @property
    def can_retry(self) -> bool:
        """Return whether the file failed and nobody asked to try it again since."""
        return self.kind in ("failed", "retry-missing")


@dataclass
class Day:
    """The files of one day (in the office's time zone), newest first, with counts."""

    day: str
    files: list[FileLine] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _reason(event: Event) -> str:
    detail = event.detail or {}
    if event.kind == "failed":
        return str(detail.get("korean") or event.message)
    if event.kind == "duplicate":
        return "같은 파일이 이미 보관되어 있습니다."
    if event.kind == "ingested" and detail.get("warnings"):
        return " ".join(str(w) for w in detail["warnings"])[:300]
    return str(detail.get("korean") or (event.message if event.kind in RETRY_KINDS else ""))


def recent_days(
    session: Session, zone: tzinfo, days: int = 14, now: datetime | None = None
) -> list[Day]:
    """Return the last days' files (each with its latest outcome), newest day first."""
    since = ((now or datetime.now(zone)) - timedelta(days=days)).astimezone(UTC)
    rows = session.execute(
        select(Event, Photo.public_id, Photo.title)
        .join(Photo, Photo.id == Event.photo_id, isouter=True)
        .where(Event.kind.in_(OUTCOMES + RETRY_KINDS), Event.created_at >= since)
        .order_by(Event.id)
    ).all()
    latest: dict[str, FileLine] = {}
    for event, public_id, title in rows:
        path = event.source_path or ""
        latest.pop(path, None)  # re-inserted last: the dict keeps time order
        latest[path] = FileLine(
            path, event.kind, event.created_at, _reason(event), public_id, title or ""
        )
    grouped: dict[str, Day] = {}
    for line in reversed(latest.values()):
        stamp = line.at if line.at.tzinfo else line.at.replace(tzinfo=UTC)  # stored in UTC
        key = stamp.astimezone(zone).date().isoformat()
        day = grouped.setdefault(key, Day(key))
        day.files.append(line)
        day.counts[line.kind] = day.counts.get(line.kind, 0) + 1
    return list(grouped.values())


def totals(session: Session, since: datetime) -> dict[str, int]:
    """Return how many files had each outcome since a time (every event, not only latest)."""
    since = since.astimezone(UTC)  # stored times are UTC (SQLite keeps no offset)
    rows = session.execute(
        select(Event.kind, func.count())
        .where(Event.kind.in_(OUTCOMES), Event.created_at >= since, Event.actor == WORKER)
        .group_by(Event.kind)
    ).all()
    return {kind: count for kind, count in rows}


def request_retry(session: Session, path: str, *, actor: str) -> None:
    """Ask the ingest worker to put a failed file back into the inbox.

    :raises InvalidChange: when the file's latest outcome is not a failure (already
        retried, or ingested since) or the path is not one the log knows.
    """
    latest = session.scalar(
        select(Event)
        .where(Event.source_path == path, Event.kind.in_(OUTCOMES + RETRY_KINDS))
        .order_by(Event.id.desc())
        .limit(1)
    )
    if latest is None or latest.kind not in ("failed", "retry-missing") or not _safe(path):
        raise InvalidChange(
            "invalid_transition",
            "only a failed file can be tried again",
            "실패한 파일만 다시 시도할 수 있습니다. 화면을 새로 고쳐 확인해 주세요.",
        )
    enqueue(session, INGEST_RETRY, {"path": path}, subject=path[:64])
    record_event(
        session, "retry-requested", actor=actor, source_path=path, message="다시 시도 요청"
    )


def _safe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not path.startswith("/") and ".." not in parts and "\\" not in path


def return_to_inbox(session: Session, settings: Settings, path: str) -> str:
    """Move a failed file (and its sidecar) back into the inbox and drop its error note;
    log what happened. Return the event kind ("retry-started" or "retry-missing")."""
    failed_root = settings.scans_dir / "failed"
    source = failed_root / path
    if not _safe(path) or not source.is_file():
        record_event(
            session,
            "retry-missing",
            actor=WORKER,
            source_path=path,
            message="failed/ 폴더에 파일이 없어 다시 시도하지 못했습니다.",
        )
        return "retry-missing"
    target = settings.inbox_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    _move(source, _free(target))
    sidecar = source.with_suffix(".json")
    if sidecar.is_file():
        _move(sidecar, _free(target.with_suffix(".json")))
    source.with_name(f"{source.name}.error.txt").unlink(missing_ok=True)
    record_event(
        session,
        "retry-started",
        actor=WORKER,
        source_path=path,
        message="inbox 폴더로 돌려놓았습니다. 곧 다시 처리합니다.",
    )
    return "retry-started"


def _free(target: Path) -> Path:
    n = 1
    candidate = target
    while candidate.exists():
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
        n += 1
    return candidate


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError:
        shutil.move(str(source), str(target))  # another file system (a network share)


def _retry_ingest(context: Any, job: Claimed) -> None:
    """Put a failed file back into the inbox (context: the worker's JobContext)."""
    with context.db.session() as session:
        return_to_inbox(session, context.settings, str(job.payload.get("path", "")))


INGEST_RETRY = JobKind("ingest-retry", "수집 다시 시도", handler=_retry_ingest)
