"""Versioned names for the site's own static files, so they can be kept a year.

Every link to a static file carries the first characters of its content's SHA-256
(`/static/style.css?v=1a2b3c4d5e6f`): a changed file gets a new URL, so a browser or a
front server (nginx serves /static/ itself) may keep each URL for a year without ever
showing an old style sheet after an upgrade.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, request

ONE_YEAR = 365 * 24 * 3600


@cache
def _version(folder: str, filename: str) -> str:
    """Return the version of a static file: the start of its SHA-256 ("" if missing)."""
    path = Path(folder) / filename
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return ""


def static_folder() -> Path:
    """Return the folder of the site's static files (inside the installed package)."""
    return Path(__file__).resolve().parent / "static"


class ArchiveFlask(Flask):
    """Flask, keeping a versioned static URL a year (an unversioned one is revalidated)."""

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """Return how long a static file may be kept."""
        return ONE_YEAR if request.args.get("v") else super().get_send_file_max_age(filename)


def init_static_versions(app: Flask) -> None:
    """Add ?v=<content hash> to every static URL."""
    folder = str(app.static_folder)

    @app.url_defaults
    def add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            version = _version(folder, str(values.get("filename", "")))
            if version:
                values["v"] = version
