"""Downloads of a published photo in the sizes its rights allow (see viewer.py)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort

from archive.records import downloads
from archive.records import images as iiif
from archive.records.public import public_photo
from archive.web import get_runtime

bp = Blueprint("zoom", __name__)
_PUBLIC_ID = re.compile(r"[0-9a-z]{1,16}")  # the form of photo ids (String(16))


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
