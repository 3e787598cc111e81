"""The moderator screen: queues, the review page, decisions and staff-only images."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.errors import ArchiveError
from archive.features.accounts.access import require_staff
from archive.features.catalogue import review
from archive.features.catalogue.edits import update_photo
from archive.features.catalogue.forms import (
    RIGHTS_CHOICES,
    BulkForm,
    DecisionForm,
    ReviewForm,
    ReviewFormBase,
)
from archive.features.reasons.canned import list_reasons, reason_text
from archive.fields import FIELDS
from archive.models import Photo, PhotoFile
from archive.records.events import photo_history
from archive.records.submissions import open_counts
from archive.statuses import KIND_LABELS, FileRole, RecordStatus
from archive.storage import is_tree
from archive.web import get_runtime, unit_of_work
from archive.web.errors import refusal
from archive.web.routing import Audience, area
from archive.web.sending import private_jpeg
from archive.web.urls import requested_page

bp = Blueprint("moderate", __name__, url_prefix="/moderate", template_folder="templates")
area(bp, Audience.STAFF)
bp.before_request(require_staff)
QUEUE_LABELS = {
    "contributions": "시민 기증 (검토 대기)",
    "scans": "스캔 (목록 작성 대기)",
    "held": "보류",
    "published": "공개됨",
    "withdrawn": "공개 중단",
    "rejected": "반려",
}
MISSING_LABELS = {
    "any": "빠진 항목 있음",
    "title": "제목 없음",
    "date": "시기 없음",
    "place": "장소 없음",
}


@bp.get("/")
def queue() -> Any:
    """List one queue, oldest first, with counts of every queue."""
    name = request.args.get("queue", "contributions")
    missing = request.args.get("missing") or None
    if name not in QUEUE_LABELS or (missing and missing not in MISSING_LABELS):
        abort(400)
    page = requested_page()
    with get_runtime().db.session() as session:
        listing = review.list_queue(session, name, missing=missing, page=page)
        return render_template(
            "moderate/queue.html",
            queue=name,
            missing=missing,
            listing=listing,
            counts=review.queue_counts(session),
            voice_counts=open_counts(session),
            voice_titles=KIND_LABELS,
            labels=QUEUE_LABELS,
            missing_labels=MISSING_LABELS,
            bulk_form=BulkForm(),
        )


def _load(session: Session, public_id: str) -> Photo:
    photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).first()
    if photo is None:
        abort(404)
    return photo


@bp.route("/photos/<public_id>", methods=["GET", "POST"])
def photo(public_id: str) -> Any:
    """Show a record for review; on POST save the edited fields (and publish if asked)."""
    form = ReviewForm(obj=None)
    if request.method == "POST" and form.validate_on_submit():
        saved = _save(public_id, form)
        if saved is not None:
            flash(saved, "info")
            return redirect(url_for("moderate.photo", public_id=public_id), code=303)
    with get_runtime().db.session() as session:
        record = _load(session, public_id)
        if request.method == "GET":
            form.process(obj=_form_data(record))
        status = 400 if request.method == "POST" else 200
        return render_template(
            "moderate/review.html",
            photo=record,
            form=form,
            decision=DecisionForm(),
            near=review.near_duplicates(session, record),
            queue=review.queue_of(record),
            following=_following(session, record),
            history=photo_history(session, record),
            reasons=list_reasons(session),
            rights_choices=RIGHTS_CHOICES,
            editable_fields=[spec for spec in FIELDS if spec.editable],
            labels=QUEUE_LABELS,
        ), status


def _save(public_id: str, form: ReviewFormBase) -> str | None:
    """Apply the edits (and publish when asked) in one unit of work; say what happened.

    :returns: the message of a saved change, or None when it was refused (flashed).
    """
    runtime = get_runtime()
    actor = current_user.name
    try:
        with unit_of_work() as session:
            record = _load(session, public_id)
            update_photo(session, record, form.changes(), actor=actor, gazetteer=runtime.gazetteer)
            if request.form.get("action") == "approve":
                review.approve_photo(
                    session, runtime.storages, record, actor=actor, settings=runtime.settings
                )
            published = record.status == RecordStatus.PUBLISHED
    except ArchiveError as exc:
        flash(f"저장하지 못했습니다: {refusal(exc)}", "error")
        return None
    return "저장하고 공개했습니다." if published else "저장했습니다."


def _following(session: Session, record: Photo) -> Photo | None:
    """Return the next record of the queue the moderator came from (or the record's own)."""
    queue = request.args.get("queue", "")
    return review.next_in_queue(
        session, queue if queue in QUEUE_LABELS else review.queue_of(record), record
    )


def _form_data(record: Photo) -> SimpleNamespace:
    """Return a record's editable values as the review form shows them."""
    values = {}
    for spec in FIELDS:
        if spec.editable:
            value = getattr(record, spec.column)
            values[spec.name] = ", ".join(value or []) if spec.kind == "tags" else value or ""
    return SimpleNamespace(**values)


DECISIONS = {
    "approve": "승인하고 공개했습니다.",
    "reject": "반려했습니다.",
    "hold": "보류했습니다.",
    "withdraw": "공개를 중단했습니다.",
    "restore": "다시 공개했습니다.",
    "reopen": "검토 대기로 되돌렸습니다.",
}


@bp.post("/photos/<public_id>/decide")
def decide(public_id: str) -> Any:
    """Apply one decision to a record and update the index at once."""
    action = request.form.get("action", "")
    form = DecisionForm()
    if action not in DECISIONS or not form.validate_on_submit():
        abort(400)
    try:
        with unit_of_work() as session:
            reason = reason_text(session, form.reason.data or "", request.form.get("canned", ""))
            _apply(session, _load(session, public_id), action, reason)
    except ArchiveError as exc:
        flash(f"처리하지 못했습니다: {refusal(exc)}", "error")
    else:
        flash(DECISIONS[action], "info")
    return redirect(url_for("moderate.photo", public_id=public_id), code=303)


def _apply(session: Session, record: Photo, action: str, reason: str) -> None:
    runtime = get_runtime()
    actor = current_user.name
    if action in ("approve", "restore"):
        review.approve_photo(
            session, runtime.storages, record, actor=actor, settings=runtime.settings
        )
    elif action == "reject":
        review.reject_photo(session, runtime.storages, record, actor=actor, reason=reason)
    elif action == "hold":
        review.hold_photo(session, record, actor=actor, reason=reason)
    elif action == "withdraw":
        review.withdraw_photo(session, runtime.storages, record, actor=actor, reason=reason)
    else:
        review.reopen_photo(session, runtime.storages, record, actor=actor)


@bp.post("/bulk-publish")
def bulk_publish() -> Any:
    """Publish the selected undecided scans in one go."""
    form = BulkForm()
    if not form.validate_on_submit():
        abort(400)
    ids = request.form.getlist("ids")[:500]
    runtime = get_runtime()
    with unit_of_work() as session:
        done = review.bulk_publish(
            session, runtime.storages, ids, actor=current_user.name, settings=runtime.settings
        )
    flash(f"스캔 {len(done)}건을 공개했습니다.", "info")
    return redirect(url_for("moderate.queue", queue="scans"), code=303)


@bp.get("/files/<int(max=2147483647):file_id>.jpg")
def image(file_id: int) -> Response:
    """Return a derivative of any record to signed-in staff (masters are never served)."""
    runtime = get_runtime()
    with runtime.db.session() as session:
        row = session.get(PhotoFile, file_id)
        if row is None or row.role != FileRole.DERIVATIVE or is_tree(row.key):
            abort(404)  # a tile pyramid is no image: the viewer asks for its tiles
        backend, key = row.backend, row.key
    return private_jpeg(backend, key)
