"""The photo page's deep zoom and downloads: what the viewer opens and what may be taken."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, url_for

from archive.models import Photo
from archive.services import downloads, iiif
from archive.services.gallery import public_photo, rights_label
from archive.services.manifests import attribution
from archive.web import get_runtime
from archive.web.iiif_links import WebLinks, provider

bp = Blueprint("zoom", __name__)
_PUBLIC_ID = re.compile(r"[0-9a-z]{1,16}")  # the form of photo ids (String(16))


def zoom_context(photo: Photo, images: list[iiif.PublicImage]) -> dict[str, Any]:
    """Return the viewer's images (info.json URLs and labels), the manifest and a large view."""
    if not images:
        return {"images": [], "manifest": None, "large": None}
    links = WebLinks()
    shown = [
        {
            "info": url_for("iiif.info", ident=image.name),
            "label": image.label_ko,
            "width": image.width,
            "height": image.height,
            "large": f"{links.service(image)}/full/max/0/default.jpg",
        }
        for image in images
    ]
    return {
        "images": shown,
        "manifest": links.manifest(photo.public_id),
        "large": shown[0]["large"],
    }


def download_context(photo: Photo, images: list[iiif.PublicImage]) -> dict[str, Any]:
    """Return the sizes offered for download, the rights and the attribution to copy."""
    credit = photo.credit or get_runtime().settings.default_credit
    return {
        "sizes": downloads.sizes(photo, images[0] if images else None),
        "rights": rights_label(photo.rights)["kogl"],
        "attribution": attribution(photo, credit, provider()),
    }


@bp.get("/photos/<public_id>/download/<size>.jpg")
def download(public_id: str, size: str) -> Response:
    """Send one offered size of a published photo whose rights allow reuse, as a file."""
    runtime = get_runtime()
    if not _PUBLIC_ID.fullmatch(public_id):
        abort(404)
    with runtime.db.session() as session:
        photo = public_photo(session, public_id)
        if photo is None:
            abort(404)
        images = iiif.images_of(photo)
        offered = {s.name: s for s in downloads.sizes(photo, images[0] if images else None)}
        if size not in offered:
            abort(404)
        data = downloads.download_bytes(runtime.storages, runtime.settings, photo, offered[size])
    response = Response(data, mimetype="image/jpeg")
    name = f"naju-{public_id}-{size}.jpg"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response  # revalidated: a takedown or a change of rights stops it at once
