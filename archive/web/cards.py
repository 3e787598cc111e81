"""Shape records for templates and the API (URLs, rights, credit)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import request
from sqlalchemy import Row

from archive.fields import PUBLIC
from archive.models import Photo
from archive.services.gallery import PublicCopy, rights_label
from archive.web import get_runtime
from archive.web.urls import absolute


def media_url(copy: PublicCopy | None, external: bool = False) -> str | None:
    """Return the immutable URL of a public copy (its storage's public URL when it has one)."""
    if not copy:
        return None
    backend, public_key = copy.backend, copy.key
    direct = get_runtime().storages.of(backend).url(public_key)
    if direct:
        return direct
    variant, _shard, filename = public_key.split("/")[-3:]
    # The route's path (archive.web.media.derivative) written out: a page of 24 cards
    # builds 72 of these, and url_for was a fifth of an API answer's time.
    path = f"{request.script_root}/media/{variant}/{filename}"
    return absolute(path) if external else path


def photo_path(public_id: str) -> str:
    """Return the photo page's path (the route gallery.photo written out, as media_url)."""
    return f"{request.script_root}/photos/{quote(public_id, safe='')}"


def photo_card(
    photo: Photo | Row[Any], media: dict[str, PublicCopy], external: bool = False
) -> dict[str, Any]:
    """Return the public view of a record (also the API item): the registry's public
    fields, then links and images. photo: a record, or a row of CARD_COLUMNS."""
    card: dict[str, Any] = {"id": photo.public_id}
    for field in PUBLIC:
        value = getattr(photo, field.column)
        card[field.name] = list(value or []) if field.kind == "tags" else value
    card.update(
        title=photo.title or "제목 없음",
        rights=rights_label(photo.rights)["text"],
        places=list(photo.places or []),
        memory_count=photo.memory_count or 0,
        url=_link(photo_path(photo.public_id), external),
        thumbnail_url=media_url(media.get("thumb"), external),
        thumbnail_large_url=media_url(media.get("thumb_large"), external),
        image_url=media_url(media.get("web"), external),
    )
    for name, variant in (
        ("thumbnail", "thumb"),
        ("thumbnail_large", "thumb_large"),
        ("image", "web"),
    ):
        copy = media.get(variant)
        card[f"{name}_width"] = copy.width if copy else None
        card[f"{name}_height"] = copy.height if copy else None
    return card


def _link(path: str, external: bool) -> str:
    return absolute(path) if external else path


def alt_text(card: dict[str, Any]) -> str:
    """Return alt text from title and description."""
    description = (card.get("description") or "").strip()
    return f"{card['title']}. {description[:120]}" if description else card["title"]
