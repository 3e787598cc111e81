"""Serve public copies of derivatives: immutable, with ETag, straight from the public prefix.

A public copy exists only while its record is published (publication copies it in,
withdrawal takes it out), so serving needs no database query: what is in the public
prefix is public. Staff and contributors see private derivatives through
private_jpeg() on their own, never-cached routes.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Response, abort, request, send_file

from archive.errors import NotFound
from archive.storage import Storage, public_key
from archive.web import get_runtime
from archive.web.routing import Audience, Freshness, route

bp = Blueprint("media", __name__, url_prefix="/media")
ONE_YEAR = 365 * 24 * 3600
VARIANTS = ("thumb", "thumb_large", "web")
_NAME = re.compile(r"([0-9a-f]{64})-([1-9][0-9]{0,8})")


def read_stored(storage: Storage, key: str) -> bytes:
    """Return a stored derivative's bytes (they are small; this also gives Content-Length)."""
    try:
        with storage.open(key) as handle:
            return handle.read()
    except NotFound:
        abort(404)


def private_jpeg(backend: str, key: str) -> Response:
    """Return a stored derivative for one viewer only: never kept by shared caches."""
    storage = get_runtime().storages.of(backend)
    response = send_file(io.BytesIO(read_stored(storage, key)), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _modified(path: Path | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC) if path is not None else None
    except FileNotFoundError:
        return None


@bp.get("/<variant>/<name>.jpg")
@route(Audience.PUBLIC, freshness=Freshness.IMMUTABLE)
def derivative(variant: str, name: str) -> Response:
    """Return a thumbnail or web image of a published photo (masters are never served)."""
    found = _NAME.fullmatch(name)
    if variant not in VARIANTS or found is None:
        abort(404)
    return send_public(public_key(found.group(1), variant, int(found.group(2))), name)


def send_public(key: str, etag: str) -> Response:
    """Send a public copy from whichever backend holds it (the default one first)."""
    for storage in get_runtime().storages.available():
        try:
            path = storage.local_path(key)
        except NotFound:  # a key no object can have (a request value too long, say)
            abort(404)
        if path is not None and not path.is_file():
            continue
        if path is not None and "wsgi.file_wrapper" in request.environ:
            # The server sends the file itself (sendfile) and closes it.
            return send_file(path, mimetype="image/jpeg", etag=etag, max_age=ONE_YEAR)
        try:
            with storage.open(key) as handle:
                data = handle.read()
        except NotFound:
            continue
        return send_file(
            io.BytesIO(data),
            mimetype="image/jpeg",
            etag=etag,
            max_age=ONE_YEAR,
            last_modified=_modified(path),
        )
    abort(404)
