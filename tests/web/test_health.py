"""The app factory and /healthz."""

from __future__ import annotations

from pathlib import Path

from archive.web import create_app
from tests.databases import fresh_database_url


def test_healthz_reports_schema(tmp_path: Path) -> None:
    url = fresh_database_url(migrated=False)
    app = create_app(
        {"data_dir": tmp_path / "var", "scans_dir": tmp_path / "scans", "database_url": url}
    )
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json == {
        "status": "error",
        "database": "ok",
        "schema_current": False,
    }
    app.extensions["archive"].db.upgrade()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"
    app.extensions["archive"].close()
