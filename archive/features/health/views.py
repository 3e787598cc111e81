"""Liveness and readiness for load balancers and the office's monitoring.

Strangers learn only whether the service is well; the checks themselves (database,
paths, disk, counts) are for signed-in admins here and for `archive check`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user

from archive.operations.checks import run_checks
from archive.operations.verdicts import report
from archive.web import get_runtime
from archive.web.routing import Audience, Freshness, route

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@route(Audience.PUBLIC, freshness=Freshness.LIVE)
def healthz() -> tuple[dict[str, Any], int]:
    """Answer 200 {"status": "ok"} (or "degraded": working, something not vital is down)
    or 503 {"status": "error"}; details only for admins."""
    body = report(run_checks(get_runtime(), write=False))
    code = 503 if body["status"] == "error" else 200
    if not (current_user.is_authenticated and getattr(current_user, "is_admin", False)):
        body = {"status": body["status"]}
    return body, code
