"""Headers every response carries: content policy, framing, sniffing, referrer, features.

No page has inline scripts or styles, so the policy allows only the site's own files
(and the public image host, when derivatives are served from one). Only /embed may be
framed, and only by the configured homepage origins.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request

from archive.config import Settings

EMBED_ENDPOINT = "gallery.embed"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# The longest name of a file (Linux): no path part of any route is longer.
MAX_SEGMENT_BYTES = 255
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_policy(settings: Settings, frame_ancestors: str) -> str:
    """Return the Content-Security-Policy of a page."""
    images = " ".join(filter(None, ("'self'", "data:", _origin(settings.s3_public_url))))
    return "; ".join(
        (
            "default-src 'self'",
            f"img-src {images}",
            "script-src 'self'",
            "style-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


def has_nul(values: Iterable[str]) -> bool:
    """Return whether any text holds a NUL character (PostgreSQL cannot store it)."""
    return any("\x00" in value for value in values)


def init_input_guard(app: Flask) -> None:
    """Refuse requests whose path has a part longer than a file name may be (404), or whose
    path, query or form holds a NUL character (400), on every route.

    No person types a NUL; PostgreSQL refuses it where SQLite would store it, so without
    this the same request could be a 500 on one database and not on the other. A path
    part may become part of a file name or a storage key, which storage checks too.
    """

    @app.before_request
    def refuse_nul() -> None:
        if any(
            len(part.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES
            for part in request.path.split("/")
        ):
            abort(404)  # no page, record, file or tile has such a name
        if request.endpoint == "oai.endpoint":
            return  # OAI-PMH answers every bad argument itself, in its own XML (badArgument)
        fields = [request.path]
        fields += [text for pair in request.args.items(multi=True) for text in pair]
        if request.method == "POST" and request.mimetype in FORM_TYPES:
            fields += [text for pair in request.form.items(multi=True) for text in pair]
            fields += [upload.filename or "" for upload in request.files.values()]
        if has_nul(fields):
            abort(400)


def init_security_headers(app: Flask, settings: Settings) -> None:
    """Add the security headers to every response, errors and static files included."""
    embed_from = " ".join(settings.embed_origins.split()) or "'none'"
    pages = content_policy(settings, "'none'")
    embed = content_policy(settings, embed_from)

    @app.after_request
    def secure(response: Response) -> Response:
        embedded = request.endpoint == EMBED_ENDPOINT
        response.headers["Content-Security-Policy"] = embed if embedded else pages
        if not embedded:
            response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        for name, value in common_headers(request.is_secure):
            response.headers[name] = value
        return response


def common_headers(secure: bool) -> list[tuple[str, str]]:
    """Return the headers every answer carries whatever it is (HSTS over HTTPS only)."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("Permissions-Policy", PERMISSIONS),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


def file_headers(settings: Settings, secure: bool) -> list[tuple[str, str]]:
    """Return the security headers of a public image file (as a page's, never framed)."""
    return [
        ("Content-Security-Policy", content_policy(settings, "'none'")),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        *common_headers(secure),
    ]
