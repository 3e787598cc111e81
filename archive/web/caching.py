"""HTTP caching of public answers, from the route declarations (archive.web.routing).

A versioned route's answer depends only on the public data, the search index and the
period the route declares, so its validator is made of those: the public-data version
(which every commit visitors can see advances, before the index catches up), how many
records visitors see or saw still wait for the index (results change again when it has
taken them in; drafts being ingested do not count), whether the index is built, and the
day in Korea (the landing
page's 오늘의 사진 changes at midnight) or the hour (OAI-PMH's resumption tokens expire).
A conditional request whose validator still holds gets 304 before anything is rendered.

Browsers revalidate every time (max-age=0, must-revalidate). A proxy in front (nginx, see
deploy/nginx/) may keep an answer PROXY_SECONDS (X-Accel-Expires, which it reads and
drops) and then revalidates it with the same validator: an edit, an approval or a
takedown shows through the proxy within a second, and each URL costs the application at
most one cheap conditional request a second. Revalidation was chosen over purging: the
open-source nginx has no purge, and every host of a deployment would need it.

Answers named by their content (derivatives, tiles) are kept a year; live ones never.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Response, g, request, session

from archive.db import public_version
from archive.errors import IndexUnavailable
from archive.records.public import public_index_waiting
from archive.web import KST, get_runtime, search_view
from archive.web.routing import Audience, Freshness, RoutePolicy, policy_of

ONE_YEAR = 365 * 24 * 3600
PROXY_SECONDS = 1
REVALIDATE = "public, max-age=0, must-revalidate"
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"


def validator(policy: RoutePolicy) -> str:
    """Return the (weak) entity tag of a versioned answer made now."""
    with get_runtime().db.session() as session:  # the request's reading
        version = public_version(session)
        waiting = public_index_waiting(session)
    try:
        search_view()  # the request's view (the pages use it too)
        ready = "r"
    except IndexUnavailable:
        ready = "n"  # answers made without the index until it is built
    return f"p{version}.w{waiting}{ready}.{_period(policy.period)}"


def _period(kind: str) -> str:
    if kind == "hour":
        return datetime.now(UTC).strftime("%Y%m%d%H")
    return datetime.now(KST).strftime("%Y%m%d")


def _flash_waiting() -> bool:
    """Return whether this visitor has a message to see (the page must be made anew)."""
    return bool(request.cookies) and "_flashes" in session


def init_http_caching(app: Flask) -> None:
    """Answer conditional requests of versioned routes, and give every public answer its
    route's caching headers."""

    @app.before_request
    def answer_unchanged() -> Response | None:
        if request.method not in ("GET", "HEAD") or request.routing_exception is not None:
            return None
        policy = policy_of(app, request.endpoint)
        if not policy.versioned or _flash_waiting():
            return None
        g.validator = validator(policy)
        if request.if_none_match.contains_weak(g.validator):
            unchanged = Response(status=304)
            _versioned_headers(unchanged, g.validator)
            return unchanged
        return None

    @app.after_request
    def caching_headers(response: Response) -> Response:
        if response.status_code != 200 or request.method not in ("GET", "HEAD"):
            return response
        policy = policy_of(app, request.endpoint)
        if policy.audience != Audience.PUBLIC:
            return response  # private routes carry their declaration's headers
        if policy.freshness == Freshness.IMMUTABLE:
            response.headers["Cache-Control"] = IMMUTABLE
        elif "validator" in g and "Cache-Control" not in response.headers:
            _versioned_headers(response, g.validator)  # unless the view set its own
        return response


def _versioned_headers(response: Response, tag: str) -> None:
    response.set_etag(tag, weak=True)
    response.headers["Cache-Control"] = REVALIDATE
    response.headers["X-Accel-Expires"] = str(PROXY_SECONDS)
