"""Moderators' decisions on memories, suggestions and requests.

Each decision moves the item through SUBMISSION_TRANSITIONS, records an audit event,
notes the first action (the office reports how long requests waited for one) and queues
the sender's notice; the caller's unit of work commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from archive.config import Settings
from archive.errors import InvalidChange, NotFound
from archive.features.catalogue import review
from archive.features.catalogue.edits import update_photo
from archive.features.voices.memories import refresh_memories
from archive.models import Photo, Submission
from archive.paging import Page
from archive.places.gazetteer import Gazetteer
from archive.records.erasure import erase_photo
from archive.records.events import record_event
from archive.records.notices import HIDDEN, notify_sender
from archive.statuses import (
    SUBMISSION_OPEN,
    RecordStatus,
    Resolution,
    SubmissionKind,
    SubmissionState,
    check_submission_transition,
)
from archive.storage import Storages

SUBMISSION_DECIDED = (SubmissionState.APPROVED, SubmissionState.REJECTED)
HID_PHOTO = "photo_hidden"  # flag: the photo was withdrawn while this request is decided


@dataclass(frozen=True)
class Desk:
    """What a decision may need besides the session: settings, storage, places, who."""

    settings: Settings
    storages: Storages
    gazetteer: Gazetteer
    actor: str


def list_items(
    session: Session, kind: str, *, decided: bool = False, page: int = 1, per_page: int = 30
) -> Page[Submission]:
    """Return a queue: waiting items oldest first, or decided ones newest first."""
    if kind not in set(SubmissionKind):
        raise InvalidChange("unknown_queue", f"unknown queue {kind!r}")
    states = SUBMISSION_DECIDED if decided else SUBMISSION_OPEN
    where = (Submission.kind == kind, Submission.state.in_(states))
    total = session.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    order = Submission.id.desc() if decided else Submission.id
    items = session.scalars(
        select(Submission)
        .options(selectinload(Submission.photo).selectinload(Photo.files))
        .where(*where)
        .order_by(order)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(items), total, page, per_page)


def load_item(session: Session, item_id: int) -> Submission:
    """Return an item for review.

    :raises NotFound: for an unknown id.
    """
    item = session.get(Submission, item_id)
    if item is None:
        raise NotFound(f"no item {item_id}")
    return item


def _decide(session: Session, desk: Desk, item: Submission, state: str, note: str = "") -> None:
    check_submission_transition(item.state, state)
    now = datetime.now(UTC)
    item.state = state
    item.first_action_at = item.first_action_at or now
    if state in (SubmissionState.APPROVED, SubmissionState.REJECTED):
        item.decided_at, item.decided_by, item.decision_note = now, desk.actor, note
    record_event(
        session, f"{item.kind}-{state}", actor=desk.actor, photo=item.photo, message=item.receipt
    )
    notify_sender(session, desk.settings, item, state)


def approve_memory(session: Session, desk: Desk, item: Submission) -> None:
    """Show a memory under its photo."""
    _expect(item, SubmissionKind.MEMORY)
    _decide(session, desk, item, SubmissionState.APPROVED)
    refresh_memories(session, item.photo)


def accept_suggestion(session: Session, desk: Desk, item: Submission, value: str) -> None:
    """Apply a suggestion (as sent, or as the moderator changed it) to the record.

    The edit goes through the catalogue service; its audit event credits the suggestion.
    :raises InvalidChange: invalid_value, for a value the field cannot hold.
    """
    _expect(item, SubmissionKind.SUGGESTION)
    if item.photo.status == RecordStatus.ERASED:
        raise InvalidChange("invalid_transition", "the photo was erased")
    changes = {item.field: value if value.strip() else item.body}
    update_photo(
        session,
        item.photo,
        changes,
        actor=desk.actor,
        gazetteer=desk.gazetteer,
        via=f"시민 제보 #{item.receipt}",
    )
    item.applied = str(changes[item.field])
    _decide(session, desk, item, SubmissionState.APPROVED)


def reject_item(session: Session, desk: Desk, item: Submission, reason: str) -> None:
    """Decide not to show, apply or grant an item (a shown memory is taken down).

    A photo hidden for a declined request is shown again.
    :raises InvalidChange: reason_required.
    """
    if not reason.strip():
        raise InvalidChange("reason_required", "a reason is needed for this decision")
    was_shown = item.state == SubmissionState.APPROVED
    _decide(session, desk, item, SubmissionState.REJECTED, reason.strip())
    if was_shown and item.kind == SubmissionKind.MEMORY:
        refresh_memories(session, item.photo)
    if item.kind == SubmissionKind.REQUEST:
        _show_again(session, desk, item)


def hold_item(session: Session, desk: Desk, item: Submission, note: str = "") -> None:
    """Put an item aside to decide later (its sender is told it takes longer)."""
    _decide(session, desk, item, SubmissionState.HELD, note.strip())


def hide_for_request(session: Session, desk: Desk, item: Submission) -> None:
    """Withdraw the photo at once while a request is decided (임시 비공개, reversible)."""
    _expect(item, SubmissionKind.REQUEST)
    if item.state not in SUBMISSION_OPEN:
        raise InvalidChange("already_decided", "the request was decided")
    photo = item.photo
    if photo.status != RecordStatus.PUBLISHED:
        raise InvalidChange("invalid_transition", "the photo is not public")
    reason = f"임시 비공개: 요청 {item.receipt} 검토 중"
    review.withdraw_photo(session, desk.storages, photo, actor=desk.actor, reason=reason)
    item.flags = [*item.flags, HID_PHOTO]
    item.first_action_at = item.first_action_at or datetime.now(UTC)
    notify_sender(session, desk.settings, item, HIDDEN)


def restore_for_request(session: Session, desk: Desk, item: Submission) -> None:
    """Show a photo hidden for a request again (the request itself stays as it is)."""
    _expect(item, SubmissionKind.REQUEST)
    if not _show_again(session, desk, item):
        raise InvalidChange("invalid_transition", "the photo was not hidden for this request")


def grant_request(
    session: Session, desk: Desk, item: Submission, resolution: str, note: str = ""
) -> None:
    """Grant a request: the record was corrected, the photo stays down, or it is erased."""
    _expect(item, SubmissionKind.REQUEST)
    if resolution not in set(Resolution):
        raise InvalidChange("invalid_value", f"unknown resolution {resolution!r}", "처리 결과")
    chosen = Resolution(resolution)
    photo = item.photo
    _decide(session, desk, item, SubmissionState.APPROVED, note.strip())
    item.resolution = chosen
    if chosen == Resolution.CORRECTED:
        _show_again(session, desk, item)
    elif chosen == Resolution.TAKEN_DOWN and photo.status == RecordStatus.PUBLISHED:
        reason = f"요청 {item.receipt}에 따라 공개 중단"
        review.withdraw_photo(session, desk.storages, photo, actor=desk.actor, reason=reason)
    elif chosen == Resolution.ERASED:
        erase_photo(session, desk.storages, photo, actor=desk.actor, reason=f"요청 {item.receipt}")


def _show_again(session: Session, desk: Desk, item: Submission) -> bool:
    photo = item.photo
    if HID_PHOTO not in item.flags or photo.status != RecordStatus.WITHDRAWN:
        return False
    review.approve_photo(session, desk.storages, photo, actor=desk.actor, settings=desk.settings)
    item.flags = [f for f in item.flags if f != HID_PHOTO]
    return True


def _expect(item: Submission, kind: SubmissionKind) -> None:
    if item.kind != kind:
        raise InvalidChange("invalid_transition", f"not a {kind}")
