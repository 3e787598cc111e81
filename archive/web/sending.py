"""Send stored images: public copies (immutable, by their content's name, from whichever
backend holds them) and private derivatives for one viewer (never kept by shared caches).
The media, IIIF, review and contribution screens all send files through these."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, abort, request, send_file

from archive.errors import NotFound
from archive.storage import Storage
from archive.web import get_runtime
from archive.web.caching import ONE_YEAR


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
