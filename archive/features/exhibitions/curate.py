"""Staff curate exhibitions: a list, an editing page, and one POST per change.

Every change goes through archive.features.exhibitions.curation (checked, logged in the audit log)
and comes back to the editing page with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from archive.errors import ArchiveError, NotFound
from archive.features.accounts.access import require_staff
from archive.features.exhibitions import curation
from archive.models import Exhibition, Photo
from archive.records.public import media_for
from archive.statuses import EXHIBITION_STATUS_LABELS, RECORD_STATUS_LABELS
from archive.web import get_runtime, unit_of_work
from archive.web.cards import media_url
from archive.web.errors import refusal
from archive.web.routing import Audience, area

bp = Blueprint("curate", __name__, url_prefix="/moderate/exhibitions", template_folder="templates")
bp.before_request(require_staff)
area(bp, Audience.STAFF)

ITEM_ACTIONS = ("caption", "up", "down", "cover", "remove")


class ExhibitionForm(FlaskForm):
    """An exhibition's title, address and introduction."""

    title = StringField("제목", [DataRequired("제목을 적어 주세요."), Length(max=200)])
    slug = StringField("주소 (영문)", [Optional(), Length(max=60)])
    introduction = TextAreaField("소개 글", [Optional(), Length(max=5000)])


class AddPhotoForm(FlaskForm):
    """A photo to add, named by its number, 관리번호 or page address, with a caption."""

    photo = StringField("사진 번호, 관리번호 또는 사진 주소", [DataRequired("사진을 알려 주세요.")])
    caption = TextAreaField("더할 사진의 설명 (이 전시에서)", [Optional(), Length(max=1000)])


def _actor() -> str:
    return str(current_user.name)


def _load(session: Session, exhibition_id: int) -> Exhibition:
    exhibition = session.get(Exhibition, exhibition_id)
    if exhibition is None:
        abort(404)
    return exhibition


def _change(exhibition_id: int, apply: Callable[[Session, Exhibition], Any], done: str) -> Any:
    try:
        with unit_of_work() as session:
            apply(session, _load(session, exhibition_id))
    except ArchiveError as exc:
        flash(f"저장하지 못했습니다: {refusal(exc)}", "error")
    else:
        flash(done, "info")
    if done == DELETED:
        return redirect(url_for("curate.listing"), code=303)
    return redirect(url_for("curate.edit", exhibition_id=exhibition_id), code=303)


def _form_errors(form: FlaskForm) -> str:
    return " ".join(m for ms in form.errors.values() for m in ms)


DELETED = "전시를 지웠습니다. 사진들은 그대로 있습니다."


@bp.get("/")
def listing() -> Any:
    """List every exhibition, drafts first, with a form to start a new one."""
    with get_runtime().db.session() as session:
        rows = list(
            session.scalars(
                select(Exhibition).order_by(Exhibition.status, Exhibition.updated_at.desc())
            )
        )
        return render_template(
            "moderate/exhibitions.html",
            exhibitions=rows,
            counts={e.id: len(e.items) for e in rows},
            labels=EXHIBITION_STATUS_LABELS,
            form=ExhibitionForm(),
        )


@bp.post("/")
def create() -> Any:
    """Start a draft exhibition and open its editing page."""
    form = ExhibitionForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return redirect(url_for("curate.listing"), code=303)
    try:
        with unit_of_work() as session:
            exhibition = curation.create_exhibition(
                session,
                title=form.title.data or "",
                slug=form.slug.data or "",
                introduction=form.introduction.data or "",
                actor=_actor(),
            )
            new_id = exhibition.id
    except ArchiveError as exc:
        flash(f"만들지 못했습니다: {refusal(exc)}", "error")
        return redirect(url_for("curate.listing"), code=303)
    flash("전시를 만들었습니다. 사진을 더해 주세요.", "info")
    return redirect(url_for("curate.edit", exhibition_id=new_id), code=303)


@bp.get("/<int(max=2147483647):exhibition_id>")
def edit(exhibition_id: int) -> Any:
    """Show an exhibition's details, its photos in order and what can be done."""
    with get_runtime().db.session() as session:
        exhibition = _load(session, exhibition_id)
        photos = {
            p.id: p
            for p in session.scalars(
                select(Photo).where(Photo.id.in_([i.photo_id for i in exhibition.items]))
            )
        }
        media = media_for(session, [p.public_id for p in photos.values()])
        items = [
            {
                "item": item,
                "photo": photos[item.photo_id],
                "thumb": media.get(photos[item.photo_id].public_id, {}).get("thumb"),
            }
            for item in exhibition.items
        ]
        form = ExhibitionForm(data=_details(exhibition))
        return render_template(
            "moderate/exhibition.html",
            exhibition=exhibition,
            items=items,
            form=form,
            add_form=AddPhotoForm(),
            labels=EXHIBITION_STATUS_LABELS,
            record_labels=RECORD_STATUS_LABELS,
            media_url=media_url,
        )


def _details(exhibition: Exhibition) -> dict[str, str]:
    return {
        "title": exhibition.title,
        "slug": exhibition.slug,
        "introduction": exhibition.introduction,
    }


@bp.post("/<int(max=2147483647):exhibition_id>")
def save(exhibition_id: int) -> Any:
    """Save the title, address and introduction."""
    form = ExhibitionForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return redirect(url_for("curate.edit", exhibition_id=exhibition_id), code=303)
    return _change(
        exhibition_id,
        lambda session, exhibition: curation.update_exhibition(
            session,
            exhibition,
            title=form.title.data or "",
            slug=form.slug.data or "",
            introduction=form.introduction.data or "",
            actor=_actor(),
        ),
        "저장했습니다.",
    )


@bp.post("/<int(max=2147483647):exhibition_id>/items")
def add(exhibition_id: int) -> Any:
    """Add a photo at the end."""
    form = AddPhotoForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return redirect(url_for("curate.edit", exhibition_id=exhibition_id), code=303)
    return _change(
        exhibition_id,
        lambda session, exhibition: curation.add_photo(
            session, exhibition, form.photo.data or "", form.caption.data or "", actor=_actor()
        ),
        "사진을 더했습니다.",
    )


@bp.post("/<int(max=2147483647):exhibition_id>/items/<int(max=2147483647):item_id>")
def item(exhibition_id: int, item_id: int) -> Any:
    """Change one photo of the exhibition: its caption, place in the order, cover, removal."""
    form = FlaskForm()  # CSRF only; the fields are read below
    action = request.form.get("action", "")
    if not form.validate_on_submit() or action not in ITEM_ACTIONS:
        flash("요청을 처리하지 못했습니다. 화면을 새로 고쳐 다시 해 주세요.", "error")
        return redirect(url_for("curate.edit", exhibition_id=exhibition_id), code=303)
    caption = request.form.get("caption", "")

    def apply(session: Session, exhibition: Exhibition) -> None:
        try:
            entry = curation.item_of(exhibition, item_id)
        except NotFound:
            abort(404)
        actor = _actor()
        if action == "caption":
            curation.set_caption(session, exhibition, entry, caption, actor=actor)
        elif action in ("up", "down"):
            curation.move_item(
                session, exhibition, entry, 1 if action == "down" else -1, actor=actor
            )
        elif action == "cover":
            curation.set_cover(session, exhibition, entry, actor=actor)
        else:
            curation.remove_item(session, exhibition, entry, actor=actor)

    return _change(exhibition_id, apply, ITEM_DONE[action])


ITEM_DONE = {
    "caption": "설명을 저장했습니다.",
    "up": "순서를 바꿨습니다.",
    "down": "순서를 바꿨습니다.",
    "cover": "대표 사진으로 정했습니다.",
    "remove": "전시에서 뺐습니다. 사진 자체는 그대로 있습니다.",
}
STATUS_DONE = {
    "publish": "전시를 공개했습니다.",
    "unpublish": "전시를 비공개로 돌렸습니다.",
    "delete": DELETED,
}


@bp.post("/<int(max=2147483647):exhibition_id>/<any(publish, unpublish, delete):action>")
def status(exhibition_id: int, action: str) -> Any:
    """Publish, unpublish or delete (drafts only) an exhibition."""
    if not FlaskForm().validate_on_submit():
        flash("요청을 처리하지 못했습니다. 화면을 새로 고쳐 다시 해 주세요.", "error")
        return redirect(url_for("curate.edit", exhibition_id=exhibition_id), code=303)
    change = {
        "publish": curation.publish,
        "unpublish": curation.unpublish,
        "delete": curation.delete_draft,
    }[action]
    return _change(
        exhibition_id,
        lambda session, exhibition: change(session, exhibition, actor=_actor()),
        STATUS_DONE[action],
    )
