"""Web fixtures: one app per module with a published collection and real derivatives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from archive.ingest.worker import IngestWorker
from archive.models import Photo
from archive.runtime import Runtime
from archive.web import create_app
from tests.scans import picture, save_jpeg
from tests.search.collection import populate


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """Return an app whose database holds the relevance collection plus two real scans."""
    root = tmp_path_factory.mktemp("web")
    application = create_app(
        {
            "data_dir": root / "var",
            "scans_dir": root / "scans",
            "settle_seconds": 0.0,
            "workers": 1,
            "cors_origins": "https://www.naju.go.kr",
            "FLASK": {"TESTING": True},
        }
    )
    runtime: Runtime = application.extensions["archive"]
    runtime.db.upgrade()
    with runtime.db.session() as session:
        populate(session, runtime.gazetteer)
    inbox = runtime.settings.inbox_dir
    for name, status in (("scan-public", "published"), ("scan-draft", "draft")):
        save_jpeg(inbox / f"{name}.jpg", picture((900, 600), seed=len(name)), gps=True)
        (inbox / f"{name}.json").write_text(
            json.dumps({"title": name, "date": "1975", "place": "영산포", "status": status}),
            "utf-8",
        )
    with IngestWorker(runtime) as worker:
        worker.run_once(inbox)
    yield application
    runtime.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client."""
    return app.test_client()


def api(client: FlaskClient, path: str, **params: Any) -> Any:
    """GET a JSON API path and return the decoded body."""
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.data
    return response.get_json()


@pytest.fixture
def scan_ids(app: Flask) -> dict[str, str]:
    """Return the public ids of the two ingested scans (draft included), from the database."""
    runtime: Runtime = app.extensions["archive"]
    with runtime.db.session() as session:
        rows = session.execute(
            select(Photo.title, Photo.public_id).where(Photo.title.like("scan-%"))
        ).all()
    return {title: public_id for title, public_id in rows}
