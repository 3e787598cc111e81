"""Hypothesis profiles: a bounded run in `make test`, a long one under `make fuzz`.

ARCHIVE_FUZZ_EXAMPLES sets how many examples each fuzz test tries (make fuzz raises it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("ARCHIVE_FUZZ_EXAMPLES", "0") or 0)


def fuzz_settings(default_examples: int) -> settings:
    """Return hypothesis settings for a fuzz test: no deadline, bounded examples."""
    return settings(
        max_examples=EXAMPLES or default_examples,
        deadline=None,
        derandomize=not EXAMPLES,  # make test runs the same examples every time
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )


def fuzz_app(root: Path, **settings_: Any) -> Flask:
    """Return a migrated app over root for a fuzz module (its own database and folders)."""
    from archive.app import create_app
    from tests.databases import fresh_database_url

    flask = {"TESTING": True, **settings_.pop("FLASK", {})}
    app = create_app(
        {
            "data_dir": root / "var",
            "scans_dir": root / "scans",
            "database_url": fresh_database_url(),
            "settle_seconds": 0.0,
            "workers": 1,
            **settings_,
            "FLASK": flask,
        }
    )
    app.extensions["archive"].db.upgrade()
    return app


def published_scan(app: Flask) -> str:
    """Ingest one published scan through the real worker; return its id."""
    from tests.web.conftest import work
    from tests.web.test_moderate import scan

    [public_id] = scan(app, {"title": "영산포 선창", "status": "published"})
    work(app)
    return public_id
