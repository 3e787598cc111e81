"""The app factory and /healthz."""

from __future__ import annotations

from pathlib import Path

from archive.web import create_app
from tests.databases import fresh_database_url


def test_healthz_reports_every_check(tmp_path: Path) -> None:
    url = fresh_database_url(migrated=False)
    app = create_app(
        {"data_dir": tmp_path / "var", "scans_dir": tmp_path / "scans", "database_url": url}
    )
    client = app.test_client()
    response = client.get("/healthz")
    checks = {c["name"]: c for c in response.json["checks"]}
    assert response.status_code == 503 and response.json["status"] == "error"
    assert not checks["database"]["ok"] and "archive db upgrade" in checks["database"]["detail"]
    assert not checks["index"]["ok"]
    app.extensions["archive"].db.upgrade()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"
    names = [c["name"] for c in response.json["checks"]]
    assert names[:5] == ["settings", "database", "storage", "index", "disk"]
    assert "0 documents, 0 published records" in response.json["checks"][3]["detail"]
    app.extensions["archive"].close()
