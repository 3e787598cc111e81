"""Serve public derivatives by content hash: immutable, with ETag and Last-Modified."""

from __future__ import annotations

import io
import re

from flask import Blueprint, Response, abort, send_file

from archive.errors import NotFound
from archive.services.gallery import public_derivative
from archive.web import get_runtime

bp = Blueprint("media", __name__, url_prefix="/media")
ONE_YEAR = 365 * 24 * 3600
_SHA = re.compile(r"[0-9a-f]{64}")


def read_stored(key: str) -> bytes:
    """Return a stored derivative's bytes (they are small; this also gives Content-Length)."""
    try:
        with get_runtime().storage.open(key) as handle:
            return handle.read()
    except NotFound:
        abort(404)


def private_jpeg(key: str) -> Response:
    """Return a stored derivative for one viewer only: never kept by shared caches."""
    response = send_file(io.BytesIO(read_stored(key)), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<variant>/<sha256>.jpg")
def derivative(variant: str, sha256: str) -> Response:
    """Return a thumbnail or web image of a published photo (masters are never served)."""
    if variant not in ("thumb", "web") or not _SHA.fullmatch(sha256):
        abort(404)
    runtime = get_runtime()
    with runtime.db.session() as session:
        row = public_derivative(session, sha256, variant)
        if row is None:
            abort(404)
        key, modified = row.key, row.created_at
    data = read_stored(key)
    response = send_file(
        io.BytesIO(data),
        mimetype="image/jpeg",
        etag=sha256,
        last_modified=modified,
        max_age=ONE_YEAR,
        conditional=True,
    )
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
