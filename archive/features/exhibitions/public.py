"""Exhibitions shaped for visitors: what the exhibition pages, the landing page (the newest
exhibition and 오늘의 사진) and the API show."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for

from archive.features.exhibitions.showcase import (
    Shown,
    photo_of_the_day,
    public_exhibition,
    published_exhibitions,
)
from archive.records.public import media_for
from archive.web import KST, get_runtime
from archive.web.cards import links, photo_card
from archive.web.urls import absolute


def exhibition_view(session: Any, shown: Shown, external: bool = False) -> dict[str, Any]:
    """Return an exhibition as pages and the API show it: text, cover and ordered photos."""
    exhibition = shown.exhibition
    media = media_for(session, [photo.public_id for photo, _caption in shown.photos])
    items = []
    to = links(external)
    for photo, caption in shown.photos:
        card = photo_card(photo, media.get(photo.public_id, {}), to=to)
        card["caption"] = caption
        items.append(card)
    cover = next((c for c in items if shown.cover and c["id"] == shown.cover.public_id), None)
    path = url_for("exhibitions.show", slug=exhibition.slug)
    return {
        "slug": exhibition.slug,
        "title": exhibition.title,
        "introduction": exhibition.introduction,
        "url": absolute(path) if external else path,
        "published_at": exhibition.published_at,
        "updated_at": exhibition.updated_at,
        "count": len(items),
        "cover": cover,
        "items": items,
    }


def all_views(external: bool = False) -> list[dict[str, Any]]:
    """Return every published exhibition's view, newest first."""
    with get_runtime().db.session() as session:
        return [exhibition_view(session, s, external) for s in published_exhibitions(session)]


def one_view(slug: str, external: bool = False) -> dict[str, Any] | None:
    """Return one published exhibition's view, or None (drafts look like missing)."""
    with get_runtime().db.session() as session:
        shown = public_exhibition(session, slug[:80])
        return exhibition_view(session, shown, external) if shown else None


def landing_features() -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return what the landing page features: the newest exhibition and 오늘의 사진."""
    today = datetime.now(KST).date()
    with get_runtime().db.session() as session:
        newest = published_exhibitions(session, limit=1)
        featured = exhibition_view(session, newest[0]) if newest else None
        photo = photo_of_the_day(session, today)
        if photo is None:
            return featured, None
        media = media_for(session, [photo.public_id]).get(photo.public_id, {})
        return featured, photo_card(photo, media)
