"""Curate exhibitions: every change is checked here, logged, and marks public pages stale
when visitors can see the exhibition."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from archive.db import mark_public_change
from archive.errors import InvalidChange, NotFound
from archive.models import Exhibition, ExhibitionItem, Photo
from archive.records.events import record_event
from archive.records.photos import touch
from archive.statuses import ExhibitionStatus, RecordStatus

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG = 60
MAX_TITLE = 200
MAX_INTRODUCTION = 5_000
MAX_CAPTION = 1_000
MAX_ITEMS = 500
# A photo can be named by its public id, its 관리번호, or its page's address.
PHOTO_URL = re.compile(r"/photos/([0-9a-z]{4,16})(?:[/?#]|$)")


def _refuse(code: str, korean: str, english: str) -> InvalidChange:
    return InvalidChange(code, english, korean)


def _clean_text(value: str, limit: int, label: str, required: bool = False) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise _refuse("invalid_value", f"{label}을(를) 적어 주세요", f"{label} is required")
    if len(text) > limit:
        raise _refuse(
            "invalid_value", f"{label}은(는) {limit:,}자까지입니다", f"{label} is too long"
        )
    return text


def _clean_slug(session: Session, slug: str, exhibition: Exhibition | None) -> str:
    slug = (slug or "").strip().lower()
    if not slug:
        count = session.scalar(select(func.count()).select_from(Exhibition)) or 0
        slug = f"exhibition-{count + 1}"
        while session.scalar(select(Exhibition.id).where(Exhibition.slug == slug)):
            count += 1
            slug = f"exhibition-{count + 1}"
    if len(slug) > MAX_SLUG or not SLUG.fullmatch(slug):
        raise _refuse(
            "invalid_value",
            "주소는 영문 소문자, 숫자와 하이픈(-)으로 60자까지 적어 주세요 (예: yeongsanpo-1970)",
            "the address takes lowercase letters, digits and hyphens",
        )
    taken = session.scalar(select(Exhibition.id).where(Exhibition.slug == slug))
    if taken and (exhibition is None or taken != exhibition.id):
        raise _refuse("invalid_value", f"주소 {slug}은(는) 이미 쓰였습니다", f"{slug} is taken")
    return slug


# What each change is called in the audit log.
ACTIONS = {
    "created": "전시 만듦",
    "edited": "전시 정보 고침",
    "photo_added": "사진 더함",
    "caption_changed": "사진 설명 고침",
    "reordered": "사진 순서 바꿈",
    "photo_removed": "사진 뺌",
    "cover_changed": "대표 사진 바꿈",
    "published": "전시 공개",
    "unpublished": "전시 비공개로 돌림",
    "deleted": "전시 지움",
}


def _log(session: Session, exhibition: Exhibition, action: str, actor: str, **extra: str) -> None:
    detail = {
        "exhibition": exhibition.slug,
        "exhibition_id": exhibition.id,
        "exhibition_title": exhibition.title,
        "action": action,
        **extra,
    }
    photo = None
    if "photo" in extra:
        photo = session.scalar(select(Photo).where(Photo.public_id == extra["photo"]))
    message = f"{ACTIONS[action]}: 「{exhibition.title}」"
    record_event(session, "exhibition", actor=actor, photo=photo, message=message, detail=detail)
    exhibition.updated_at = datetime.now(UTC)
    if exhibition.status == ExhibitionStatus.PUBLISHED or action == "unpublished":
        mark_public_change(session)
        _touch_members(session, exhibition, action, photo)


# Changes that alter what a member photo's harvested record says of the exhibition (its
# relation: the exhibition's address and title); captions and order do not.
_RELATION_CHANGES = {"published", "unpublished", "edited"}


def _touch_members(
    session: Session, exhibition: Exhibition, action: str, photo: Photo | None
) -> None:
    if action in _RELATION_CHANGES:
        touch(session, [item.photo_id for item in exhibition.items])
    elif action in ("photo_added", "photo_removed") and photo is not None:
        touch(session, [photo.id])


def create_exhibition(
    session: Session, *, title: str, slug: str, introduction: str, actor: str
) -> Exhibition:
    """Start a draft exhibition."""
    exhibition = Exhibition(
        title=_clean_text(title, MAX_TITLE, "제목", required=True),
        slug=_clean_slug(session, slug, None),
        introduction=_clean_text(introduction, MAX_INTRODUCTION, "소개 글"),
        status=ExhibitionStatus.DRAFT,
        created_by=actor,
    )
    session.add(exhibition)
    session.flush()
    _log(session, exhibition, "created", actor)
    return exhibition


def update_exhibition(
    session: Session,
    exhibition: Exhibition,
    *,
    title: str,
    slug: str,
    introduction: str,
    actor: str,
) -> None:
    """Change the title, introduction and (while a draft) the address."""
    new_slug = _clean_slug(session, slug or exhibition.slug, exhibition)
    if new_slug != exhibition.slug and exhibition.status == ExhibitionStatus.PUBLISHED:
        raise _refuse(
            "invalid_value",
            "공개된 전시의 주소는 바꿀 수 없습니다 (이미 공유된 링크가 끊깁니다)",
            "a published exhibition keeps its address",
        )
    exhibition.title = _clean_text(title, MAX_TITLE, "제목", required=True)
    exhibition.introduction = _clean_text(introduction, MAX_INTRODUCTION, "소개 글")
    exhibition.slug = new_slug
    _log(session, exhibition, "edited", actor)


def find_photo(session: Session, reference: str) -> Photo:
    """Return the record named by a public id, a 관리번호 or a photo page's address.

    :raises InvalidChange: when nothing (or only an erased record) answers to it.
    """
    text = (reference or "").strip()
    match = PHOTO_URL.search(text)
    key = match.group(1) if match else text
    photo = None
    if key:
        photo = session.scalar(
            select(Photo).where(
                or_(Photo.public_id == key, Photo.identifier == key),
                Photo.status != RecordStatus.ERASED,
            )
        )
    if photo is None:
        raise _refuse(
            "invalid_value",
            f"'{text[:60]}'에 해당하는 사진이 없습니다. "
            "사진 번호, 관리번호 또는 사진 주소를 넣어 주세요",
            "no such photo",
        )
    return photo


def add_photo(
    session: Session, exhibition: Exhibition, reference: str, caption: str, *, actor: str
) -> ExhibitionItem:
    """Add a photo at the end of the exhibition, with its own caption."""
    photo = find_photo(session, reference)
    if any(item.photo_id == photo.id for item in exhibition.items):
        raise _refuse("invalid_value", "이미 이 전시에 있는 사진입니다", "already in it")
    if len(exhibition.items) >= MAX_ITEMS:
        raise _refuse("invalid_value", f"한 전시에는 {MAX_ITEMS}장까지 넣을 수 있습니다", "full")
    position = max((item.position for item in exhibition.items), default=-1) + 1
    item = ExhibitionItem(
        photo_id=photo.id,
        position=position,
        caption=_clean_text(caption, MAX_CAPTION, "설명"),
    )
    exhibition.items.append(item)
    if exhibition.cover_photo_id is None:
        exhibition.cover_photo_id = photo.id
    session.flush()
    _log(session, exhibition, "photo_added", actor, photo=photo.public_id)
    return item


def item_of(exhibition: Exhibition, item_id: int) -> ExhibitionItem:
    """Return one of the exhibition's items.

    :raises NotFound: for an item of another exhibition or none.
    """
    for item in exhibition.items:
        if item.id == item_id:
            return item
    raise NotFound(str(item_id))


def _photo_id(session: Session, item: ExhibitionItem) -> str:
    return session.scalar(select(Photo.public_id).where(Photo.id == item.photo_id)) or ""


def set_caption(
    session: Session, exhibition: Exhibition, item: ExhibitionItem, caption: str, *, actor: str
) -> None:
    """Change the caption a photo has in this exhibition."""
    item.caption = _clean_text(caption, MAX_CAPTION, "설명")
    _log(session, exhibition, "caption_changed", actor, photo=_photo_id(session, item))


def move_item(
    session: Session, exhibition: Exhibition, item: ExhibitionItem, step: int, *, actor: str
) -> None:
    """Move a photo one place earlier (step -1) or later (+1) in the order."""
    items = sorted(exhibition.items, key=lambda i: i.position)
    at = items.index(item)
    to = at + (1 if step > 0 else -1)
    if not 0 <= to < len(items):
        return
    items[at], items[to] = items[to], items[at]
    for position, each in enumerate(items):
        each.position = position
    _log(session, exhibition, "reordered", actor, photo=_photo_id(session, item))


def remove_item(
    session: Session, exhibition: Exhibition, item: ExhibitionItem, *, actor: str
) -> None:
    """Take a photo out of the exhibition (the photo itself stays as it is)."""
    public_id = _photo_id(session, item)
    exhibition.items.remove(item)
    if exhibition.cover_photo_id == item.photo_id:
        rest = sorted(exhibition.items, key=lambda i: i.position)
        exhibition.cover_photo_id = rest[0].photo_id if rest else None
    session.flush()
    _log(session, exhibition, "photo_removed", actor, photo=public_id)


def set_cover(
    session: Session, exhibition: Exhibition, item: ExhibitionItem, *, actor: str
) -> None:
    """Make one of the exhibition's photos its cover."""
    exhibition.cover_photo_id = item.photo_id
    _log(session, exhibition, "cover_changed", actor, photo=_photo_id(session, item))


def publish(session: Session, exhibition: Exhibition, *, actor: str) -> None:
    """Show the exhibition to visitors; it needs at least one published photo."""
    public = session.scalar(
        select(func.count())
        .select_from(ExhibitionItem)
        .join(Photo, Photo.id == ExhibitionItem.photo_id)
        .where(
            ExhibitionItem.exhibition_id == exhibition.id,
            Photo.status == RecordStatus.PUBLISHED,
        )
    )
    if not public:
        raise _refuse(
            "invalid_transition",
            "공개된 사진이 한 장 이상 있어야 전시를 공개할 수 있습니다",
            "an exhibition needs a published photo",
        )
    exhibition.status = ExhibitionStatus.PUBLISHED
    exhibition.published_at = exhibition.published_at or datetime.now(UTC)
    _log(session, exhibition, "published", actor)


def unpublish(session: Session, exhibition: Exhibition, *, actor: str) -> None:
    """Take the exhibition back to a draft (its address answers 404 until published again)."""
    exhibition.status = ExhibitionStatus.DRAFT
    _log(session, exhibition, "unpublished", actor)


def delete_draft(session: Session, exhibition: Exhibition, *, actor: str) -> None:
    """Delete a draft exhibition (its photos stay); a published one must be unpublished first."""
    if exhibition.status == ExhibitionStatus.PUBLISHED:
        raise _refuse(
            "invalid_transition", "공개 중인 전시는 먼저 비공개로 돌려 주세요", "unpublish first"
        )
    _log(session, exhibition, "deleted", actor)
    session.delete(exhibition)
