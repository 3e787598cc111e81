"""Liveness and readiness for load balancers and the office's monitoring."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from archive.web import get_runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    """Report whether the database answers and its schema is current."""
    runtime = get_runtime()
    try:
        with runtime.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        schema = runtime.schema_is_current()
    except SQLAlchemyError as exc:
        return {"status": "error", "database": f"unreachable: {type(exc).__name__}"}, 503
    status = "ok" if schema else "error"
    return {"status": status, "database": "ok", "schema_current": schema}, (200 if schema else 503)
