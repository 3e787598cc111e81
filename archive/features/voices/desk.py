"""The moderators' desk for visitors' voices: queues of memories, suggestions and requests.

Each queue lists waiting items oldest first (decided ones on request); an item's page
shows what was sent, the sender's contact (staff only) and the decisions its kind allows.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from archive.errors import ArchiveError, NotFound
from archive.features.accounts.access import require_staff
from archive.features.reasons.canned import list_reasons, reason_text
from archive.features.voices import review as voice_review
from archive.features.voices.forms import ItemDecisionForm
from archive.features.voices.review import Desk
from archive.fields import BY_NAME
from archive.records.submissions import open_counts
from archive.statuses import (
    KIND_LABELS,
    REASON_LABELS,
    RESOLUTION_LABELS,
    STATE_LABELS,
    SUBMISSION_OPEN,
    SubmissionKind,
)
from archive.web import get_runtime, unit_of_work
from archive.web.errors import refusal
from archive.web.routing import Audience, area
from archive.web.urls import requested_page

bp = Blueprint("desk", __name__, url_prefix="/moderate/voices", template_folder="templates")
bp.before_request(require_staff)
area(bp, Audience.STAFF)

QUEUE_TITLES = KIND_LABELS  # each queue is named after its kind
DONE = {
    "approve": "승인했습니다. 사진 아래에 실렸습니다.",
    "accept": "제보를 사진 정보에 반영했습니다.",
    "reject": "반려했습니다.",
    "hold": "보류했습니다.",
    "hide": "사진을 임시 비공개로 돌렸습니다.",
    "restore": "사진을 다시 공개했습니다.",
    "grant": "요청을 처리했습니다.",
}
FLAG_LABELS = {
    "date_unreadable": "시기로 읽을 수 없는 표기",
    "place_unknown": "지명 사전에 없는 장소",
    voice_review.HID_PHOTO: "요청 검토 중 임시 비공개",
}


@bp.get("/<any(memory, suggestion, request):kind>")
def queue(kind: str) -> Any:
    """List one kind of item: waiting ones oldest first, or decided ones newest first."""
    decided = request.args.get("decided") == "1"
    page = requested_page()
    with get_runtime().db.session() as session:
        listing = voice_review.list_items(session, kind, decided=decided, page=page)
        return render_template(
            "moderate/voices.html",
            kind=kind,
            decided=decided,
            listing=listing,
            titles=QUEUE_TITLES,
            counts=open_counts(session),
            labels=_labels(),
        )


@bp.get("/items/<int(max=2147483647):item_id>")
def item(item_id: int) -> Any:
    """Show one item with what its kind allows a moderator to do."""
    with get_runtime().db.session() as session:
        return _item_page(session, item_id, ItemDecisionForm()), 200


def _item_page(session: Session, item_id: int, form: ItemDecisionForm) -> str:
    try:
        found = voice_review.load_item(session, item_id)
    except NotFound:
        abort(404)
    if not form.value.data and found.kind == SubmissionKind.SUGGESTION:
        form.value.data = found.body
    return render_template(
        "moderate/voice_item.html",
        item=found,
        photo=found.photo,
        form=form,
        reasons=list_reasons(session),
        is_open=found.state in SUBMISSION_OPEN,
        field_spec=BY_NAME.get(found.field),
        titles=QUEUE_TITLES,
        counts=open_counts(session),
        labels=_labels(),
    )


def _labels() -> dict[str, Any]:
    return {
        "kinds": KIND_LABELS,
        "states": STATE_LABELS,
        "reasons": REASON_LABELS,
        "resolutions": RESOLUTION_LABELS,
        "flags": FLAG_LABELS,
    }


@bp.post("/items/<int(max=2147483647):item_id>")
def decide(item_id: int) -> Any:
    """Apply one decision to an item; a refusal is said on the same page."""
    action = request.form.get("action", "")
    form = ItemDecisionForm()
    if action not in DONE:
        abort(400)
    if action == "grant" and form.resolution.data == "erased" and not request.form.get("confirm"):
        flash("영구 삭제는 되돌릴 수 없습니다. 확인란에 표시한 뒤 다시 눌러 주세요.", "error")
        return redirect(url_for("desk.item", item_id=item_id), code=303)
    if not form.validate_on_submit():
        with get_runtime().db.session() as session:
            return _item_page(session, item_id, form), 400
    runtime = get_runtime()
    desk = Desk(runtime.settings, runtime.storages, runtime.gazetteer, current_user.name)
    try:
        with unit_of_work() as session:
            found = voice_review.load_item(session, item_id)
            _apply(session, desk, found, action, form)
    except NotFound:
        abort(404)
    except ArchiveError as exc:
        flash(f"처리하지 못했습니다: {refusal(exc)}", "error")
    else:
        flash(DONE[action], "info")
    return redirect(url_for("desk.item", item_id=item_id), code=303)


def _apply(session: Session, desk: Desk, item: Any, action: str, form: ItemDecisionForm) -> None:
    note = reason_text(session, form.reason.data or "", form.canned.data or "")
    if action == "approve":
        voice_review.approve_memory(session, desk, item)
    elif action == "accept":
        voice_review.accept_suggestion(session, desk, item, form.value.data or "")
    elif action == "reject":
        voice_review.reject_item(session, desk, item, note)
    elif action == "hold":
        voice_review.hold_item(session, desk, item, note)
    elif action == "hide":
        voice_review.hide_for_request(session, desk, item)
    elif action == "restore":
        voice_review.restore_for_request(session, desk, item)
    else:
        voice_review.grant_request(session, desk, item, form.resolution.data or "", note)
