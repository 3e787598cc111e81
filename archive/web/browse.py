"""Parse browse parameters and run the shared search for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Request
from sqlalchemy import select

from archive.errors import NotFound
from archive.models import Photo
from archive.runtime import Runtime
from archive.search.query import SearchRequest, SearchResult, run_search
from archive.services.gallery import hidden_until_indexed, media_for, newest, public_photo
from archive.statuses import RecordStatus
from archive.web.cards import photo_card

MAX_TEXT = 200
MAX_PAGE = 100_000


class BadParameter(ValueError):
    """A query-string value that cannot be used (shown to the user in Korean)."""


@dataclass
class Browse:
    """One page of photos for q/era/place."""

    q: str
    era: str
    place: str
    page: int
    per_page: int

    def params(self, **changes: Any) -> dict[str, Any]:
        """Return the non-empty parameters, with some changed (for links)."""
        values = {"q": self.q, "era": self.era, "place": self.place, "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None, 1)}


def parse_browse(request: Request, per_page: int, max_per_page: int = 100) -> Browse:
    """Read q, era, place, page and per_page.

    :raises BadParameter: with a Korean message.
    """
    args = request.args
    text = {k: (args.get(k) or "").strip()[:MAX_TEXT] for k in ("q", "era", "place")}
    try:
        page = int(args.get("page", 1))
        size = int(args.get("per_page", per_page))
    except ValueError as exc:
        raise BadParameter("쪽 번호는 숫자여야 합니다 / page must be a number") from exc
    if not 1 <= page <= MAX_PAGE or not 1 <= size <= max_per_page:
        raise BadParameter(f"쪽 번호는 1 이상, 한 쪽 개수는 1~{max_per_page}입니다")
    return Browse(text["q"], text["era"], text["place"], page, size)


def run_browse(runtime: Runtime, browse: Browse) -> tuple[SearchResult, list[dict[str, Any]]]:
    """Search published photos and return the result with full cards, two queries total."""
    request = SearchRequest(
        browse.q,
        browse.era or None,
        browse.place or None,
        limit=browse.per_page,
        offset=(browse.page - 1) * browse.per_page,
    )
    result = search_public(runtime, request)
    ids = [hit["id"] for hit in result.hits]
    with runtime.db.session() as session:
        photos = {
            p.public_id: p
            for p in session.scalars(
                select(Photo).where(
                    Photo.public_id.in_(ids), Photo.status == RecordStatus.PUBLISHED
                )
            )
        }
        media = media_for(session, ids)
        cards = [photo_card(photos[i], media.get(i, {})) for i in ids if i in photos]
    highlights = {hit["id"]: hit["highlight"] for hit in result.hits}
    for card in cards:
        card["highlight"] = highlights.get(card["id"], "")
    return result, cards


def search_public(runtime: Runtime, request: SearchRequest) -> SearchResult:
    """Search published records, leaving out those withdrawn since the index last caught up."""
    with runtime.db.session() as session:
        hidden = hidden_until_indexed(session)
    index = runtime.search
    view = index.view()
    return run_search(view, request, runtime.gazetteer, index.analyzer, hidden)


def newest_cards(
    runtime: Runtime, limit: int, external: bool = False
) -> list[tuple[Photo, dict[str, Any]]]:
    """Return the newest published records with their cards (two queries)."""
    with runtime.db.session() as session:
        recent = newest(session, limit)
        media = media_for(session, [p.public_id for p in recent])
        return [(p, photo_card(p, media.get(p.public_id, {}), external)) for p in recent]


def public_card(runtime: Runtime, public_id: str) -> tuple[Photo, dict[str, Any]]:
    """Return a published record and its card.

    :raises NotFound: for drafts, withdrawn and unknown ids alike.
    """
    with runtime.db.session() as session:
        record = public_photo(session, public_id)
        if record is None:
            raise NotFound(public_id)
        return record, photo_card(record, media_for(session, [public_id]).get(public_id, {}))
