"""수집 현황: the scanner operator's screen of what became of today's and recent scans."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from archive.errors import ArchiveError
from archive.features.accounts.access import require_staff
from archive.records.intake import recent_days, request_retry, totals
from archive.statuses import INGEST_OUTCOME_LABELS, StaffRole
from archive.web import KST, get_runtime, unit_of_work
from archive.web.errors import refusal
from archive.web.routing import Audience, area

bp = Blueprint("intake", __name__, url_prefix="/moderate/ingest", template_folder="templates")
bp.before_request(require_staff)
area(bp, Audience.STAFF)
DAYS = 14


@bp.get("/")
def status() -> Any:
    """Show today's and recent files with their outcome and reason, and the counts."""
    now = datetime.now(KST)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with get_runtime().db.session() as session:
        days = recent_days(session, KST, DAYS, now)
        today = totals(session, midnight)
        week = totals(session, midnight - timedelta(days=6))
    failed = [line for day in days for line in day.files if line.can_retry]
    return render_template(
        "moderate/intake.html",
        days=days,
        today=today,
        week=week,
        failed=failed,
        today_key=now.date().isoformat(),
        labels=INGEST_OUTCOME_LABELS,
        staff_links=current_user.role != StaffRole.OPERATOR,
        form=FlaskForm(),
        span=DAYS,
    )


@bp.post("/retry")
def retry() -> Any:
    """Ask the ingest worker to put a failed file back into the inbox."""
    path = request.form.get("path", "")[:1000]
    if not FlaskForm().validate_on_submit() or not path:
        flash("요청을 처리하지 못했습니다. 화면을 새로 고쳐 다시 해 주세요.", "error")
        return redirect(url_for("intake.status"), code=303)
    try:
        with unit_of_work() as session:
            request_retry(session, path, actor=str(current_user.name))
    except ArchiveError as exc:
        flash(refusal(exc), "error")
    else:
        flash(
            f"{path}: 다시 시도를 예약했습니다. 수집 프로그램이 곧 inbox로 돌려놓고 처리합니다.",
            "info",
        )
    return redirect(url_for("intake.status"), code=303)
