"""The public corner: landing page, results, photo pages, embed strip, feed and sitemap."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from archive.errors import IndexUnavailable, NotFound
from archive.features.exhibitions.public import all_views, landing_features
from archive.features.exhibitions.showcase import exhibitions_of
from archive.features.gallery.browse import (
    BadParameter,
    Browse,
    cards_for,
    neighbours_of,
    newest_cards,
    parse_browse,
    related_cards,
    run_browse,
    search_public,
)
from archive.features.gallery.dead_end import offers_for
from archive.features.iiif.viewer import download_context, zoom_context
from archive.features.voices.memories import public_memories, recent_memories
from archive.fields import BY_NAME
from archive.paging import page_count
from archive.records.images import images_of
from archive.records.public import HELP_WANTED, media_for, needing_help, newest, rights_label
from archive.search.facets import place_tree
from archive.search.query import SearchError, SearchRequest
from archive.web import get_runtime
from archive.web.cards import links, photo_card, public_card
from archive.web.urls import requested_page

bp = Blueprint("gallery", __name__, template_folder="templates")
PER_PAGE = 24
# Photos shown for each decade on the timeline.
TIMELINE_STRIP = 8
HELP_FIELDS = tuple(HELP_WANTED)


@bp.get("/")
def index() -> str:
    """Show the corner's landing page."""
    runtime = get_runtime()
    cards = [card for _photo, card in newest_cards(runtime, 12)]
    featured, day_photo = landing_features()
    try:
        facets = search_public(runtime, SearchRequest(hits=False)).facets
    except IndexUnavailable:  # browsing by era and place returns when the index is built
        facets = {"decades": {}, "places": {}}
    return render_template(
        "gallery/index.html",
        cards=cards,
        facets=facets,
        places=_grouped_places(facets["places"]),
        featured=featured,
        day_photo=day_photo,
    )


@bp.get("/timeline")
def timeline() -> str:
    """Show the photos by time: each decade with its years and a strip of its photos."""
    runtime = get_runtime()
    try:
        decades = search_public(runtime, SearchRequest(hits=False)).facets["decades"]
        rows = [_decade_row(runtime, decade, count) for decade, count in decades.items()]
    except IndexUnavailable:
        rows = []
    return render_template("gallery/timeline.html", rows=rows)


def _decade_row(runtime: Any, decade: str, count: int) -> dict[str, Any]:
    request = SearchRequest(
        "", decade, limit=TIMELINE_STRIP, sort="oldest", assist=False, details=False
    )
    result = search_public(runtime, request)
    return {
        "decade": decade,
        "count": count,
        "years": result.facets.get("years", {}),
        "cards": cards_for(runtime, [hit["id"] for hit in result.hits]),
    }


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
    pages = page_count(result.total, browse.per_page)
    if browse.page > pages and result.total:
        abort(404)
    tree = place_tree(result.facets["places"], get_runtime().gazetteer)
    offers = offers_for(get_runtime(), result) if result.total == 0 else None
    return render_template(
        "gallery/photos.html",
        browse=browse,
        result=result,
        cards=cards,
        error=None,
        pages=pages,
        place_tree=tree,
        offers=offers,
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
    images = images_of(record)  # the zoomable pages and back side, for viewer and downloads
    neighbours = neighbours_of(runtime, public_id, request.args)
    places = [p for p in card["places"] if p in runtime.gazetteer.places]
    oldest_first = request.args.get("memories") == "oldest"
    with runtime.db.session() as session:
        memories = public_memories(session, record, newest_first=not oldest_first)
        in_exhibitions = [(e.slug, e.title) for e in exhibitions_of(session, record)]
    return render_template(
        "gallery/photo.html",
        card=card,
        zoom=zoom_context(record, images),
        download=download_context(record, images),
        neighbours=neighbours,
        places=places,
        related=related_cards(runtime, record),
        memories=memories,
        in_exhibitions=[{"slug": slug, "title": title} for slug, title in in_exhibitions],
        oldest_first=oldest_first,
        missing=[name for name in HELP_FIELDS if not card.get(name)],
        field_labels={name: BY_NAME[name].label_ko for name in HELP_FIELDS},
    )


@bp.get("/help")
def help_wanted() -> tuple[str, int]:
    """List published photos still missing a date, place or people, inviting visitors."""
    missing = request.args.get("missing") or None
    if missing and missing not in HELP_FIELDS:
        abort(400)
    page_number = requested_page(last=100_000)
    runtime = get_runtime()
    with runtime.db.session() as session:
        photos, total = needing_help(session, missing, page_number, PER_PAGE)
        media = media_for(session, [p.public_id for p in photos])
        entries = [
            (photo_card(p, media.get(p.public_id, {})), [n for n in HELP_FIELDS if not _has(p, n)])
            for p in photos
        ]
    pages = page_count(total, PER_PAGE)
    if page_number > pages:
        abort(404)
    labels = {name: BY_NAME[name].label_ko for name in HELP_FIELDS}
    return render_template(
        "gallery/help.html",
        entries=entries,
        total=total,
        missing=missing,
        page=page_number,
        pages=pages,
        labels=labels,
    ), 200


def _has(photo: Any, name: str) -> bool:
    return bool(getattr(photo, BY_NAME[name].column))


@bp.get("/memories.atom")
def memories_feed() -> Response:
    """Publish an Atom feed of newly approved memories."""
    with get_runtime().db.session() as session:
        entries = recent_memories(session, 50)
        items = [(photo.public_id, photo.title or "제목 없음", memory) for photo, memory in entries]
    body = render_template("gallery/memories.atom", items=items)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/embed")
def embed() -> Response:
    """Show a compact strip of new photos for an iframe on the city homepage."""
    cards = [card for _photo, card in newest_cards(get_runtime(), 8)]
    return Response(render_template("gallery/embed.html", cards=cards))


@bp.get("/feed.atom")
def feed() -> Response:
    """Publish an Atom feed of newly published photos."""
    entries = newest_cards(get_runtime(), 50, external=True)
    shows = all_views(external=True)[:20]
    times = [p.published_at or p.created_at for p, _card in entries]
    times += [s["published_at"] for s in shows if s["published_at"]]
    body = render_template(
        "gallery/feed.atom", entries=entries, exhibitions=shows, updated=max(times, default=None)
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """List every published photo page for search engines."""
    runtime = get_runtime()
    with runtime.db.session() as session:
        recent = newest(session, 50_000)
        to = links(external=True)
        entries = [(p, photo_card(p, {}, to=to)) for p in recent]
    shows = all_views(external=True)
    return Response(
        render_template("gallery/sitemap.xml", entries=entries, exhibitions=shows),
        mimetype="application/xml",
    )
