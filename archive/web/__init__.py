"""Flask application factory; the public gallery and staff screens join here as blueprints."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from archive.config import load_settings
from archive.runtime import Runtime, build_runtime
from archive.storage import Storage


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app: settings from ARCHIVE_* variables, or overrides from test_config."""
    app = Flask(__name__)
    overrides = dict(test_config or {})
    flask_config = overrides.pop("FLASK", {})
    settings = load_settings(**overrides)
    app.config.update(SECRET_KEY=None, JSON_AS_ASCII=False, **flask_config)
    runtime = build_runtime(settings)
    app.extensions["archive"] = runtime

    from archive.web import health

    app.register_blueprint(health.bp)
    return app


def get_runtime() -> Runtime:
    """Return the app's runtime (settings, database, storage)."""
    runtime: Runtime = current_app.extensions["archive"]
    return runtime


def get_storage() -> Storage:
    """Return the app's storage backend."""
    return get_runtime().storage
