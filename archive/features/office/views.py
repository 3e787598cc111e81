"""Staff pages for the office: report figures, the audit log and the staff accounts."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, render_template, request

from archive.background import kind_label
from archive.features.accounts.access import admin_required, require_staff
from archive.features.accounts.users import list_users
from archive.features.office.charts import monthly_bars
from archive.features.office.reports import (
    COLUMNS,
    LABELS,
    PHOTO_COLUMNS,
    VOICE_COLUMNS,
    monthly_figures,
    open_requests,
    totals,
)
from archive.jobs.queue import failed_jobs
from archive.paging import page_count
from archive.records.events import list_events
from archive.web import get_runtime
from archive.web.labels import EVENT_LABELS
from archive.web.routing import Audience, area
from archive.web.urls import requested_page

bp = Blueprint("office", __name__, url_prefix="/moderate", template_folder="templates")
bp.before_request(require_staff)
area(bp, Audience.STAFF)
AUDIT_PAGE = 100


@bp.get("/dashboard")
def dashboard() -> str:
    """Show monthly figures: scanned, catalogued, published, contributed, approved, rejected."""
    with get_runtime().db.session() as session:
        rows = monthly_figures(session)
        waiting = open_requests(session)
        given_up = [{**job, "label": kind_label(job["kind"])} for job in failed_jobs(session)]
    return render_template(
        "moderate/dashboard.html",
        rows=rows,
        charts={
            "사진": monthly_bars(rows, ("scanned", "published", "contributed"), LABELS),
            "시민 참여": monthly_bars(rows, ("memories", "suggestions", "requests"), LABELS),
        },
        totals=totals(rows),
        tables=(("사진", PHOTO_COLUMNS), ("시민 참여", VOICE_COLUMNS)),
        labels=LABELS,
        waiting=waiting,
        given_up=given_up,
    )


@bp.get("/dashboard.csv")
def dashboard_csv() -> Response:
    """Return the monthly figures as CSV that Korean Excel opens (UTF-8 with BOM)."""
    with get_runtime().db.session() as session:
        rows = monthly_figures(session)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["월", *(LABELS[name] for name in COLUMNS)])
    for row in rows:
        writer.writerow([row["month"], *(row[name] for name in COLUMNS)])
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=archive-figures.csv"},
    )


@bp.get("/audit")
@admin_required
def audit() -> Any:
    """Show the append-only log of decisions and edits, newest first (admins only)."""
    page = requested_page(last=100_000)
    actor = request.args.get("actor", "")[:64] or None
    kind = request.args.get("kind", "")[:32] or None
    with get_runtime().db.session() as session:
        events, total = list_events(session, actor=actor, kind=kind, page=page, per_page=AUDIT_PAGE)
        return render_template(
            "moderate/audit.html",
            events=events,
            total=total,
            page=page,
            pages=page_count(total, AUDIT_PAGE),
            actor=actor or "",
            kind=kind or "",
            event_labels=EVENT_LABELS,
        )


@bp.get("/users")
@admin_required
def users() -> str:
    """List the staff accounts (admins only; accounts are managed with `archive users`)."""
    with get_runtime().db.session() as session:
        return render_template("moderate/users.html", users=list_users(session))
