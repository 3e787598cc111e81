"""Public image files answered before Flask: thumbnails, web images and IIIF tiles.

These are immutable files whose URL names their public copy, so answering needs no
database, session or template; going through Flask's request machinery cost a third of
each answer. Only plain requests are answered here (GET or HEAD of a file that exists in
a local backend, from a trusted host, without a query, range or date condition); every
other request, and every file not found, goes on to the Flask routes in archive.web.media
and archive.web.iiif, which hold the full rules and the error pages. The headers are the
ones those routes send (security headers from archive.web.security).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.exceptions import SecurityError
from werkzeug.http import http_date
from werkzeug.sansio.utils import get_host

from archive.config import Settings
from archive.errors import NotFound
from archive.services.iiif import tree_key_of
from archive.storage import Storages, public_key
from archive.web.security import file_headers

ONE_YEAR = 365 * 24 * 3600
MEDIA = re.compile(r"/media/(thumb|thumb_large|web)/([0-9a-f]{64})-([1-9][0-9]{0,8})\.jpg")
TILE = re.compile(
    r"/iiif/3/([0-9a-z-]{1,100})/(full|\d{1,6},\d{1,6},\d{1,6},\d{1,6})/(\d{1,6},\d{0,6}|max)"
    r"/0/default\.jpg"
)
# Headers a plain request may carry that change the answer: left to Flask.
CONDITIONS = ("HTTP_RANGE", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_IF_MATCH")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _media(match: re.Match[str]) -> tuple[str, str, list[tuple[str, str]]] | None:
    variant, digest, version = match.groups()
    return public_key(digest, variant, int(version)), f"{digest}-{version}", []


def _tile(match: re.Match[str]) -> tuple[str, str, list[tuple[str, str]]] | None:
    ident, region, size = match.groups()
    tree = tree_key_of(ident)
    if tree is None:
        return None
    cors = [("Access-Control-Allow-Origin", "*")]
    return f"{tree}{region}/{size}/0/default.jpg", f"{ident}/{region}/{size}", cors


ROUTES = ((MEDIA, _media), (TILE, _tile))


class PublicFiles:
    """WSGI middleware: answer plain requests for public image files, pass on the rest."""

    def __init__(
        self, app: WSGIApp, settings: Settings, storages: Storages, trusted_hosts: list[str]
    ) -> None:
        self.app = app
        self.storages = storages
        self.trusted_hosts = trusted_hosts or None
        self.headers = {secure: file_headers(settings, secure) for secure in (False, True)}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        found = self._file(environ)
        if found is not None:
            try:
                return self._send(environ, start_response, *found)
            except FileNotFoundError:
                pass  # withdrawn a moment ago: Flask answers 404
        return self.app(environ, start_response)

    def _file(self, environ: dict[str, Any]) -> tuple[Path, str, list[tuple[str, str]]] | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("QUERY_STRING"):
            return None
        if any(environ.get(name) for name in CONDITIONS) or not self._trusted(environ):
            return None
        path = environ.get("PATH_INFO", "")
        for pattern, resolve in ROUTES:
            match = pattern.fullmatch(path)
            target = resolve(match) if match else None
            if target is not None:
                return self._local(*target)
        return None

    def _trusted(self, environ: dict[str, Any]) -> bool:
        try:
            get_host(
                environ.get("wsgi.url_scheme", "http"),
                environ.get("HTTP_HOST"),
                (environ.get("SERVER_NAME", ""), environ.get("SERVER_PORT", "")),
                self.trusted_hosts,
            )
        except SecurityError:
            return False  # Flask refuses it with its page
        return True

    def _local(
        self, key: str, etag: str, extra: list[tuple[str, str]]
    ) -> tuple[Path, str, list[tuple[str, str]]] | None:
        for storage in self.storages.available():
            try:
                path = storage.local_path(key)
            except NotFound:
                return None  # a key no object can have: Flask answers 404
            if path is None:
                return None  # a remote backend: Flask streams or redirects
            if path.is_file():
                return path, etag, extra
        return None

    def _send(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        path: Path,
        etag: str,
        extra: list[tuple[str, str]],
    ) -> Iterable[bytes]:
        quoted = f'"{etag}"'
        secure = environ.get("wsgi.url_scheme") == "https"
        headers = [
            ("Cache-Control", f"public, max-age={ONE_YEAR}, immutable"),
            ("Expires", http_date(time.time() + ONE_YEAR)),
            ("ETag", quoted),
            *extra,
            *self.headers[secure],
        ]
        if quoted in environ.get("HTTP_IF_NONE_MATCH", ""):
            path.stat()  # still there (else FileNotFoundError: Flask answers)
            start_response("304 Not Modified", headers)
            return []
        handle = path.open("rb")
        stat = os.fstat(handle.fileno())
        start_response(
            "200 OK",
            [
                ("Content-Type", "image/jpeg"),
                ("Content-Length", str(stat.st_size)),
                ("Last-Modified", http_date(stat.st_mtime)),
                ("Accept-Ranges", "bytes"),  # a range request goes on to Flask, which has them
                *headers,
            ],
        )
        wrapper = environ.get("wsgi.file_wrapper")
        if environ["REQUEST_METHOD"] == "HEAD" or wrapper is None:
            with handle:
                return [] if environ["REQUEST_METHOD"] == "HEAD" else [handle.read()]
        return wrapper(handle)  # the server sends it with sendfile
