"""Admins edit the reference tables in the browser: the gazetteer, the variants and the
named periods. One row at a time, or a whole CSV exported, edited in Excel and imported;
every change goes through archive.tables.store (checked, revisioned, audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from archive.errors import ArchiveError
from archive.features.accounts.access import admin_required, require_staff
from archive.tables import TABLES
from archive.tables import store as service
from archive.web import get_runtime, unit_of_work
from archive.web.errors import refusal
from archive.web.routing import Audience, area

bp = Blueprint("tables", __name__, url_prefix="/moderate/tables", template_folder="templates")
bp.before_request(require_staff)
area(bp, Audience.STAFF)

TABLE_NAME = "<any(gazetteer, variants, periods):name>"
ROW = "<int(max=100000):index>"


@bp.get("/")
@admin_required
def index() -> Any:
    """List the reference tables with their state (the file or an admin's copy)."""
    settings = get_runtime().settings
    with get_runtime().db.session() as session:
        states = [service.current(session, settings, name) for name in TABLES]
    return render_template("moderate/tables.html", states=states)


@bp.get(f"/{TABLE_NAME}")
@admin_required
def show(name: str) -> Any:
    """Show a table's rows (filtered by ?find=) with the forms that change it."""
    query = request.args.get("find", "")[:100].strip()
    with get_runtime().db.session() as session:
        state = service.current(session, get_runtime().settings, name)
    rows = [(n, row) for n, row in enumerate(state.table.records())
            if not query or any(query in cell for cell in row.values())]  # fmt: skip
    return render_template("moderate/table.html", state=state, rows=rows, query=query)


@bp.get(f"/{TABLE_NAME}/rows/{ROW}")
@admin_required
def row(name: str, index: int) -> Any:
    """Show the form for one row."""
    with get_runtime().db.session() as session:
        state = service.current(session, get_runtime().settings, name)
    records = state.table.records()
    if index >= len(records):
        abort(404)
    return render_template("moderate/table_row.html", state=state, index=index, row=records[index])


@bp.post(f"/{TABLE_NAME}/rows")
@admin_required
def add(name: str) -> Any:
    """Add a row at the end of the table."""
    return _put(name, None, "한 줄을 더했습니다.")


@bp.post(f"/{TABLE_NAME}/rows/{ROW}")
@admin_required
def save_row(name: str, index: int) -> Any:
    """Save one row's new values."""
    return _put(name, index, "고쳤습니다.")


def _put(name: str, index: int | None, done: str) -> Any:
    """Save the posted row at index (None: a new last row)."""
    return _change(
        name,
        lambda session: service.put_row(
            session, *_common(name), index, _values(), actor=_actor(), revision=_revision()
        ),
        done,
    )


@bp.post(f"/{TABLE_NAME}/rows/{ROW}/delete")
@admin_required
def delete_row(name: str, index: int) -> Any:
    """Remove one row (refused when other rows still refer to it)."""
    return _change(
        name,
        lambda session: service.delete_row(
            session, *_common(name), index, actor=_actor(), revision=_revision()
        ),
        "한 줄을 지웠습니다.",
    )


@bp.get(f"/{TABLE_NAME}.csv")
@admin_required
def export(name: str) -> Any:
    """Download the table in use as CSV (UTF-8 with a BOM, which Korean Excel opens)."""
    with get_runtime().db.session() as session:
        state = service.current(session, get_runtime().settings, name)
    body = "\ufeff" + state.table.text()
    disposition = f'attachment; filename="{name}-r{state.revision}.csv"'
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": disposition})


@bp.post(f"/{TABLE_NAME}/import")
@admin_required
def import_csv(name: str) -> Any:
    """Replace the whole table with an uploaded CSV (UTF-8 or CP949), checked first."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("가져올 CSV 파일을 골라 주세요.", "error")
        return redirect(url_for("tables.show", name=name), code=303)
    data = upload.read(service.MAX_BYTES + 1)
    return _change(
        name,
        lambda session: service.save(
            session, *_common(name), data, actor=_actor(), revision=None, how="CSV 가져오기"
        ),
        "CSV를 가져와 표를 바꿨습니다.",
    )


@bp.post(f"/{TABLE_NAME}/reset")
@admin_required
def reset(name: str) -> Any:
    """Go back to the packaged (or configured) table."""
    return _change(
        name,
        lambda session: service.reset(session, *_common(name), actor=_actor()),
        "기본 표로 되돌렸습니다.",
    )


def _common(name: str) -> tuple[Any, str]:
    return get_runtime().settings, name


def _values() -> dict[str, str]:
    return {key.removeprefix("col-"): value[: service.MAX_CELL + 1]
            for key, value in request.form.items() if key.startswith("col-")}  # fmt: skip


def _revision() -> int:
    try:
        return int(request.form.get("revision", ""))
    except ValueError:
        return -1  # refused as stale: the page is reloaded


def _actor() -> str:
    return str(current_user.name)


def _change(name: str, apply: Callable[[Session], Any], done: str) -> Any:
    try:
        with unit_of_work() as session:
            apply(session)
    except ArchiveError as exc:
        flash(f"저장하지 못했습니다: {refusal(exc)}", "error")
        back = request.form.get("back", "")
        if back.startswith("/moderate/tables/"):
            return redirect(back, code=303)
    else:
        get_runtime().refresh_tables()
        flash(done, "info")
    return redirect(url_for("tables.show", name=name), code=303)
