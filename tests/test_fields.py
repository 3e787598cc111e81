"""Every field of the registry round-trips: sidecar → record → API → search → export."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from archive.app import create_app
from archive.features.offline.collect import Selection
from archive.features.offline.export import export_site, plan
from archive.fields import FIELDS, Field
from archive.ingest.worker import IngestWorker
from archive.models import Photo
from archive.operations.export import export_bag
from archive.search.query import SearchRequest, run_search
from tests.databases import fresh_database_url
from tests.scans import picture, save_jpeg

# A sidecar value per field (under its Korean header where it has one), and what the
# record keeps of it.
SIDECAR: dict[str, tuple[str, Any, Any]] = {
    "title": ("제목", "영산포 나룻배 zqxtitle", "영산포 나룻배 zqxtitle"),
    "description": ("사연", "할머니가 들려준 이야기\nzqxstory", "할머니가 들려준 이야기\nzqxstory"),
    "date": ("촬영시기", "1968년 가을", "1968년 가을"),
    "place": ("장소", "영산포 선창 zqxplace", "영산포 선창 zqxplace"),
    "people": ("사진 속 인물", "김영산 zqxpeople", "김영산 zqxpeople"),
    "tags": ("태그", "장날; zqxtag", ["장날", "zqxtag"]),
    "rights": ("공공누리", "공공누리 제2유형", "공공누리 제2유형"),
    "credit": ("제공자", "나주문화원 zqxcredit", "나주문화원 zqxcredit"),
    "identifier": ("관리번호", "NJ-1968-zqx001", "NJ-1968-zqx001"),
    "status": ("상태", "공개", "published"),
}


def test_every_field_of_the_registry_is_covered() -> None:
    assert set(SIDECAR) == {field.name for field in FIELDS}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Ingest one scan whose sidecar sets every field; export the archive."""
    root = tmp_path_factory.mktemp("fields")
    app = create_app(
        {
            "data_dir": root / "var",
            "scans_dir": root / "scans",
            "database_url": fresh_database_url(),
            "workers": 1,
            "settle_seconds": 0.0,
            "FLASK": {"TESTING": True},
        }
    )
    runtime = app.extensions["archive"]
    runtime.db.upgrade()
    inbox = runtime.settings.inbox_dir
    save_jpeg(inbox / "all.jpg", picture(seed=5))
    sidecar = {header: value for header, value, _kept in SIDECAR.values()}
    (inbox / "all.json").write_text(json.dumps(sidecar, ensure_ascii=False), "utf-8")
    with IngestWorker(runtime) as worker:
        worker.run_once(inbox)
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo)).one()
        export_bag(session, runtime.storages, root / "bag", organisation="나주시")
    export_site(runtime, root / "offline", plan(runtime, Selection()), Selection())
    yield {
        "app": app, "runtime": runtime, "photo": photo, "bag": root / "bag",
        "offline": root / "offline",
    }  # fmt: skip
    runtime.close()


@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
def test_the_field_reaches_the_record(archive: dict[str, Any], field: Field) -> None:
    assert getattr(archive["photo"], field.column) == SIDECAR[field.name][2]


@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
def test_the_field_reaches_the_api_if_public(archive: dict[str, Any], field: Field) -> None:
    client: FlaskClient = archive["app"].test_client()
    item = client.get(f"/api/photos/{archive['photo'].public_id}").get_json()
    kept = SIDECAR[field.name][2]
    if not field.public:
        assert field.name not in item
    elif field.name == "rights":
        assert item["rights"].startswith(kept)  # with the terms of the 공공누리 type
    else:
        assert item[field.name] == kept


@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
def test_the_field_is_found_by_search_if_searched(archive: dict[str, Any], field: Field) -> None:
    runtime = archive["runtime"]
    token = next((w for w in str(SIDECAR[field.name][1]).split() if "zqx" in w), None)
    if token is None:
        return  # nothing unique to look for (date, rights, status)
    token = token.split(";")[-1].strip()
    result = run_search(
        runtime.search.view(), SearchRequest(token), runtime.gazetteer, runtime.search.analyzer
    )
    found = [hit["id"] for hit in result.hits]
    assert found == ([archive["photo"].public_id] if field.search_weight else []), token


@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
def test_the_field_reaches_the_export(archive: dict[str, Any], field: Field) -> None:
    folder: Path = archive["bag"] / "data" / archive["photo"].public_id
    metadata = json.loads((folder / "metadata.json").read_text("utf-8"))
    with (archive["bag"] / "data" / "records.csv").open(encoding="utf-8-sig") as handle:
        [row] = list(csv.DictReader(handle))
    kept = SIDECAR[field.name][2]
    if not field.public:
        assert field.name not in metadata
        return
    if field.name == "date":
        assert metadata["date"]["text"] == kept and row["dc:date"] == "1968-23"  # autumn
    elif field.name == "place":
        assert metadata["place"]["text"] == kept and "영산포" in row["dc:coverage"]
    else:
        assert metadata[field.name] == kept
        column = f"dc:{field.dc}" if field.dc else f"archive:{field.name}"
        expected = "; ".join(kept) if isinstance(kept, list) else kept
        assert row[column] == expected


@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
def test_the_field_reaches_the_offline_copy_if_public(
    archive: dict[str, Any], field: Field
) -> None:
    """The offline photo page lists the facts and tells the story the registry declares, under
    the labels the online page uses."""
    page = archive["offline"] / "photos" / f"{archive['photo'].public_id}.html"
    html = page.read_text("utf-8")
    kept = SIDECAR[field.name][2]
    shown = ", ".join(kept) if isinstance(kept, list) else str(kept)
    if field.shown_as == "fact":
        facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))
        assert shown in facts[field.label], facts
    elif field.shown_as == "story":
        assert all(f"<p>{line}</p>" in html for line in shown.splitlines())
    elif not field.public:
        assert shown not in html
