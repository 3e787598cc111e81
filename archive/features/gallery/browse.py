"""Parse browse parameters and run the shared search for pages and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Request, url_for

from archive.errors import IndexUnavailable
from archive.features.exhibitions.showcase import public_exhibition
from archive.features.gallery.suggest import split_people
from archive.models import Photo
from archive.records.public import (
    card_rows,
    hidden_until_indexed,
    media_for,
    newest,
)
from archive.runtime import Runtime
from archive.search.query import SearchError, SearchRequest, SearchResult, run_search
from archive.web import search_view
from archive.web.cards import links, photo_card

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
    sort: str = ""

    def params(self, **changes: Any) -> dict[str, Any]:
        """Return the non-empty parameters, with some changed (for links)."""
        values = {
            "q": self.q,
            "era": self.era,
            "place": self.place,
            "sort": self.sort,
            "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None, 1)}


# How far previous/next reach in the list the visitor came from.
NEIGHBOURS = 200
# Orders of a result list: parameter value -> label.
SORTS = {"": "관련도순", "relevance": "관련도순", "oldest": "오래된 순", "newest": "최근 순"}


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
    sort = (args.get("sort") or "").strip()
    if sort not in SORTS:
        raise BadParameter(
            "정렬은 relevance(관련도순), oldest(오래된 순), newest(최근 순) 가운데 하나입니다 / "
            "sort must be relevance, oldest or newest"
        )
    return Browse(text["q"], text["era"], text["place"], page, size, sort)


def run_browse(runtime: Runtime, browse: Browse) -> tuple[SearchResult, list[dict[str, Any]]]:
    """Search published photos and return the result with full cards, two queries total."""
    request = SearchRequest(
        browse.q,
        browse.era or None,
        browse.place or None,
        limit=browse.per_page,
        offset=(browse.page - 1) * browse.per_page,
        sort=browse.sort,
        details=False,  # the cards hold what the hits would read from the index
    )
    result = search_public(runtime, request)
    cards = cards_for(runtime, [hit["id"] for hit in result.hits])
    for card in cards:
        card["highlight"] = result.highlight(card.get("description") or "", card["title"])
    return result, cards


def cards_for(runtime: Runtime, ids: list[str]) -> list[dict[str, Any]]:
    """Return the cards of published records in the order of ids (two queries)."""
    with runtime.db.session() as session:
        to = links()
        found = {
            row.public_id: photo_card(row, media, to=to) for row, media in card_rows(session, ids)
        }
    return [found[i] for i in ids if i in found]


def neighbours_of(runtime: Runtime, public_id: str, args: Mapping[str, str]) -> dict[str, Any]:
    """Return the previous and next photo in the list the visitor came from, and the way
    back to it: a search or browse (q, era, place, sort), or the landing page's newest."""
    if args.get("exhibition"):
        return _in_exhibition(runtime, public_id, args["exhibition"][:80])
    if args.get("list") == "new":
        with runtime.db.session() as session:
            ids = [p.public_id for p in newest(session, NEIGHBOURS)]
        return _around(ids, public_id, {"list": "new"}, url_for("gallery.index"))
    params = {k: args[k][:200] for k in ("q", "era", "place", "sort") if args.get(k)}
    if not params.keys() - {"sort"}:
        return {}
    browse = Browse(
        params.get("q", ""), params.get("era", ""), params.get("place", ""), 1, NEIGHBOURS
    )
    browse.sort = params.get("sort", "") if params.get("sort", "") in SORTS else ""
    try:
        _result, cards = run_browse(runtime, browse)
    except (SearchError, IndexUnavailable):
        return {}
    ids = [c["id"] for c in cards]
    values: dict[str, Any] = dict(params)
    return _around(ids, public_id, params, url_for("gallery.photos", **values))


def _in_exhibition(runtime: Runtime, public_id: str, slug: str) -> dict[str, Any]:
    """Return previous/next in an exhibition's order, with its title and this photo's caption."""
    with runtime.db.session() as session:
        shown = public_exhibition(session, slug)
        if shown is None:
            return {}
        ids = [photo.public_id for photo, _caption in shown.photos]
        captions = {photo.public_id: caption for photo, caption in shown.photos}
        title = shown.exhibition.title
    back = url_for("exhibitions.show", slug=slug)
    found = _around(ids, public_id, {"exhibition": slug}, back)
    if found:
        found["exhibition"] = {
            "title": title,
            "url": back,
            "caption": captions[public_id],
            "position": ids.index(public_id) + 1,
            "count": len(ids),
        }
    return found


def _around(ids: list[str], public_id: str, params: dict[str, str], back: str) -> dict[str, Any]:
    if public_id not in ids:
        return {}
    at = ids.index(public_id)
    return {
        "prev": ids[at - 1] if at else None,
        "next": ids[at + 1] if at + 1 < len(ids) else None,
        "params": params,
        "back": back,
    }


def related_cards(runtime: Runtime, record: Photo, limit: int = 6) -> list[dict[str, Any]]:
    """Return published photos like this one, never itself: of its place and decade
    first, then its place, the place it lies in, its decade, its people and its tags."""
    decade = f"{record.date_start // 10 * 10}s" if record.date_start else None
    place = record.places[0] if record.places else None
    known = runtime.gazetteer.places.get(place) if place else None
    parent = known.parent if known and known.parent and known.parent != "나주시" else None
    tries = [("", decade, place), ("", None, place), ("", decade, parent), ("", None, parent)]
    tries.append(("", decade, None))
    tries += [(word, None, None) for word in [*split_people(record.people or ""), *record.tags][:4]]
    hidden = hidden_now(runtime)
    chosen: list[str] = []
    for text, era, where in tries:
        if len(chosen) >= limit or not (text or era or where):
            continue
        request = SearchRequest(
            text, era, where, limit=limit + 1, facets=False, assist=False, details=False
        )
        try:
            found = _related_try(runtime, request, hidden)
        except (SearchError, IndexUnavailable):
            return []
        chosen += [i for i in found if i not in chosen and i != record.public_id]
    return cards_for(runtime, chosen[:limit])


def _related_try(runtime: Runtime, request: SearchRequest, hidden: tuple[str, ...]) -> list[str]:
    """Return the ids one related-photos search finds, remembered per index view: photos
    of one place and decade share the answer."""
    index = runtime.search
    view = search_view()

    def search() -> list[str]:
        result = run_search(view, request, runtime.gazetteer, index.analyzer, hidden)
        return [hit["id"] for hit in result.hits]

    key = ("related", request.text, request.era, request.place, request.limit, hidden)
    found: list[str] = view.remember(key, search)
    return found


def search_public(runtime: Runtime, request: SearchRequest) -> SearchResult:
    """Search published records, leaving out those withdrawn since the index last caught up."""
    index = runtime.search
    view = search_view()
    return run_search(view, request, runtime.gazetteer, index.analyzer, hidden_now(runtime))


def hidden_now(runtime: Runtime) -> tuple[str, ...]:
    """Return the ids the index may still list though they are no longer public."""
    with runtime.db.session() as session:
        return tuple(hidden_until_indexed(session))


def newest_cards(
    runtime: Runtime, limit: int, external: bool = False
) -> list[tuple[Photo, dict[str, Any]]]:
    """Return the newest published records with their cards (two queries)."""
    with runtime.db.session() as session:
        recent = newest(session, limit)
        media = media_for(session, [p.public_id for p in recent])
        to = links(external)
        return [(p, photo_card(p, media.get(p.public_id, {}), to=to)) for p in recent]
