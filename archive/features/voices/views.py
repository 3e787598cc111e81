"""Visitors' voices on a photo: share a memory, suggest what they know, ask for a change.

Each action is its own short page (the photo page stays cacheable for everyone, and a
form works without JavaScript); sending leads to a private status page, like a
contribution's. Nothing is public before a moderator decides.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from archive.errors import InvalidChange, NotFound
from archive.features.voices.forms import RELATIONS, VoiceForm, form_for
from archive.features.voices.receive import Sender, Voice, find_by_token, receive
from archive.fields import BY_NAME, SUGGESTABLE
from archive.records.notices import schedule_digest
from archive.statuses import (
    KIND_LABELS,
    REASON_LABELS,
    RESOLUTION_LABELS,
    RecordStatus,
    SubmissionKind,
    state_label,
)
from archive.web import get_runtime, unit_of_work
from archive.web.cards import public_card
from archive.web.errors import refusal
from archive.web.extensions import limiter
from archive.web.labels import retention_text
from archive.web.routing import Audience, route

bp = Blueprint("voices", __name__, template_folder="templates")
ACTIONS = {
    "memory": SubmissionKind.MEMORY,
    "identify": SubmissionKind.SUGGESTION,
    "request": SubmissionKind.REQUEST,
}
TITLES = {
    SubmissionKind.MEMORY: "기억 나누기",
    SubmissionKind.SUGGESTION: "이 사진을 아시나요?",
    SubmissionKind.REQUEST: "수정·삭제 요청",
}
# Which form field a refusal belongs to (the rest belong to the text itself).
REFUSED_FIELD = {
    "unknown_field": "field",
    "invalid_value": "reason",
    "contact_required": "contact",
    "invalid_contact": "contact",
}


def _voice_limit() -> str:
    return get_runtime().settings.voice_rate_limit


@bp.route("/photos/<public_id>/<any(memory, identify, request):action>", methods=["GET", "POST"])
@route(Audience.VISITOR)
@limiter.shared_limit(_voice_limit, scope="voices", methods=["POST"])
def voice(public_id: str, action: str) -> Any:
    """Show one of the three forms for a published photo, or receive it."""
    kind = ACTIONS[action]
    runtime = get_runtime()
    try:
        _record, card = public_card(runtime, public_id)
    except NotFound:
        abort(404)
    form = form_for(kind)
    if request.method == "GET" and kind == SubmissionKind.SUGGESTION:
        wanted = request.args.get("field", "")
        form.field.data = wanted if wanted in SUGGESTABLE else None
    if request.method == "POST" and form.validate_on_submit():
        if form.is_bot():
            form.website.errors = ["이 칸은 비워 두어야 합니다."]
        else:
            token = _receive(public_id, form)
            if token is not None:
                return redirect(url_for("voices.status", token=token, new=1), code=303)
    page = render_template(
        "voices/form.html",
        form=form,
        kind=kind,
        action=action,
        title=TITLES[kind],
        card=card,
        relations=RELATIONS,
        limits={name: BY_NAME[name].max_length for name in SUGGESTABLE},
        retention=retention_text(runtime.settings.personal_data_retention_days),
        mail_enabled=runtime.settings.mail_enabled,
    )
    return page, 400 if request.method == "POST" else 200


def _receive(public_id: str, form: VoiceForm) -> str | None:
    """Record the voice; on a refusal, put the reason on its field and return None."""
    runtime = get_runtime()
    kind = form.kind
    name = (form.name.data or "").strip()
    voice = Voice(
        kind,
        form.body.data or "",
        field=_value(form, "field"),
        relation=_value(form, "relation"),
        source_note=_value(form, "source_note"),
        reason=_value(form, "reason"),
    )
    sender = Sender(
        name=name,
        show_name=kind == SubmissionKind.MEMORY and bool(name),
        contact=form.contact.data or "",
        notify=bool(form.notify.data),
    )
    try:
        with unit_of_work() as session:
            item, token = receive(session, public_id, voice, sender, runtime.gazetteer)
            schedule_digest(session, runtime.settings, item.created_at)
    except NotFound:
        abort(404)
    except InvalidChange as exc:
        target = getattr(form, REFUSED_FIELD.get(exc.code, "body"))
        target.errors = [*target.errors, refusal(exc)]
        return None
    return token


def _value(form: VoiceForm, name: str) -> str:
    field = getattr(form, name, None)
    return str(field.data or "") if field is not None else ""


@bp.get("/voices/<token>")
@route(Audience.SECRET, secret="token")
def status(token: str) -> Response:
    """Show a sender how their memory, suggestion or request stands (the link is the key)."""
    runtime = get_runtime()
    with runtime.db.session() as session:
        item = find_by_token(session, token)
        if item is None:
            abort(404)
        photo = item.photo
        shown = photo.status == RecordStatus.PUBLISHED
        page = render_template(
            "voices/status.html",
            item=item,
            photo=photo,
            shown=shown,
            card=public_card(runtime, photo.public_id)[1] if shown else None,
            kind_label=KIND_LABELS[SubmissionKind(item.kind)],
            state_label=state_label(item.kind, item.state),
            reason_label=REASON_LABELS.get(item.reason, ""),  # type: ignore[call-overload]
            resolution_label=RESOLUTION_LABELS.get(item.resolution, ""),  # type: ignore[call-overload]
            field_label=BY_NAME[item.field].label_ko if item.field in BY_NAME else "",
            new=request.args.get("new") == "1",
            token=token,
        )
    return Response(page)
