"""Shape records for templates and the API (URLs, rights, credit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import request
from sqlalchemy import Row

from archive.errors import NotFound
from archive.fields import PUBLIC
from archive.models import Photo
from archive.records.public import PublicCopy, media_of, public_photo, rights_label
from archive.renditions import ON_CARDS
from archive.runtime import Runtime
from archive.storage import Storages
from archive.web import get_runtime
from archive.web.urls import absolute_under


@dataclass(frozen=True)
class Links:
    """How the cards of one answer write their links: paths under the request's script
    root, or absolute under the public address (ARCHIVE_PUBLIC_URL) for other sites.
    Read from the request once: a page of 24 cards writes about a hundred links."""

    root: str
    base: str | None
    storages: Storages

    def absolute(self, path: str) -> str:
        """Return a site path as an absolute URL (what urls.absolute does)."""
        return path if self.base is None else absolute_under(path, self.root, self.base)

    def media(self, copy: PublicCopy | None) -> str | None:
        """Return the immutable URL of a public copy (its storage's own URL if it has one)."""
        if not copy:
            return None
        direct = self.storages.of(copy.backend).url(copy.key)
        if direct:
            return direct
        variant, _shard, filename = copy.key.split("/")[-3:]
        # The route's path (archive.features.media.views.derivative) written out: url_for was a
        # fifth of an API answer's time.
        return self.absolute(f"{self.root}/media/{variant}/{filename}")

    def photo(self, public_id: str) -> str:
        """Return the photo page's link (the route gallery.photo written out)."""
        return self.absolute(f"{self.root}/photos/{quote(public_id, safe='')}")


def links(external: bool = False) -> Links:
    """Return the links of this request: absolute ones when external."""
    runtime = get_runtime()
    base = runtime.settings.public_base if external else None
    return Links(request.script_root, base, runtime.storages)


def media_url(copy: PublicCopy | None, external: bool = False) -> str | None:
    """Return the immutable URL of a public copy (its storage's public URL when it has one)."""
    return links(external).media(copy)


def photo_path(public_id: str) -> str:
    """Return the photo page's path (the route gallery.photo written out, as media_url)."""
    return links().photo(public_id)


def photo_card(
    photo: Photo | Row[Any],
    media: dict[str, PublicCopy],
    to: Links | None = None,
) -> dict[str, Any]:
    """Return the public view of a record (also the API item): the registry's public
    fields, then links and images. photo: a record, or a row of CARD_COLUMNS; to: the
    links of the answer (this request's paths when not given)."""
    to = to or links()
    card: dict[str, Any] = {"id": photo.public_id}
    for field in PUBLIC:
        value = getattr(photo, field.column)
        card[field.name] = list(value or []) if field.kind == "tags" else value
    card.update(
        title=photo.title or "제목 없음",
        rights=rights_label(photo.rights)["text"],
        places=list(photo.places or []),
        memory_count=photo.memory_count or 0,
        url=to.photo(photo.public_id),
    )
    for variant, name in ON_CARDS.items():
        copy = media.get(variant)
        card[f"{name}_url"] = to.media(copy)
        card[f"{name}_width"] = copy.width if copy else None
        card[f"{name}_height"] = copy.height if copy else None
    return card


def alt_text(card: dict[str, Any]) -> str:
    """Return alt text from title and description."""
    description = (card.get("description") or "").strip()
    return f"{card['title']}. {description[:120]}" if description else card["title"]


def public_card(runtime: Runtime, public_id: str) -> tuple[Photo, dict[str, Any]]:
    """Return a published record and its card.

    :raises NotFound: for drafts, withdrawn and unknown ids alike.
    """
    with runtime.db.session() as session:
        record = public_photo(session, public_id)
        if record is None:
            raise NotFound(public_id)
        return record, photo_card(record, media_of(record))
