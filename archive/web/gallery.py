"""The public corner: landing page, results, photo pages, embed strip, feed and sitemap."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from archive.errors import IndexUnavailable, NotFound
from archive.search.query import SearchError, SearchRequest
from archive.services.gallery import newest, rights_label
from archive.web import get_runtime
from archive.web.browse import (
    BadParameter,
    Browse,
    newest_cards,
    parse_browse,
    public_card,
    run_browse,
    search_public,
)
from archive.web.cards import photo_card

bp = Blueprint("gallery", __name__)
PER_PAGE = 24


@bp.get("/")
def index() -> str:
    """Show the corner's landing page."""
    runtime = get_runtime()
    cards = [card for _photo, card in newest_cards(runtime, 12)]
    try:
        facets = search_public(runtime, SearchRequest(hits=False)).facets
    except IndexUnavailable:  # browsing by era and place returns when the index is built
        facets = {"decades": {}, "places": {}}
    return render_template(
        "gallery/index.html", cards=cards, facets=facets, places=_grouped_places(facets["places"])
    )


def _grouped_places(counts: dict[str, int]) -> dict[str, list[tuple[str, int]]]:
    places = get_runtime().gazetteer.places
    groups: dict[str, list[tuple[str, int]]] = {"읍·면·동": [], "명소": [], "옛 지명": []}
    for name, count in counts.items():
        kind = places[name].kind if name in places else ""
        key = (
            "읍·면·동" if kind in ("읍", "면", "동") else "옛 지명" if kind == "옛지명" else "명소"
        )
        groups[key].append((name, count))
    return groups


@bp.get("/photos")
def photos() -> tuple[str, int]:
    """Show results for q, era and place, with facets and pages."""
    try:
        browse = parse_browse(request, PER_PAGE, max_per_page=PER_PAGE)
        result, cards = run_browse(get_runtime(), browse)
    except (BadParameter, SearchError) as exc:
        empty = Browse("", "", "", 1, PER_PAGE)
        return render_template(
            "gallery/photos.html", browse=empty, result=None, cards=[], error=str(exc), pages=0
        ), 400
    pages = max(1, -(-result.total // browse.per_page))
    if browse.page > pages and result.total:
        abort(404)
    return render_template(
        "gallery/photos.html", browse=browse, result=result, cards=cards, error=None, pages=pages
    ), 200


@bp.get("/photos/<public_id>")
def photo(public_id: str) -> str:
    """Show one published photo; anything else is a 404."""
    runtime = get_runtime()
    try:
        record, card = public_card(runtime, public_id)
    except NotFound:
        abort(404)
    card["rights_label"] = rights_label(record.rights)
    neighbours = _neighbours(public_id)
    places = [p for p in card["places"] if p in runtime.gazetteer.places]
    return render_template(
        "gallery/photo.html",
        card=card,
        neighbours=neighbours,
        places=places,
        back=request.args.to_dict(),
    )


def _neighbours(public_id: str) -> dict[str, Any]:
    """Return previous/next ids within the browse the visitor came from (q, era, place)."""
    args = request.args
    if not any(args.get(k) for k in ("q", "era", "place")):
        return {}
    try:
        browse = Browse(
            args.get("q", "")[:200], args.get("era", "")[:50], args.get("place", "")[:50], 1, 200
        )
        _result, cards = run_browse(get_runtime(), browse)
    except (SearchError, IndexUnavailable):
        return {}
    ids = [c["id"] for c in cards]
    if public_id not in ids:
        return {}
    at = ids.index(public_id)
    return {
        "prev": ids[at - 1] if at else None,
        "next": ids[at + 1] if at + 1 < len(ids) else None,
        "params": {k: v for k, v in args.items() if k in ("q", "era", "place") and v},
    }


@bp.get("/embed")
def embed() -> Response:
    """Show a compact strip of new photos for an iframe on the city homepage."""
    cards = [card for _photo, card in newest_cards(get_runtime(), 8)]
    response = Response(render_template("gallery/embed.html", cards=cards))
    response.headers["Content-Security-Policy"] = "frame-ancestors *"
    return response


@bp.get("/feed.atom")
def feed() -> Response:
    """Publish an Atom feed of newly published photos."""
    entries = newest_cards(get_runtime(), 50, external=True)
    body = render_template("gallery/feed.atom", entries=entries)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """List every published photo page for search engines."""
    runtime = get_runtime()
    with runtime.db.session() as session:
        recent = newest(session, 50_000)
        entries = [(p, photo_card(p, {}, external=True)) for p in recent]
    return Response(
        render_template("gallery/sitemap.xml", entries=entries), mimetype="application/xml"
    )
