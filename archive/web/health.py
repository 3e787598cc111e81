"""Liveness and readiness for load balancers and the office's monitoring."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from archive.operations.checks import report, run_checks
from archive.web import get_runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    """Report database, schema, storage, search index and disk space (503 when any fails)."""
    body = report(run_checks(get_runtime(), write=False))
    return body, 200 if body["status"] == "ok" else 503
