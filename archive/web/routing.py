"""What each route is, declared once beside its view: who it is for, what secret it holds,
and how long its answers stay good.

A view (or a whole blueprint) declares its audience; a route reached by a secret in its
URL (a contributor's or a visitor's private status link) names the URL variable that
holds it; a public route says whether its answers follow the public data (revalidated by
the public-data version), are named by their content (kept a year), or are live (never
kept). Everything else is derived from these declarations, never listed again:
- the headers (caching, validators, referrer, robots) every answer of the route carries
  (archive.web.caching);
- the redaction of secrets from every log line (access, application, worker and jobs),
  as patterns built from the URL map;
- whether a request may be counted in figures about visitors (never a secret's or
  staff's).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, request
from werkzeug.routing import Rule

View = TypeVar("View", bound=Callable[..., Any])
_ATTRIBUTE = "route_policy"
# What a URL variable can hold in a log line: up to the next slash, query, quote or space.
_VALUE = r'[^/?#\s"]+'
_VARIABLE = re.compile(r"<(?:[^>:]+:)?([^>]+)>")


class Audience(StrEnum):
    """Who a route is for, which decides how its answers may be kept and shown."""

    PUBLIC = "public"  # anyone; the same answer for all (shared caches may keep it)
    VISITOR = "visitor"  # anyone, but made for this visitor (a form with its CSRF token)
    SECRET = "secret"  # whoever holds the secret in its URL (a private status link)
    STAFF = "staff"  # signed-in staff only


class Freshness(StrEnum):
    """How long a public route's answers stay good."""

    VERSIONED = "versioned"  # they follow the public data: revalidated by its version
    IMMUTABLE = "immutable"  # named by their content (a derivative, a tile): a year
    LIVE = "live"  # made for the moment (health): never kept


@dataclass(frozen=True)
class RoutePolicy:
    """A route's declaration: its audience, the URL variable that is a secret, how long
    its answers stay good, and (for versioned ones) the period they also depend on."""

    audience: Audience = Audience.PUBLIC
    secret: str | None = None
    freshness: Freshness = Freshness.VERSIONED
    period: str = "day"  # "day" (in Korea: the landing page's 오늘의 사진) or "hour"

    @property
    def versioned(self) -> bool:
        """Return whether answers are validated by the public-data version."""
        return self.audience == Audience.PUBLIC and self.freshness == Freshness.VERSIONED

    @property
    def counted(self) -> bool:
        """Return whether requests to the route may be counted in figures about visitors."""
        return self.audience in (Audience.PUBLIC, Audience.VISITOR)

    def headers(self) -> dict[str, str]:
        """Return the headers every answer of the route carries."""
        if self.audience == Audience.SECRET:
            return {
                "Cache-Control": "private, no-store",
                "Referrer-Policy": "no-referrer",
                "X-Robots-Tag": "noindex, nofollow",
            }
        if self.audience == Audience.STAFF:
            return {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow"}
        if self.audience == Audience.VISITOR:
            return {"Cache-Control": "private, no-cache"}
        if self.freshness == Freshness.LIVE:
            return {"Cache-Control": "no-store"}
        return {}


PUBLIC = RoutePolicy()
PERIODS = ("day", "hour")


def route(
    audience: Audience,
    *,
    secret: str | None = None,
    freshness: Freshness = Freshness.VERSIONED,
    period: str = "day",
) -> Callable[[View], View]:
    """Declare a view's audience (and, for Audience.SECRET, the variable holding the secret;
    for a public route, how long its answers stay good)."""
    if (audience == Audience.SECRET) != (secret is not None):
        raise ValueError("a secret route names its secret variable, and only a secret route")
    if period not in PERIODS:
        raise ValueError(f"period is one of {', '.join(PERIODS)}")
    policy = RoutePolicy(audience, secret, freshness, period)

    def declare(view: View) -> View:
        setattr(view, _ATTRIBUTE, policy)
        return view

    return declare


def area(bp: Blueprint, audience: Audience) -> None:
    """Declare the audience of every view of a blueprint that declares none of its own."""
    setattr(bp, _ATTRIBUTE, RoutePolicy(audience))


def policy_of(app: Flask, endpoint: str | None) -> RoutePolicy:
    """Return the policy of an endpoint: its view's, else its blueprint's, else public."""
    if endpoint is None:
        return PUBLIC
    view = app.view_functions.get(endpoint)
    own = getattr(view, _ATTRIBUTE, None)
    if own is not None:
        return own
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0]) if "." in endpoint else None
    return getattr(blueprint, _ATTRIBUTE, None) or PUBLIC


def secret_patterns(app: Flask) -> list[re.Pattern[str]]:
    """Return a pattern for every route that holds a secret, matching its path anywhere
    in a text with the secret as the group "secret"."""
    return [
        _pattern(rule, policy.secret)
        for rule in app.url_map.iter_rules()
        if (policy := policy_of(app, rule.endpoint)).secret is not None
    ]


def _pattern(rule: Rule, secret: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for found in _VARIABLE.finditer(rule.rule):
        parts.append(re.escape(rule.rule[position : found.start()]))
        name = found.group(1)
        parts.append(f"(?P<secret>{_VALUE})" if name == secret else _VALUE)
        position = found.end()
    parts.append(re.escape(rule.rule[position:]))
    return re.compile("".join(parts))


def init_route_policies(app: Flask) -> None:
    """Give every answer its route's declared headers (after the views' own hooks)."""

    @app.after_request
    def declared_headers(response: Response) -> Response:
        for name, value in policy_of(app, request.endpoint).headers().items():
            response.headers[name] = value
        return response
