"""Admins keep the canned reasons that every rejection in every queue offers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from archive.errors import ArchiveError
from archive.features.accounts.access import admin_required, require_staff
from archive.features.reasons.canned import add_reason, change_reason, list_reasons
from archive.features.reasons.forms import ReasonForm
from archive.web import get_runtime, unit_of_work
from archive.web.errors import refusal
from archive.web.routing import Audience, area

bp = Blueprint("reasons", __name__, url_prefix="/moderate/reasons", template_folder="templates")
bp.before_request(require_staff)
area(bp, Audience.STAFF)


@bp.get("/")
@admin_required
def reasons() -> Any:
    """List every canned reason (those taken off the list too) with forms to change them."""
    with get_runtime().db.session() as session:
        return render_template(
            "moderate/reasons.html",
            reasons=list_reasons(session, active_only=False),
            form=ReasonForm(),
        )


@bp.post("/")
@admin_required
def add() -> Any:
    """Add a reason at the end of the list."""
    form = ReasonForm()
    if form.validate_on_submit():
        return _change(lambda session: add_reason(session, form.text.data or "", actor=_actor()))
    flash(" ".join(m for ms in form.errors.values() for m in ms), "error")
    return redirect(url_for("reasons.reasons"), code=303)


@bp.post("/<int(max=2147483647):reason_id>")
@admin_required
def change(reason_id: int) -> Any:
    """Reword a reason, or take it off (or back onto) the list moderators see."""
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(" ".join(m for ms in form.errors.values() for m in ms), "error")
        return redirect(url_for("reasons.reasons"), code=303)
    return _change(
        lambda session: change_reason(
            session,
            reason_id,
            text=form.text.data or "",
            active=bool(form.active.data),
            actor=_actor(),
        )
    )


def _actor() -> str:
    return str(current_user.name)


def _change(apply: Any) -> Any:
    try:
        with unit_of_work() as session:
            apply(session)
    except ArchiveError as exc:
        flash(f"저장하지 못했습니다: {refusal(exc)}", "error")
    else:
        flash("저장했습니다.", "info")
    return redirect(url_for("reasons.reasons"), code=303)
