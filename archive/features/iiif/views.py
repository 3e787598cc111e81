"""IIIF: level-0 image services (info.json, tiles, sizes) and Presentation 3.0 documents.

An image's identifier is its public pyramid's versioned name (see archive.records.images);
`/iiif/3/<photo id>/info.json` answers for the photo's first image and names the
versioned service, so links to it keep working across re-publication. Every answer
allows any origin (the IIIF convention: other portals show these images); tiles and
versioned info.json are immutable, manifests and collections are revalidated.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for

from archive.features.iiif.links import WebLinks, provider
from archive.records import images as iiif
from archive.records.public import public_photo
from archive.web import get_runtime
from archive.web.caching import ONE_YEAR
from archive.web.routing import Audience, Freshness, route
from archive.web.sending import send_public

bp = Blueprint("iiif", __name__, url_prefix="/iiif/3")
INFO_TYPE = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
PRESENTATION_TYPE = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'

_NUMBER = r"(?:\d+(?:\.\d+)?)"
_REGION = re.compile(rf"full|square|\d+,\d+,\d+,\d+|pct:{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}")
_SIZE = re.compile(rf"\^?(?:max|\d+,|,\d+|!?\d+,\d+|pct:{_NUMBER})")
_ROTATION = re.compile(rf"!?{_NUMBER}")
_QUALITY = re.compile(r"(color|gray|bitonal|default)\.(jpg|tif|png|gif|jp2|pdf|webp)")
_PUBLIC_ID = re.compile(r"[0-9a-z]{1,16}")  # the form of photo ids (String(16))


class BadRequest(Exception):
    """An image request that is not IIIF syntax (a 400, never a 500)."""


@bp.after_app_request
def allow_any_origin(response: Response) -> Response:
    """Let viewers on other sites read every IIIF answer, errors and unknown paths included."""
    if request.path.startswith(bp.url_prefix or "/iiif/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/<ident>")
def base(ident: str) -> Response:
    """Send the base URI of an image to its info.json (303, as the Image API asks)."""
    return redirect(url_for("iiif.info", ident=ident), 303)  # type: ignore[return-value]


@bp.get("/<ident>/info.json")
def info(ident: str) -> Response:
    """Return an image's information: by versioned name (immutable) or by photo id."""
    runtime = get_runtime()
    with runtime.db.session() as session:
        image = iiif.public_image(session, ident)
        versioned = image is not None
        if image is None and _PUBLIC_ID.fullmatch(ident):
            photo = public_photo(session, ident)
            images = iiif.images_of(photo) if photo is not None else []
            image = images[0] if images else None
    if image is None:
        abort(404)
    document = iiif.image_info(WebLinks().service(image), image.width, image.height)
    return json_answer(document, INFO_TYPE, versioned)


@bp.get("/<ident>/<region>/<size>/<rotation>/<name>")
@route(Audience.PUBLIC, freshness=Freshness.IMMUTABLE)
def image(ident: str, region: str, size: str, rotation: str, name: str) -> Response:
    """Return a tile or a listed size of a published image (level 0: nothing else)."""
    try:
        _check_syntax(region, size, rotation, name)
    except BadRequest as exc:
        return _text(400, f"IIIF 요청 형식이 올바르지 않습니다: {exc}")
    tree = iiif.tree_key_of(ident)
    if tree is None or rotation != "0" or name != "default.jpg":
        abort(404)
    return send_public(f"{tree}{region}/{size}/0/default.jpg", f"{ident}/{region}/{size}")


def _check_syntax(region: str, size: str, rotation: str, name: str) -> None:
    if not _REGION.fullmatch(region):
        raise BadRequest(f"region {region!r}")
    if region[0].isdigit() and 0 in [int(n) for n in region.split(",")[2:]]:
        raise BadRequest("region of zero width or height")
    if not _SIZE.fullmatch(size) or re.search(r"(?<![\d.])0+(?:,|$)", size):
        raise BadRequest(f"size {size!r}")
    if not _ROTATION.fullmatch(rotation) or float(rotation.lstrip("!")) > 360:
        raise BadRequest(f"rotation {rotation!r}")
    if not _QUALITY.fullmatch(name):
        raise BadRequest(f"quality or format {name!r}")


@bp.get("/<public_id>/manifest.json")
def manifest(public_id: str) -> Response:
    """Return the Presentation 3.0 manifest of a published photo."""
    from archive.features.iiif.manifests import manifest as build

    runtime = get_runtime()
    with runtime.db.session() as session:
        photo = public_photo(session, public_id) if _PUBLIC_ID.fullmatch(public_id) else None
        if photo is None:
            abort(404)
        images = iiif.images_of(photo)
        credit = photo.credit or runtime.settings.default_credit
        document = build(photo, images, WebLinks(), provider(), credit)
    return json_answer(document, PRESENTATION_TYPE, False)


def json_answer(document: dict[str, Any], ld_type: str, immutable: bool) -> Response:
    """Answer JSON (JSON-LD with its profile when asked for): kept a year when its URL
    names one version of an image, else revalidated by the public-data version (the
    route's declaration, archive.web.caching)."""
    wanted = request.accept_mimetypes
    linked = wanted["application/ld+json"] > wanted["application/json"]
    body = json.dumps(document, ensure_ascii=False, indent=1)
    response = Response(body, content_type=ld_type if linked else "application/json")
    response.headers["Vary"] = "Accept"
    if immutable:
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        response.add_etag()
        response.make_conditional(request)
    return response


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")
