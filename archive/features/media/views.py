"""Serve public copies of derivatives: immutable, with ETag, straight from the public prefix.

A public copy exists only while its record is published (publication copies it in,
withdrawal takes it out), so serving needs no database query: what is in the public
prefix is public. Staff and contributors see private derivatives through
archive.web.sending.private_jpeg() on their own, never-cached routes.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort

from archive.renditions import SERVED
from archive.storage import public_key
from archive.web.routing import Audience, Freshness, route
from archive.web.sending import send_public

bp = Blueprint("media", __name__, url_prefix="/media")
_NAME = re.compile(r"([0-9a-f]{64})-([1-9][0-9]{0,8})")


@bp.get("/<variant>/<name>.jpg")
@route(Audience.PUBLIC, freshness=Freshness.IMMUTABLE)
def derivative(variant: str, name: str) -> Response:
    """Return a thumbnail or web image of a published photo (masters are never served)."""
    found = _NAME.fullmatch(name)
    if variant not in SERVED or found is None:
        abort(404)
    return send_public(public_key(found.group(1), variant, int(found.group(2))), name)
