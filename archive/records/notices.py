"""E-mail notices: a sender told of their item's outcome, staff told of new items.

Both are jobs written in the decision's (or the receipt's) transaction and sent by a
worker after the commit, retried with backoff for days (PATIENT: a mail server down over
a long weekend loses nothing); a request never waits for a mail server.
Without ARCHIVE_SMTP_HOST no job is written and nothing is sent. The job carries ids, not
addresses: the address is read when the mail goes, so a purge in between is respected.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.contacts import is_email
from archive.jobs.kinds import PATIENT, JobKind
from archive.jobs.queue import PENDING, Claimed, enqueue, queue_state
from archive.mail import send_mail
from archive.models import Contribution, Job, Photo, Submission
from archive.statuses import (
    KIND_LABELS,
    RESOLUTION_LABELS,
    SUBMISSION_OPEN,
    RecordStatus,
    SubmissionKind,
    SubmissionState,
)

SIGNATURE = "나주시 「옛 추억을 떠올리며」"
HIDDEN = "hidden"  # a request's photo was hidden while it is decided


def notify_sender(session: Session, settings: Settings, item: Submission, event: str) -> None:
    """Queue a notice of an item's new status, if its sender asked for one by e-mail."""
    if settings.mail_enabled and item.notify and is_email(item.contact):
        enqueue(session, NOTIFY, {"submission": item.id, "event": event}, subject=item.receipt)


def schedule_digest(session: Session, settings: Settings, since: datetime) -> None:
    """Queue the staff digest of what arrived from since on, unless one is already
    gathering new items."""
    if not settings.digest_recipients:
        return
    waiting = session.scalar(
        select(Job.id).where(Job.kind == DIGEST.name, Job.state == PENDING).limit(1)
    )
    if waiting is None:
        now = datetime.now(UTC)
        enqueue(
            session,
            DIGEST,
            {"since": since.isoformat()},
            run_after=now + timedelta(minutes=settings.staff_digest_minutes),
        )


def notice_for(item: Submission, event: str, photo_url: str) -> tuple[str, str] | None:
    """Return (subject, body) of a sender's notice, or None when there is nothing to say."""
    outcome = _outcome(item, event)
    if outcome is None:
        return None
    kind = KIND_LABELS[SubmissionKind(item.kind)]
    lines = [
        "안녕하세요. 나주시 「옛 추억을 떠올리며」입니다.",
        "",
        f"보내 주신 {kind}(접수번호 {item.receipt})에 대해 알려 드립니다.",
        outcome,
    ]
    if item.decision_note and event == SubmissionState.REJECTED:
        lines += ["", f"사유: {item.decision_note}"]
    if photo_url:
        lines += ["", f"사진: {photo_url}"]
    lines += [
        "",
        "보내실 때 알림을 받겠다고 하셔서 드리는 메일입니다. 이 메일에는 답장하지 마시고,",
        "궁금한 점은 접수번호와 함께 나주시청으로 문의해 주세요.",
        "",
        SIGNATURE,
    ]
    return f"[나주 옛 사진] 접수번호 {item.receipt} 처리 안내", "\n".join(lines)


def _outcome(item: Submission, event: str) -> str | None:
    kind = SubmissionKind(item.kind)
    if event == HIDDEN:
        return "요청을 검토하는 동안 사진을 임시로 비공개했습니다."
    if event == SubmissionState.HELD:
        return "검토에 시간이 조금 더 걸리고 있습니다. 결정되면 다시 알려 드리겠습니다."
    if event == SubmissionState.REJECTED:
        return {
            SubmissionKind.MEMORY: "이번에는 사진 아래에 싣지 않기로 했습니다.",
            SubmissionKind.SUGGESTION: "이번에는 기록에 반영하지 않았습니다.",
            SubmissionKind.REQUEST: "검토한 결과 요청을 받아들이지 않았습니다.",
        }[kind]
    if event != SubmissionState.APPROVED:
        return None
    if kind == SubmissionKind.MEMORY:
        return "보내 주신 기억이 사진 아래에 실렸습니다. 고맙습니다."
    if kind == SubmissionKind.SUGGESTION:
        return f"알려 주신 내용을 기록에 반영했습니다: {item.applied}"
    done = RESOLUTION_LABELS.get(item.resolution, "요청을 처리했습니다")  # type: ignore[call-overload]
    return f"요청하신 대로 처리했습니다: {done}."


def due_notice(
    session: Session, settings: Settings, payload: dict[str, Any]
) -> tuple[list[str], str, str] | None:
    """Return (to, subject, body) of a queued notice, or None when it is no longer due."""
    item = session.get(Submission, int(payload.get("submission", 0)))
    if item is None or item.purged_at is not None or not item.notify or not is_email(item.contact):
        return None
    photo = session.get(Photo, item.photo_id)
    published = photo is not None and photo.status == RecordStatus.PUBLISHED
    url = f"{settings.public_base}/photos/{photo.public_id}" if published and photo else ""
    notice = notice_for(item, str(payload.get("event", "")), url)
    if notice is None:
        return None
    return [item.contact.strip()], notice[0], notice[1]


def digest(
    session: Session, settings: Settings, since: datetime, given_up: dict[str, int] | None = None
) -> tuple[str, str] | None:
    """Return the staff digest of what arrived since a time and of jobs that gave up
    (by their Korean label), or None if there is nothing to tell."""
    new = _arrivals(session, since)
    given_up = {label: n for label, n in (given_up or {}).items() if n}
    if not any(new.values()) and not given_up:
        return None
    waiting = (
        session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.state.in_(SUBMISSION_OPEN))
        )
        or 0
    )
    lines: list[str] = []
    if any(new.values()):
        lines += ["새로 들어온 항목:"] + [f"- {label}: {n}건" for label, n in new.items() if n]
        lines.append("")
    if given_up:
        lines += [
            "여러 날 동안 다시 시도했지만 끝내 하지 못한 작업",
            "(서버에서 `archive jobs status`로 이유를 보고, 고친 뒤 `archive jobs retry`):",
        ]
        lines += [f"- {label}: {n}건" for label, n in sorted(given_up.items())] + [""]
    lines += [f"처리를 기다리는 기억·제보·요청: 모두 {waiting}건"]
    lines += [f"검토 화면: {settings.public_base}/moderate/", "", SIGNATURE]
    total = sum(new.values())
    subject = f"[나주 옛 사진] 새 항목 {total}건" if total else "[나주 옛 사진] 하지 못한 작업 알림"
    if total and given_up:
        subject += ", 하지 못한 작업 있음"
    return subject, "\n".join(lines)


def _arrivals(session: Session, since: datetime) -> dict[str, int]:
    new: dict[str, int] = {}
    for kind in SubmissionKind:
        new[KIND_LABELS[kind]] = (
            session.scalar(
                select(func.count())
                .select_from(Submission)
                .where(Submission.kind == kind, Submission.created_at >= since)
            )
            or 0
        )
    new["사진 기증"] = (
        session.scalar(
            select(func.count()).select_from(Contribution).where(Contribution.created_at >= since)
        )
        or 0
    )
    return new


def _notify(context: Any, job: Claimed) -> None:
    """Send a sender's notice (context: the worker's JobContext)."""
    with context.db.session() as session:
        notice = due_notice(session, context.settings, job.payload)
    if notice is not None:
        send_mail(context.settings, *notice)


def _digest(context: Any, job: Claimed) -> None:
    """Send the staff digest (context: the worker's JobContext, which knows kinds' labels)."""
    recipients = context.settings.digest_recipients
    since = datetime.fromisoformat(str(job.payload.get("since")))
    with context.db.session() as session:
        failed = queue_state(session).failed
        message = digest(session, context.settings, since, context.labelled(failed))
    if message is not None and recipients:
        send_mail(context.settings, recipients, *message)


NOTIFY = JobKind("notify", "알림 메일", PATIENT, _notify)
DIGEST = JobKind("staff-digest", "직원 요약 메일", PATIENT, _digest)
