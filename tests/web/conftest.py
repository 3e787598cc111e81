"""Web fixtures: one app per module with a published collection and real derivatives."""

from __future__ import annotations

import io
import json
import re
import secrets
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from archive.app import create_app
from archive.features.accounts.users import add_user
from archive.ingest.worker import IngestWorker
from archive.models import Photo
from archive.runtime import Runtime
from tests.databases import fresh_database_url
from tests.scans import exif_bytes, picture, save_jpeg
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
            "public_url": "https://oldphoto.naju.go.kr",
            "database_url": fresh_database_url(data_dir=root / "var"),
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


STAFF_PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def fresh_app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """Return an app over an empty, migrated archive; a test may add settings with a marker."""
    marker = request.node.get_closest_marker("settings")
    extra = dict(marker.kwargs) if marker else {}
    if request.node.get_closest_marker("whoosh") is not None:
        extra.setdefault("search_backend", "whoosh")
    application = create_app(
        {
            "data_dir": tmp_path / "var",
            "scans_dir": tmp_path / "scans",
            "workers": 1,
            # Test files are written whole before a worker looks: no need to wait for them.
            "settle_seconds": 0.0,
            "database_url": fresh_database_url(data_dir=tmp_path / "var"),
            "FLASK": {"TESTING": True},
            **extra,
        }
    )
    runtime: Runtime = application.extensions["archive"]
    runtime.db.upgrade()
    work(application)  # a worker builds the (empty) index when it starts
    yield application
    runtime.close()


@pytest.fixture(scope="module")
def shared_photo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    """Return an app with one published scan, shared by a module's tests that need no
    clean slate (those that store nothing, or only what no other test counts)."""
    from tests.web.test_moderate import scan  # the test module imports this one

    root = tmp_path_factory.mktemp("shared")
    application = create_app(
        {
            "data_dir": root / "var",
            "scans_dir": root / "scans",
            "workers": 1,
            "settle_seconds": 0.0,
            "database_url": fresh_database_url(data_dir=root / "var"),
            "voice_rate_limit": "10000 per hour",
            "FLASK": {"TESTING": True},
        }
    )
    runtime: Runtime = application.extensions["archive"]
    runtime.db.upgrade()
    [public_id] = scan(application, {"title": "영산포 선창", "status": "published"})
    work(application)
    yield application, public_id
    runtime.close()


def work(app: Flask) -> int:
    """Do what the ingest worker does in the background: the due jobs (index included)."""
    runtime: Runtime = app.extensions["archive"]
    return runtime.job_runner("test-worker").run_due()


def runtime_of(app: Flask) -> Runtime:
    """Return an app's runtime (database, storage, settings)."""
    runtime: Runtime = app.extensions["archive"]
    return runtime


def csrf_token(client: FlaskClient, path: str) -> str:
    """GET a page and return the CSRF token of its form."""
    response = client.get(path)
    found = _CSRF.search(response.get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def add_staff(app: Flask, name: str, role: str, password: str = STAFF_PASSWORD) -> None:
    """Create a staff account directly through the service."""
    runtime: Runtime = app.extensions["archive"]
    with runtime.db.session() as session:
        add_user(session, name, role, password, runtime.settings.password_min_length)


def sign_in(client: FlaskClient, name: str, password: str = STAFF_PASSWORD) -> None:
    """Sign a staff account in on a client."""
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def login_as(fresh_app: Flask) -> Callable[[str], FlaskClient]:
    """Return a function that signs a new account of a role in and returns its client."""

    def login(role: str) -> FlaskClient:
        name = f"{role}-{secrets.token_hex(3)}"
        add_staff(fresh_app, name, role)
        client = fresh_app.test_client()
        sign_in(client, name)
        client.staff_name = name  # type: ignore[attr-defined]
        return client

    return login


def upload(im: Image.Image | None = None, name: str = "photo.jpg", **exif: Any) -> Any:
    """Return a (stream, filename) pair of a JPEG for a multipart form."""
    out = io.BytesIO()
    kwargs: dict[str, Any] = {"quality": 88}
    if exif:
        kwargs["exif"] = exif_bytes(**exif)
    (im or picture((800, 600))).save(out, "JPEG", **kwargs)
    out.seek(0)
    return (out, name)


def contribution(
    token: str, photos: list[tuple[Any, dict[str, str]]], **overrides: Any
) -> dict[str, Any]:
    """Return the fields of a valid contribution form with these photos and their fields."""
    data: dict[str, Any] = {
        "csrf_token": token,
        "name": "김나주",
        "contact": "010-1234-5678",
        "rights": "공공누리 제1유형",
        "owns_rights": "y",
        "consent": "y",
        "website": "",
    }
    for index, (file, fields) in enumerate(photos):
        data[f"photos-{index}-file"] = file
        for name, value in fields.items():
            data[f"photos-{index}-{name}"] = value
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def send(client: FlaskClient, data: dict[str, Any]) -> Any:
    """POST a contribution form."""
    response = client.post("/contribute", data=data, content_type="multipart/form-data")
    # Werkzeug's test client spools bodies over 500 KiB to a temp file it never closes.
    response.request.environ["wsgi.input"].close()
    return response


class _FormReader(HTMLParser):
    """Collect the current values of one form's text inputs and text areas."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.values: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = attr.get("id") == self.form_id
        elif self.inside and tag == "input" and attr.get("type", "text") == "text":
            self.values[attr["name"]] = attr.get("value", "")
        elif self.inside and tag == "textarea":
            self._textarea = attr["name"]
            self.values[attr["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_values(html: str, form_id: str) -> dict[str, str]:
    """Return what a browser would send from a form's text fields as shown."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return {k: v.removeprefix("\n") for k, v in reader.values.items()}
