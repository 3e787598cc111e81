"""The app factory and /healthz."""

from __future__ import annotations

from pathlib import Path

from archive.app import create_app
from tests.databases import fresh_database_url
from tests.web.conftest import add_staff, sign_in, work


def test_healthz_reports_every_check_to_admins_only(tmp_path: Path) -> None:
    url = fresh_database_url(migrated=False)
    app = create_app(
        {"data_dir": tmp_path / "var", "scans_dir": tmp_path / "scans", "database_url": url}
    )
    client = app.test_client()
    stranger = client.get("/healthz")
    assert stranger.status_code == 503 and stranger.json == {"status": "error"}
    app.extensions["archive"].db.upgrade()
    assert client.get("/healthz").json == {"status": "error"}  # no worker built the index
    work(app)
    assert client.get("/healthz").json == {"status": "ok"}
    add_staff(app, "admin-kim", "admin")
    sign_in(client, "admin-kim")
    runtime = app.extensions["archive"]
    with runtime.db.engine.begin() as connection:  # as if the code were newer than the schema
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    response = client.get("/healthz")
    checks = {c["name"]: c for c in response.json["checks"]}
    assert response.status_code == 503 and response.json["status"] == "error"
    assert not checks["database"]["ok"] and "archive db upgrade" in checks["database"]["detail"]
    with runtime.db.engine.begin() as connection:
        connection.exec_driver_sql(
            f"UPDATE alembic_version SET version_num = '{runtime.head_revision}'"
        )
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"
    names = [c["name"] for c in response.json["checks"]]
    assert names[:6] == ["settings", "database", "storage", "index", "jobs", "disk"]
    assert "0 documents, 0 published records" in response.json["checks"][3]["detail"]
    app.extensions["archive"].close()
