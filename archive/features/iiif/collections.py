"""IIIF Presentation 3.0 collections: every decade and every place with published photos."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from archive.features.iiif import members
from archive.features.iiif.links import WebLinks
from archive.features.iiif.manifests import Member, collection, lang, thumbnail
from archive.features.iiif.members import Entry
from archive.features.iiif.views import PRESENTATION_TYPE, json_answer
from archive.web import get_runtime

bp = Blueprint("iiif_collections", __name__, url_prefix="/iiif/3/collection")


@bp.get("/top.json")
def top() -> Response:
    """Return the collection of all collections: decades, then places."""
    links = WebLinks()
    with get_runtime().db.session() as session:
        decades, places = members.index(session)
    items = [
        Member(links.collection("decade", str(d)), "Collection", f"{d}년대 ({n}장)", f"{d}s")
        for d, n in decades
    ]
    items += [Member(links.collection("place", p), "Collection", f"{p} ({n}장)") for p, n in places]
    document = collection(
        links.collection("top", ""),
        lang("나주 옛 사진", "Old photographs of Naju"),
        items,
        lang(
            "연대별, 장소별로 모은 나주시의 옛 사진",
            "Naju City's old photographs by decade and by place",
        ),
    )
    return json_answer(document, PRESENTATION_TYPE, False)


@bp.get("/decade/<name>.json")
def decade(name: str) -> Response:
    """Return the published photos of one decade (1970.json: 1970 to 1979)."""
    if not (name.isdigit() and len(name) == 4 and name.endswith("0")):
        abort(404)
    with get_runtime().db.session() as session:
        entries = members.in_decade(session, int(name))
    label = lang(f"{name}년대 나주 옛 사진", f"Naju in the {name}s")
    return _listing(WebLinks().collection("decade", name), label, entries)


@bp.get("/place/<name>.json")
def place(name: str) -> Response:
    """Return the published photos of one place of the gazetteer."""
    runtime = get_runtime()
    if name not in runtime.gazetteer.places:
        abort(404)
    with runtime.db.session() as session:
        entries = members.at_place(session, name)
    return _listing(WebLinks().collection("place", name), lang(f"{name}의 옛 사진"), entries)


def _listing(url: str, label: dict[str, list[str]], entries: list[Entry]) -> Response:
    if not entries:
        abort(404)
    links = WebLinks()
    items = [
        Member(
            links.manifest(entry.public_id),
            "Manifest",
            entry.title,
            thumbnail=thumbnail(entry.image, links) if entry.image else None,
        )
        for entry in entries
    ]
    return json_answer(collection(url, label, items), PRESENTATION_TYPE, False)
