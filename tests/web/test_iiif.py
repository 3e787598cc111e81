"""IIIF: level-0 image services, Presentation 3.0 manifests and collections, downloads."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import piexif
import pytest
from flask import Flask
from flask.testing import FlaskClient
from iiif_prezi3 import Collection, Manifest
from PIL import Image

from archive.app import create_app
from archive.ingest.worker import IngestWorker
from archive.runtime import Runtime
from tests.databases import fresh_database_url
from tests.scans import picture, save_jpeg, save_tiff
from tests.web.conftest import runtime_of, work
from tests.web.test_public_metadata import PIXELS_ONLY, jpeg_segments

KOGL1 = "공공누리 제1유형"
RECORDS: dict[str, dict[str, Any]] = {
    "big": {"title": "영산포 등대", "date": "1975년", "place": "영산포", "people": "김나주",
            "tags": "등대, 영산강", "rights": KOGL1, "identifier": "NJ-1975-001",
            "description": "강가의 등대", "status": "published"},
    "album": {"title": "학교 앨범", "date": "1962", "place": "남평", "status": "published"},
    "hidden": {"title": "초안", "date": "1975", "status": "draft"},
}  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An archive with a large published scan, a published three-page album with its back
    side, and a draft."""
    root = tmp_path_factory.mktemp("iiif")
    application = create_app(
        {
            "data_dir": root / "var",
            "scans_dir": root / "scans",
            "workers": 1,
            "settle_seconds": 0.0,
            "public_url": "https://oldphoto.naju.go.kr",
            "database_url": fresh_database_url(data_dir=root / "var"),
            "FLASK": {"TESTING": True},
        }
    )
    runtime: Runtime = application.extensions["archive"]
    runtime.db.upgrade()
    inbox = runtime.settings.inbox_dir
    save_jpeg(inbox / "big.jpg", picture((3400, 2300), seed=1), gps=True)
    pages = [picture((600, 800), seed=3), picture((900, 500), seed=4)]
    save_tiff(inbox / "album.tif", picture((1100, 800), seed=2), pages=pages)
    save_jpeg(inbox / "album_b.jpg", picture((1000, 700), seed=5))
    save_jpeg(inbox / "hidden.jpg", picture((800, 600), seed=6))
    for name, fields in RECORDS.items():
        (inbox / f"{name}.json").write_text(json.dumps(fields, ensure_ascii=False), "utf-8")
    with IngestWorker(runtime) as worker:
        worker.run_once(inbox)
    work(application)
    yield application
    runtime.close()


def ids(app: Flask) -> dict[str, str]:
    from sqlalchemy import select

    from archive.models import Photo

    with runtime_of(app).db.session() as session:
        rows = session.execute(select(Photo.title, Photo.public_id)).all()
    by_title = dict(rows)
    return {name: by_title[fields["title"]] for name, fields in RECORDS.items()}


def local(url: str) -> str:
    """Return the path of an absolute URL of this site (at its configured address)."""
    for site in ("https://oldphoto.naju.go.kr/", "http://127.0.0.1:8000/"):
        if url.startswith(site):
            return url.removeprefix(site[:-1])
    raise AssertionError(f"not a URL of this site: {url}")


def info_of(client: FlaskClient, public_id: str) -> dict[str, Any]:
    response = client.get(f"/iiif/3/{public_id}/info.json")
    assert response.status_code == 200, public_id
    return dict(response.get_json())


def tile_urls(info: dict[str, Any]) -> list[tuple[str, tuple[int, int]]]:
    """Return every image URL a level-0 info.json promises, with its pixel size."""
    width, height, base = info["width"], info["height"], local(info["id"])
    [tiles] = info["tiles"]
    urls = []
    for factor in tiles["scaleFactors"]:
        span = tiles["width"] * factor
        for y in range(0, height, span):
            for x in range(0, width, span):
                w, h = min(span, width - x), min(span, height - y)
                region = "full" if (w, h) == (width, height) else f"{x},{y},{w},{h}"
                size = (math.ceil(w / factor), math.ceil(h / factor))
                urls.append((f"{base}/{region}/{size[0]},{size[1]}/0/default.jpg", size))
    urls += [
        (f"{base}/full/{s['width']},{s['height']}/0/default.jpg", (s["width"], s["height"]))
        for s in info["sizes"]
    ]
    urls.append((f"{base}/full/max/0/default.jpg", (info["maxWidth"], info["maxHeight"])))
    return urls


def test_info_json_follows_the_image_api_at_level_0(app: Flask) -> None:
    client = app.test_client()
    public_id = ids(app)["big"]
    info = info_of(client, public_id)
    assert info["@context"] == "http://iiif.io/api/image/3/context.json"
    assert (info["type"], info["protocol"], info["profile"]) == (
        "ImageService3", "http://iiif.io/api/image", "level0",
    )  # fmt: skip
    assert (info["width"], info["height"]) == (3400, 2300)  # scans: full resolution
    assert info["tiles"] == [{"width": 512, "height": 512, "scaleFactors": [1, 2, 4, 8]}]
    assert [(s["width"], s["height"]) for s in info["sizes"]] == [
        (425, 288),
        (850, 575),
        (1700, 1150),
    ]
    assert (info["maxWidth"], info["maxHeight"]) == (2048, 1385)
    versioned = client.get(local(info["id"]) + "/info.json")
    assert versioned.get_json() == info  # its id is where it lives
    assert "immutable" in versioned.headers["Cache-Control"]
    assert "immutable" not in client.get(f"/iiif/3/{public_id}/info.json").headers["Cache-Control"]
    linked = client.get(f"/iiif/3/{public_id}/info.json", headers={"Accept": "application/ld+json"})
    assert linked.content_type.startswith("application/ld+json")
    assert linked.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get(
        local(info["id"]) + "/info.json", headers={"If-None-Match": versioned.headers["ETag"]}
    )
    assert again.status_code == 304
    base = client.get(local(info["id"]))
    assert base.status_code == 303 and base.headers["Location"].endswith("/info.json")


def test_every_promised_tile_and_size_exists_with_pixels_only(app: Flask) -> None:
    client = app.test_client()
    for name in ("big", "album"):
        info = info_of(client, ids(app)[name])
        urls = tile_urls(info)
        assert len(urls) > 8
        for url, size in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            assert "immutable" in response.headers["Cache-Control"]
            with Image.open(io.BytesIO(response.data)) as tile:
                assert (tile.format, tile.size) == ("JPEG", size), url
                assert not {"exif", "icc_profile", "comment", "xmp"} & set(tile.info)
            assert {marker for marker, _ in jpeg_segments(response.data)} <= PIXELS_ONLY, url
            etag = response.headers["ETag"]
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("full/max/0/default.png", 404),  # well-formed, but level 0 has only jpg
        ("full/max/90/default.jpg", 404),
        ("full/max/0/gray.jpg", 404),
        ("full/1,1/0/default.jpg", 404),
        ("0,0,512,512/512,512/0/default.jpg", 200),
        ("0,0,513,512/513,512/0/default.jpg", 404),
        ("square/max/0/default.jpg", 404),
        ("pct:10,10,10,10/max/0/default.jpg", 404),
        ("full/pct:50/0/default.jpg", 404),
        ("full/^max/0/default.jpg", 404),
        ("garbage/max/0/default.jpg", 400),
        ("full/huge/0/default.jpg", 400),
        ("full/0,0/0/default.jpg", 400),
        ("0,0,0,10/max/0/default.jpg", 400),
        ("full/max/361/default.jpg", 400),
        ("full/max/x/default.jpg", 400),
        ("full/max/0/sepia.jpg", 400),
        ("full/max/0/default.exe", 400),
        ("full/max/0/default", 400),
        ("full/max/0/%EC%98%9B.jpg", 400),
        ("full/max/0/default.jpg/extra", 404),
        ("full/99999999999999999999,1/0/default.jpg", 404),
        ("..%2F..%2Fmasters/max/0/default.jpg", 404),
    ],
)
def test_unknown_or_malformed_image_requests_are_400_or_404(
    app: Flask, path: str, status: int
) -> None:
    client = app.test_client()
    base = local(info_of(client, ids(app)["big"])["id"])
    response = client.get(f"{base}/{path}")
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "ident", ["unknown", "a" * 64 + "-1", "0" * 64 + "-0", "%2E%2E", "영산포", "a/b"]
)
def test_unknown_images_are_404(app: Flask, ident: str) -> None:
    client = app.test_client()
    assert client.get(f"/iiif/3/{ident}/info.json").status_code == 404
    assert client.get(f"/iiif/3/{ident}/full/max/0/default.jpg").status_code == 404
    assert client.get(f"/iiif/3/{ident}/manifest.json").status_code == 404


def test_a_draft_has_no_image_service_or_manifest(app: Flask) -> None:
    from sqlalchemy import select

    from archive.models import Photo, PhotoFile

    client = app.test_client()
    draft = ids(app)["hidden"]
    with runtime_of(app).db.session() as session:
        tiles = session.scalars(
            select(PhotoFile)
            .join(Photo)
            .where(Photo.public_id == draft, PhotoFile.variant == "tiles")
        ).one()
    assert tiles.public_key is None and tiles.key.endswith("/")
    for path in (f"{draft}/info.json", f"{draft}/manifest.json", f"{tiles.sha256}-1/info.json",
                 f"{tiles.sha256}-1/full/max/0/default.jpg"):  # fmt: skip
        assert client.get(f"/iiif/3/{path}").status_code == 404, path


def test_the_manifest_validates_and_has_a_canvas_per_page_and_the_back(app: Flask) -> None:
    client = app.test_client()
    album = ids(app)["album"]
    response = client.get(f"/iiif/3/{album}/manifest.json")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    document = response.get_json()
    Manifest(**document)  # iiif-prezi3's models of Presentation 3.0 refuse an invalid one
    assert document["label"]["ko"] == ["학교 앨범"] and document["label"]["en"]
    canvases = document["items"]
    assert [c["label"]["ko"][0] for c in canvases] == ["앞면", "2쪽", "3쪽", "뒷면"]
    assert [(c["width"], c["height"]) for c in canvases] == [
        (1100, 800), (600, 800), (900, 500), (1000, 700),
    ]  # fmt: skip
    for canvas in canvases:
        [annotation] = canvas["items"][0]["items"]
        body = annotation["body"]
        assert annotation["target"] == canvas["id"] and annotation["motivation"] == "painting"
        assert client.get(local(body["id"])).status_code == 200
        info = client.get(local(body["service"][0]["id"]) + "/info.json").get_json()
        assert (info["width"], info["height"]) == (canvas["width"], canvas["height"])
    assert client.get(local(document["thumbnail"][0]["id"])).status_code == 200
    assert document["homepage"][0]["id"] == f"https://oldphoto.naju.go.kr/photos/{album}"
    assert document["rights"] == "http://rightsstatements.org/vocab/UND/1.0/"  # being checked


def test_the_manifest_carries_rights_attribution_and_metadata(app: Flask) -> None:
    document = app.test_client().get(f"/iiif/3/{ids(app)['big']}/manifest.json").get_json()
    Manifest(**document)
    assert document["rights"] == "https://www.kogl.or.kr/info/licenseType1.do"
    metadata = {m["label"]["en"][0]: m["value"]["ko"][0] for m in document["metadata"]}
    assert metadata == {
        "Date": "1975년", "Place": "영산포", "People": "김나주", "Tags": "등대, 영산강",
        "Identifier": "NJ-1975-001",
    }  # fmt: skip
    assert document["summary"] == {"ko": ["강가의 등대"]}
    statement = document["requiredStatement"]
    assert statement["label"]["ko"] == ["출처 표시"] and KOGL1 in statement["value"]["ko"][0]
    assert len(document["items"]) == 1


def test_collections_by_decade_and_place_validate(app: Flask) -> None:
    client = app.test_client()
    top = client.get("/iiif/3/collection/top.json").get_json()
    Collection(**top)
    labels = [item["label"]["ko"][0] for item in top["items"]]
    assert labels == [
        "1960년대 (1장)",
        "1970년대 (1장)",
        "남평읍 (1장)",
        "영산포 (1장)",
    ]  # no draft
    seventies = client.get(local(top["items"][1]["id"])).get_json()
    Collection(**seventies)
    [member] = seventies["items"]
    assert member["type"] == "Manifest" and member["label"]["ko"] == ["영산포 등대"]
    assert client.get(local(member["id"])).status_code == 200
    assert client.get(local(member["thumbnail"][0]["id"])).status_code == 200
    place = client.get("/iiif/3/collection/place/남평읍.json").get_json()
    Collection(**place)
    assert [m["label"]["ko"][0] for m in place["items"]] == ["학교 앨범"]
    for missing in ("decade/1980.json", "decade/197.json", "decade/abcd.json",
                    "place/없는곳.json", "place/..json"):  # fmt: skip
        assert client.get(f"/iiif/3/collection/{missing}").status_code == 404, missing


def test_the_photo_page_links_its_manifest_and_a_large_view_without_javascript(app: Flask) -> None:
    client = app.test_client()
    big = ids(app)["big"]
    page = client.get(f"/photos/{big}").get_data(as_text=True)
    manifest = f"https://oldphoto.naju.go.kr/iiif/3/{big}/manifest.json"
    assert f'href="{manifest}?manifest=' in page and 'rel="alternate"' in page
    assert "/full/max/0/default.jpg" in page and "큰 사진으로 보기" in page
    assert "vendor/openseadragon/openseadragon.min.js" in page and "viewer.js" in page
    with client.get("/static/vendor/openseadragon/openseadragon.min.js") as script:
        assert script.status_code == 200 and b"OpenSeadragon" in script.data[:5000]
    album = client.get(f"/photos/{ids(app)['album']}").get_data(as_text=True)
    assert "뒷면 보기" in album and "3쪽 보기" in album


def test_downloads_follow_the_rights(app: Flask) -> None:
    client = app.test_client()
    big, album = ids(app)["big"], ids(app)["album"]
    page = client.get(f"/photos/{big}").get_data(as_text=True)
    assert "중간 크기" in page and "가장 큰 크기" in page and "출처 표시 복사" in page
    full = client.get(f"/photos/{big}/download/full.jpg")
    assert full.status_code == 200 and "attachment" in full.headers["Content-Disposition"]
    with Image.open(io.BytesIO(full.data)) as im:
        assert im.size == (3400, 2300)
        exif = piexif.load(im.info["exif"])
    assert exif["GPS"] == {} and exif["Exif"][piexif.ExifIFD.ImageUniqueID] == big.encode()
    assert KOGL1.encode() in exif["0th"][piexif.ImageIFD.Copyright]
    middle = client.get(f"/photos/{big}/download/3000.jpg")
    with Image.open(io.BytesIO(middle.data)) as im:
        assert max(im.size) == 3000
    storage = runtime_of(app).storage
    kept = [item.key for item in storage.list_keys(f"downloads/{big}/")]
    assert len(kept) == 2  # made once, kept for the next visitor
    assert client.get(f"/photos/{big}/download/full.jpg").data == full.data
    assert client.get(f"/photos/{big}/download/web.jpg").status_code == 200
    assert client.get(f"/photos/{big}/download/5000.jpg").status_code == 404
    checking = client.get(f"/photos/{album}").get_data(as_text=True)  # rights being checked
    assert "아직 내려받을 수 없습니다" in checking and "/download/" not in checking
    assert client.get(f"/photos/{album}/download/web.jpg").status_code == 404
    assert client.get(f"/photos/{ids(app)['hidden']}/download/web.jpg").status_code == 404


@pytest.mark.settings(tiles_contribution_max=400)
def test_contributed_tiles_are_capped_and_follow_every_decision(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    from tests.web.test_moderate import contribute, decide, edit

    (photo, other), _status = contribute(fresh_app, "할머니 댁", "장터")
    visitor = fresh_app.test_client()
    for pending in (photo, other):  # pending: nothing public
        assert visitor.get(f"/iiif/3/{pending}/info.json").status_code == 404
        assert visitor.get(f"/iiif/3/{pending}/manifest.json").status_code == 404
    staff = login_as("admin")
    edit(staff, photo, "approve", title="할머니 댁")
    info = info_of(visitor, photo)
    assert (info["width"], info["height"]) == (400, 300)  # the cap, not the 640 px upload
    first = local(info["id"])
    assert visitor.get(f"{first}/full/max/0/default.jpg").status_code == 200
    decide(staff, photo, "withdraw", "본인 요청")
    for path in (f"{first}/info.json", f"{first}/full/max/0/default.jpg",
                 f"/iiif/3/{photo}/info.json", f"/iiif/3/{photo}/manifest.json"):  # fmt: skip
        assert visitor.get(path).status_code == 404, path
    decide(staff, photo, "restore")
    again = local(info_of(visitor, photo)["id"])
    assert again != first and again.endswith("-2")  # restored tiles get new URLs
    assert visitor.get(f"{first}/full/max/0/default.jpg").status_code == 404
    decide(staff, other, "reject", "중복")
    assert visitor.get(f"/iiif/3/{other}/info.json").status_code == 404
    top = visitor.get("/iiif/3/collection/top.json").get_json()
    assert [item["label"]["ko"][0] for item in top["items"]] == ["영산포 (1장)"]


def test_erasure_removes_made_downloads_too(fresh_app: Flask) -> None:
    from sqlalchemy import select

    from archive.models import Photo
    from archive.records.erasure import erase_photo
    from tests.web.test_moderate import scan

    runtime = runtime_of(fresh_app)
    runtime.settings = runtime.settings.with_overrides(web_size=300)  # so "full" is made
    [photo] = scan(fresh_app, {"title": "등대", "status": "published", "rights": KOGL1})
    client = fresh_app.test_client()
    assert client.get(f"/photos/{photo}/download/web.jpg").status_code == 200
    full = client.get(f"/photos/{photo}/download/full.jpg")
    assert full.status_code == 200
    assert runtime.storage.holds(f"downloads/{photo}/")
    with runtime.db.session() as session:
        record = session.scalars(select(Photo).where(Photo.public_id == photo)).one()
        erase_photo(session, runtime.storages, record, actor="test", reason="본인 요청")
    work(fresh_app)
    assert not runtime.storage.holds(f"downloads/{photo}/")
    assert client.get(f"/photos/{photo}/download/full.jpg").status_code == 404
