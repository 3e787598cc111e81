"""A web request never builds or waits for the search index: it answers at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from tests.web.conftest import runtime_of, work
from tests.web.test_moderate import contribute, edit


def index_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@pytest.mark.whoosh
def test_without_an_index_search_says_it_is_being_built_and_browsing_works(
    fresh_app: Flask, login_as: object
) -> None:
    (photo,), _ = contribute(fresh_app, "사연")
    staff = login_as("moderator")  # type: ignore[operator]
    edit(staff, photo, "approve", title="영산포 장날")
    runtime = runtime_of(fresh_app)
    shutil.rmtree(runtime.settings.index_dir)
    client = fresh_app.test_client()
    search = client.get("/photos", query_string={"q": "장날"})
    assert search.status_code == 503 and search.headers["Retry-After"]
    assert "검색 준비 중입니다" in search.get_data(as_text=True)
    api = client.get("/api/photos", query_string={"q": "장날"})
    assert api.status_code == 503 and api.get_json()["error"] == "index_unavailable"
    assert client.get("/").status_code == 200  # the newest photos come from the database
    assert client.get(f"/photos/{photo}").status_code == 200
    assert client.get(f"/api/photos/{photo}").status_code == 200
    edit(staff, photo, "save", title="영산포 장날 풍경")  # decisions go on meanwhile
    assert index_files(runtime.settings.index_dir) == set()  # and no request wrote an index
    work(fresh_app)  # the worker rebuilds it
    found = client.get("/api/photos", query_string={"q": "풍경"}).get_json()
    assert [item["id"] for item in found["items"]] == [photo]


@pytest.mark.whoosh
def test_an_index_of_an_older_layout_is_not_used_and_not_rebuilt_by_requests(
    fresh_app: Flask,
) -> None:
    runtime = runtime_of(fresh_app)
    marker = runtime.settings.index_dir / "current" / "archive-schema-version"
    marker.write_text("an-older-layout")
    before = index_files(runtime.settings.index_dir)
    assert fresh_app.test_client().get("/photos?q=x").status_code == 503
    assert index_files(runtime.settings.index_dir) == before
    work(fresh_app)
    assert marker.resolve().read_text() == runtime.search.version
    assert fresh_app.test_client().get("/photos?q=x").status_code == 200


def test_the_layout_version_follows_the_field_registry(monkeypatch: object) -> None:
    import archive.search.documents as documents
    from archive.fields import BY_NAME
    from archive.search.whoosh import schema_description

    before = documents.layout_version(schema_description())
    people = BY_NAME["people"]
    heavier = type(people)(**{**people.__dict__, "search_weight": 2.0})
    searched = tuple(heavier if f.name == "people" else f for f in documents.SEARCHED)
    monkeypatch.setattr(documents, "SEARCHED", searched)  # type: ignore[attr-defined]
    assert documents.layout_version(schema_description()) != before
