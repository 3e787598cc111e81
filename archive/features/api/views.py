"""JSON API for the city homepage and other sites (published photos only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from archive.dates import parse_date
from archive.errors import IndexUnavailable, NotFound
from archive.features.exhibitions.public import all_views, one_view
from archive.features.gallery.browse import BadParameter, parse_browse, run_browse
from archive.features.gallery.suggest import SuggestionList, suggestion_list
from archive.features.voices.memories import public_memories
from archive.renditions import ON_CARDS
from archive.search.query import SearchError
from archive.web import get_runtime, rfc3339, search_view
from archive.web.cards import Links, links, public_card
from archive.web.urls import absolute

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.after_request
def allow_origins(response: Response) -> Response:
    """Add CORS headers for the configured origins (ARCHIVE_CORS_ORIGINS)."""
    allowed = [o.strip() for o in get_runtime().settings.cors_origins.split(",") if o.strip()]
    origin = request.headers.get("Origin", "")
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response


@bp.get("/suggest")
def suggest() -> tuple[Response, int]:
    """Return places, tags and people starting with q, for the search box."""
    typed = request.args.get("q", "")[:50]
    found = _suggestions().match(typed) if typed.strip() else []
    return jsonify({"q": typed, "suggestions": [s.as_json() for s in found]}), 200


def _suggestions() -> SuggestionList:
    """Return the suggestion list, rebuilt when the search index has changed."""
    runtime = get_runtime()
    try:
        generation = search_view().generation
    except IndexUnavailable:
        generation = -1  # being rebuilt: the database still knows the words
    cached = _SUGGESTIONS.get("list")
    if cached is None or cached[0] != generation:
        with runtime.db.session() as session:
            built = suggestion_list(session, runtime.gazetteer)
        _SUGGESTIONS["list"] = cached = (generation, built)
    return cached[1]


_SUGGESTIONS: dict[str, tuple[int, SuggestionList]] = {}


@bp.get("/photos")
def photos() -> tuple[Response, int]:
    """Return a page of published photos for q, era and place."""
    try:
        browse = parse_browse(request, per_page=24)
        result, cards = run_browse(get_runtime(), browse)
    except (BadParameter, SearchError) as exc:
        return jsonify({"error": str(exc)}), 400
    to = links(external=True)
    for card in cards:
        _externalise(card, to)
    body: dict[str, Any] = {
        "total": result.total,
        "page": browse.page,
        "per_page": browse.per_page,
        "items": cards,
        "facets": result.facets,
        "notes": result.understood.notes,
        "suggestion": result.suggestion,
        "corrected_from": result.corrected_from,
        "relaxations": [r.as_json() for r in result.relaxations],
    }
    return jsonify(body), 200


@bp.get("/exhibitions")
def exhibitions() -> Response:
    """Return the published exhibitions, newest first, with their photos in order."""
    return jsonify({"items": [_exhibition_json(view) for view in all_views(external=True)]})


@bp.get("/exhibitions/<slug>")
def exhibition(slug: str) -> Response:
    """Return one published exhibition with its photos in order and their captions."""
    view = one_view(slug, external=True)
    if view is None:
        abort(404)
    return jsonify(_exhibition_json(view))


def _exhibition_json(view: dict[str, Any]) -> dict[str, Any]:
    to = links(external=True)
    items = [_externalise(card, to) for card in view["items"]]
    return {
        "slug": view["slug"],
        "title": view["title"],
        "introduction": view["introduction"],
        "url": view["url"],
        "published_at": rfc3339(view["published_at"]),
        "updated_at": rfc3339(view["updated_at"]),
        "count": view["count"],
        "cover": view["cover"]["id"] if view["cover"] else None,
        "items": items,
    }


@bp.get("/hints")
def hints() -> Response:
    """Return how a date and a place will be read (the live hints on staff and visitor forms)."""
    parsed = parse_date(request.args.get("date", "")[:200])
    found = get_runtime().gazetteer.find_in(request.args.get("place", "")[:200])
    return jsonify(
        date={
            "ok": parsed.ok,
            "start": parsed.start,
            "end": parsed.end,
            "precision": parsed.precision,
            "edtf": parsed.edtf,
        },
        places=[{"name": place.name, "kind": place.kind} for place, _ in found],
    )


@bp.get("/photos/<public_id>")
def photo(public_id: str) -> Response:
    """Return one published photo."""
    runtime = get_runtime()
    try:
        record, card = public_card(runtime, public_id)
    except NotFound:
        abort(404)
    with runtime.db.session() as session:
        memories = public_memories(session, record, newest_first=False)
    # Only what the page shows: never a contact, nor a name the writer did not choose to show.
    card["memories"] = [
        {
            "name": memory.name,
            "relation": memory.relation,
            "text": memory.text,
            "shared_at": rfc3339(memory.shared_at),
            "url": absolute(f"{card['url']}#memory-{memory.number}"),
        }
        for memory in memories
    ]
    return jsonify(_externalise(card))


def _externalise(card: dict[str, Any], to: Links | None = None) -> dict[str, Any]:
    """Make URLs absolute (under ARCHIVE_PUBLIC_URL) for other sites; drop page-only fields."""
    to = to or links(external=True)
    for key in ("url", *(f"{name}_url" for name in ON_CARDS.values())):
        if card.get(key):
            card[key] = to.absolute(card[key])
    card.pop("places", None)
    return card
