"""The public contribution form and each contributor's private status page."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage

from archive.errors import ArchiveError, IngestError, NotFound
from archive.features.contributions.forms import (
    ContributeForm,
    PhotoEntryForm,
    has_file,
)
from archive.features.contributions.uploads import (
    Upload,
    analysed_uploads,
    citizen_reason,
    receive_contribution,
)
from archive.features.voices.forms import ConsentWithdrawalForm
from archive.features.voices.receive import withdraw_consent
from archive.records.contributions import Contributor, find_by_token, outcomes
from archive.records.notices import schedule_digest
from archive.runtime import Runtime
from archive.web import get_runtime, unit_of_work
from archive.web.errors import refusal
from archive.web.extensions import limiter
from archive.web.forms import form_problems
from archive.web.labels import retention_text
from archive.web.routing import Audience, route
from archive.web.sending import private_jpeg

bp = Blueprint("contribute", __name__, url_prefix="/contribute", template_folder="templates")


def _contribute_limit() -> str:
    return get_runtime().settings.contribute_rate_limit


def _voice_limit() -> str:
    return get_runtime().settings.voice_rate_limit


@bp.route("", methods=["GET", "POST"])
@route(Audience.VISITOR)
@limiter.limit(_contribute_limit, methods=["POST"])
def form() -> Any:
    """Show the form, or receive photos and send the contributor to their status page."""
    runtime = get_runtime()
    form = ContributeForm()
    if request.method == "GET":
        wanted = request.args.get("n", "1")
        count = min(int(wanted), runtime.settings.upload_max_photos) if wanted.isdigit() else 1
        while len(form.photos) < count:
            form.photos.append_entry()
    else:
        valid = form.validate_on_submit()
        if _acceptable(form, runtime) and valid:  # both run: every problem is said at once
            token = _receive(form, runtime)
            if token is not None:
                return redirect(url_for("contribute.status", token=token, new=1), code=303)
    status = 400 if request.method == "POST" else 200
    page = render_template(
        "contribute/form.html",
        form=form,
        problems=form_problems(form),
        choose_again=request.method == "POST" and any(has_file(e.form) for e in form.photos),
        settings=runtime.settings,
        place_names=sorted({place.name for place in runtime.gazetteer.places.values()}),
        retention=retention_text(runtime.settings.personal_data_retention_days),
    )
    return page, status


def _acceptable(form: ContributeForm, runtime: Runtime) -> bool:
    """Check what the field validators cannot: the photos as a whole (every problem noted)."""
    if form.website.data:
        form.website.errors = [*form.website.errors, "이 칸은 비워 두어야 합니다."]
    chosen = [entry for entry in form.photos if has_file(entry.form)]
    limit = runtime.settings.upload_max_photos
    for entry in form.photos:
        if not has_file(entry.form) and _has_text(entry.form):
            _note(entry.form.file, "이 칸의 사진 파일을 골라 주세요.")
    if not chosen:
        _note(form.photos[0].form.file, "보낼 사진을 하나 이상 골라 주세요.")
    if len(chosen) > limit:
        _note(form.photos[0].form.file, f"사진은 한 번에 {limit}장까지 보낼 수 있습니다.")
    return not form.website.data and not any(e.form.file.errors for e in form.photos)


def _note(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


def _has_text(entry: PhotoEntryForm) -> bool:
    return any((getattr(entry, name).data or "").strip() for name in ("date", "place", "story"))


@contextlib.contextmanager
def _saved(upload: FileStorage, directory: Path) -> Iterator[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix="upload-", suffix=".part")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            upload.save(out)
        yield path
    finally:
        path.unlink(missing_ok=True)


def _receive(form: ContributeForm, runtime: Runtime) -> str | None:
    """Decode every photo in a decoder process; store them all, or none when one is refused.

    :raises DecoderBusy: when every decoder stays busy (the visitor is asked to retry).
    """
    entries = [entry.form for entry in form.photos if has_file(entry.form)]
    with contextlib.ExitStack() as stack:
        temp = runtime.settings.data_dir / "tmp"
        paths = [stack.enter_context(_saved(entry.file.data, temp)) for entry in entries]
        settings = runtime.settings
        analyses = stack.enter_context(
            analysed_uploads(runtime.upload_decoders(), paths, settings.upload_wait_seconds)
        )
        refused = False
        for entry, outcome in zip(entries, analyses, strict=True):
            if isinstance(outcome, IngestError):
                entry.file.errors.append(citizen_reason(outcome))
                refused = True
        if refused:
            return None
        uploads = [
            (Upload(path, _entry_fields(entry), entry.file.data.filename or ""), analysis)
            for entry, path, analysis in zip(entries, paths, analyses, strict=True)
        ]
        return _store(form, runtime, uploads)


def _entry_fields(entry: PhotoEntryForm) -> dict[str, str]:
    return {
        "title": entry.title.data or "",
        "description": entry.story.data or "",
        "date": entry.date.data or "",
        "place": entry.place.data or "",
        "people": entry.people.data or "",
    }


def _store(form: ContributeForm, runtime: Runtime, uploads: list[tuple[Upload, Any]]) -> str:
    contributor = Contributor(
        name=form.name.data or "",
        contact=form.contact.data or "",
        show_name=bool(form.show_name.data),
        rights=form.rights.data or "",
    )
    with unit_of_work() as session:
        return receive_contribution(session, runtime, contributor, uploads)


@bp.get("/status/<token>")
@route(Audience.SECRET, secret="token")
def status(token: str) -> Response:
    """Show a contributor how each of their photos stands (the link is the only key)."""
    with get_runtime().db.session() as session:
        contribution = find_by_token(session, token)
        if contribution is None:
            abort(404)
        page = render_template(
            "contribute/status.html",
            contribution=contribution,
            outcomes=outcomes(contribution),
            withdrawal=ConsentWithdrawalForm(),
            token=token,
            new=request.args.get("new") == "1",
        )
    return Response(page)


@bp.post("/status/<token>/<public_id>/withdraw")
@route(Audience.SECRET, secret="token")
@limiter.shared_limit(_voice_limit, scope="voices")
def withdraw(token: str, public_id: str) -> Any:
    """Withdraw consent for one contributed photo and ask for its erasure."""
    form = ConsentWithdrawalForm()
    if not form.validate_on_submit():
        flash("동의 철회를 확인하는 칸에 표시한 뒤 다시 보내 주세요.", "error")
        return redirect(url_for("contribute.status", token=token), code=303)
    try:
        request_token = _withdraw(token, public_id, form.details.data or "")
    except NotFound:
        abort(404)
    except ArchiveError as exc:
        flash(refusal(exc), "error")
        return redirect(url_for("contribute.status", token=token), code=303)
    return redirect(url_for("voices.status", token=request_token, new=1), code=303)


def _withdraw(token: str, public_id: str, details: str) -> str:
    """Record the request in one unit of work; return its status-link secret."""
    with unit_of_work() as session:
        contribution = find_by_token(session, token)
        photo = next(
            (p for p in (contribution.photos if contribution else []) if p.public_id == public_id),
            None,
        )
        if photo is None:
            raise NotFound("not a photo of this contribution")
        item, request_token = withdraw_consent(session, photo, details)
        schedule_digest(session, get_runtime().settings, item.created_at)
    return request_token


@bp.get("/status/<token>/<public_id>.jpg")
@route(Audience.SECRET, secret="token")
def status_thumb(token: str, public_id: str) -> Response:
    """Return the thumbnail of one of the contributor's own photos (private, not cached)."""
    runtime = get_runtime()
    with runtime.db.session() as session:
        contribution = find_by_token(session, token)
        photo = next(
            (p for p in (contribution.photos if contribution else []) if p.public_id == public_id),
            None,
        )
        thumb = photo.derivative("thumb") if photo is not None else None
        if thumb is None:
            abort(404)
        backend, key = thumb.backend, thumb.key
    return private_jpeg(backend, key)
