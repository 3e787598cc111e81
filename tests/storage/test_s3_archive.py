"""The whole archive on S3: the worker stores masters and derivatives, the web serves them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive.app import create_app
from archive.cli import main
from archive.renditions import RENDITIONS
from archive.runtime import Runtime
from tests.s3 import s3_client
from tests.scans import picture, save_jpeg


@pytest.fixture
def s3_env(
    env: dict[str, str], s3_endpoint: str, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    values = {
        "ARCHIVE_STORAGE": "s3",
        "ARCHIVE_S3_BUCKET": s3_bucket,
        "ARCHIVE_S3_ENDPOINT_URL": s3_endpoint,
        "ARCHIVE_S3_PREFIX": "naju",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return {**env, **values}


def units(keys: list[str], kind: str) -> set[str]:
    """Return the stored units of one kind (masters, renditions, derivatives): each
    file, and each tile pyramid once (naju/<kind>/tiles/ab/<name>/...)."""
    found = set()
    for key in keys:
        parts = key.split("/")
        if parts[1] == kind:
            found.add("/".join(parts[:5]) if parts[2] == "tiles" else key)
    return found


def objects(endpoint: str, bucket: str) -> list[str]:
    listing = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_ingest_and_publish_on_s3(
    s3_env: dict[str, str],
    runtime: Runtime,
    ingest: Callable[..., list[dict[str, Any]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert runtime.storage.backend == "s3"
    inbox = runtime.settings.inbox_dir
    save_jpeg(inbox / "s3-scan.jpg", picture((900, 700), seed=5), gps=True)
    (inbox / "s3-scan.json").write_text(
        json.dumps({"title": "영산포 등대", "date": "1975", "status": "published"}), "utf-8"
    )
    lines = ingest("--once")
    assert lines[0]["outcome"] == "ingested", lines
    keys = objects(s3_env["ARCHIVE_S3_ENDPOINT_URL"], s3_env["ARCHIVE_S3_BUCKET"])
    assert len(units(keys, "masters")) == 1
    assert len(units(keys, "renditions")) == len(RENDITIONS)  # private: tiles, web, thumbs
    assert len(units(keys, "derivatives")) == len(RENDITIONS)  # published copies
    tiles = [k for k in keys if k.startswith("naju/derivatives/tiles/")]
    assert any(k.endswith("/full/max/0/default.jpg") for k in tiles)
    assert all(k.startswith("naju/") for k in keys)

    app = create_app({"FLASK": {"TESTING": True}})
    client = app.test_client()
    item = client.get("/api/photos?q=등대").get_json()["items"][0]
    image = client.get(item["image_url"])
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    info = client.get(f"/iiif/3/{item['id']}/info.json").get_json()
    base = "/" + info["id"].split("//", 1)[1].split("/", 1)[1]
    tile = client.get(f"{base}/full/max/0/default.jpg")
    assert tile.status_code == 200 and tile.mimetype == "image/jpeg"  # from S3, through the app
    app.extensions["archive"].close()

    fixity = CliRunner().invoke(main, ["fixity", "--json"])
    assert fixity.exit_code == 0, fixity.output
    master = next(k for k in keys if "/masters/" in k)
    client = s3_client(s3_env["ARCHIVE_S3_ENDPOINT_URL"])
    client.put_object(Bucket=s3_env["ARCHIVE_S3_BUCKET"], Key=master, Body=b"overwritten")
    fixity = CliRunner().invoke(main, ["fixity", "--json"])
    assert fixity.exit_code == 1 and '"status": "mismatch"' in fixity.stdout

    monkeypatch.setenv("ARCHIVE_S3_PUBLIC_URL", "https://cdn.naju.example")
    cdn_app = create_app({"FLASK": {"TESTING": True}})
    cdn = cdn_app.test_client()
    item = cdn.get("/api/photos?q=등대").get_json()["items"][0]
    assert item["thumbnail_url"].startswith("https://cdn.naju.example/naju/derivatives/thumb/")
    info = cdn.get(f"/iiif/3/{item['id']}/info.json").get_json()  # tiles straight from the CDN
    assert info["id"].startswith("https://cdn.naju.example/naju/derivatives/tiles/")
    assert not info["id"].endswith("/")
    cdn_app.extensions["archive"].close()
