"""`archive derivatives --regenerate` re-makes what a changed declaration left out of date."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from PIL import Image
from sqlalchemy import delete, select, update

from archive.models import Photo, PhotoFile
from archive.runtime import Runtime
from archive.storage import PUBLIC_PREFIX
from tests.scans import picture, save_jpeg
from tests.web.conftest import runtime_of
from tests.web.test_public_files import unit

CLI = Callable[..., Result]


def thumbs(runtime: Runtime) -> dict[str, PhotoFile]:
    with runtime.db.session() as session:
        rows = session.execute(
            select(Photo.title, PhotoFile)
            .join(Photo)
            .where(PhotoFile.role == "derivative", PhotoFile.variant == "thumb")
        ).all()
    return {title: row for title, row in rows}


def size_of(runtime: Runtime, row: PhotoFile) -> tuple[int, int]:
    path = runtime.storage.local_path(row.key)
    assert path is not None
    with Image.open(path) as im:
        return im.size


def test_a_new_thumbnail_size_is_made_for_every_record_resumably(
    runtime: Runtime,
    inbox: Path,
    cli: CLI,
    ingest: Callable[..., list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n, status in enumerate(("published", "draft")):
        save_jpeg(inbox / f"p{n}.jpg", picture((1200, 900), seed=n))
        (inbox / f"p{n}.json").write_text(json.dumps({"title": f"p{n}", "status": status}))
    ingest()
    assert "0 records" in cli("derivatives").output
    before = thumbs(runtime)
    assert size_of(runtime, before["p0"]) == (320, 240)
    webs_before = {row.key for row in _rows(runtime, "web")}

    monkeypatch.setenv("ARCHIVE_THUMB_SIZE", "200")
    assert "2 records have out-of-date derivatives" in cli("derivatives").output
    result = cli("derivatives", "--regenerate", "--kind", "thumb", "--json")
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert result.exit_code == 0, result.output
    with runtime.db.session() as session:
        every_id = set(session.scalars(select(Photo.public_id)))
    assert {line["public_id"] for line in lines[:-1]} == every_id
    assert lines[-1] == {"summary": {"records": 2, "failed": 0}}

    after = thumbs(runtime)
    assert size_of(runtime, after["p0"]) == (200, 150)
    assert after["p0"].key != before["p0"].key and after["p0"].public_key != before["p0"].public_key
    assert after["p1"].public_key is None  # a draft has no public copy
    assert {row.key for row in _rows(runtime, "web")} == webs_before  # only thumbs were re-made
    storage = runtime.storage
    assert not storage.exists(before["p0"].key) and not storage.exists(before["p0"].public_key)
    public = {unit(item.key) for item in storage.list_keys(PUBLIC_PREFIX)}
    assert after["p0"].public_key in public and len(public) == 4  # tiles, web, two thumbs
    assert "0 records" in cli("derivatives", "--kind", "thumb").output  # nothing left to do

    with runtime.db.session() as session:  # a derivative made before specs were recorded
        session.execute(update(PhotoFile).where(PhotoFile.id == after["p1"].id).values(spec=None))
    assert "1 records" in cli("derivatives").output
    cli("derivatives", "--regenerate")
    assert "0 records" in cli("derivatives").output


def test_records_from_before_the_large_thumbnail_get_one(
    runtime: Runtime, inbox: Path, cli: CLI, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    from archive.app import create_app

    save_jpeg(inbox / "old.jpg", picture((1200, 900), seed=11))
    (inbox / "old.json").write_text(json.dumps({"title": "old", "status": "published"}))
    [result, _] = ingest()
    [large] = _rows(runtime, "thumb_large")
    with runtime.db.session() as session:  # as if ingested before the second size existed
        session.execute(delete(PhotoFile).where(PhotoFile.id == large.id))
    runtime.storage.remove(large.key)
    runtime.storage.remove(large.public_key)
    app = create_app({"FLASK": {"TESTING": True}})
    try:
        client = app.test_client()
        card = client.get(f"/api/photos/{result['id']}").get_json()
        assert card["thumbnail_large_url"] is None  # pages fall back to the one size
        assert "srcset" not in client.get("/").get_data(as_text=True)
        assert "1 records" in cli("derivatives").output
        assert cli("derivatives", "--regenerate", "--kind", "thumb_large").exit_code == 0
        assert "0 records" in cli("derivatives").output
        runtime.job_runner("test").run_due()
        card = client.get(f"/api/photos/{result['id']}").get_json()
        path = "/" + card["thumbnail_large_url"].split("//")[1].split("/", 1)[1]
        with Image.open(io.BytesIO(client.get(path).data)) as im:
            assert im.size == (640, 480)
        assert f'{path} 640w"' in client.get("/").get_data(as_text=True)
    finally:
        app.extensions["archive"].close()


def test_tiles_are_backfilled_and_follow_the_resolution_cap(
    runtime: Runtime,
    inbox: Path,
    cli: CLI,
    ingest: Callable[..., list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from archive.app import create_app

    save_jpeg(inbox / "big.jpg", picture((2600, 1800), seed=7))
    (inbox / "big.json").write_text(json.dumps({"title": "big", "status": "published"}))
    [result, _] = ingest()
    storage = runtime.storage
    [tiles] = _rows(runtime, "tiles")
    assert (tiles.width, tiles.height) == (2600, 1800)  # scans: full resolution by default
    with runtime.db.session() as session:  # as if ingested before pyramids existed
        session.execute(update(PhotoFile).where(PhotoFile.id == tiles.id).values(spec=None))
    storage.remove(tiles.key)
    assert "1 records" in cli("derivatives", "--kind", "tiles").output
    done = cli("derivatives", "--regenerate", "--kind", "tiles")
    assert done.exit_code == 0 and "파생 이미지" in done.stderr  # the progress bar
    [made] = _rows(runtime, "tiles")
    assert storage.holds(made.key) and made.public_key and storage.holds(made.public_key)

    monkeypatch.setenv("ARCHIVE_TILES_SCAN_MAX", "1000")
    assert "1 records" in cli("derivatives").output
    cli("derivatives", "--regenerate", "--kind", "tiles")
    [capped] = _rows(runtime, "tiles")
    assert (capped.width, capped.height) == (1000, 692)
    assert not storage.holds(made.public_key)  # the old public tiles left the public prefix
    app = create_app({"FLASK": {"TESTING": True}})
    try:
        client = app.test_client()
        info = client.get(f"/iiif/3/{result['id']}/info.json").get_json()
        assert (info["width"], info["height"]) == (1000, 692)
        assert client.get(f"/iiif/3/{made.sha256}-1/info.json").status_code == 404
        base = "/" + info["id"].split("//", 1)[1].split("/", 1)[1]
        top = client.get(f"{base}/full/max/0/default.jpg")
        with Image.open(io.BytesIO(top.data)) as im:
            assert im.size == (1000, 692)
        assert client.get(f"{base}/0,0,1024,1024/512,512/0/default.jpg").status_code == 404
        assert client.get(f"{base}/0,0,512,512/512,512/0/default.jpg").status_code == 200
    finally:
        app.extensions["archive"].close()


def _rows(runtime: Runtime, variant: str) -> list[PhotoFile]:
    with runtime.db.session() as session:
        return list(
            session.scalars(
                select(PhotoFile).where(
                    PhotoFile.role == "derivative", PhotoFile.variant == variant
                )
            )
        )


def test_the_regenerated_thumbnail_is_served_and_the_old_url_is_gone(
    fresh_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive.ingest.regenerate import Regenerator
    from tests.web.test_moderate import scan

    [public_id] = scan(fresh_app, {"title": "썸네일", "status": "published"})
    client = fresh_app.test_client()
    old = client.get(f"/api/photos/{public_id}").get_json()["thumbnail_url"].split("//")[1]
    old_path = "/" + old.split("/", 1)[1]
    assert client.get(old_path).status_code == 200
    runtime = runtime_of(fresh_app)
    runtime.settings = runtime.settings.with_overrides(thumb_size=160)
    regenerator = Regenerator(runtime, ("thumb",))
    try:
        regenerator.run(lambda _result: None)
    finally:
        regenerator.close()
    runtime.job_runner("test").run_due()
    new = client.get(f"/api/photos/{public_id}").get_json()["thumbnail_url"].split("//")[1]
    new_path = "/" + new.split("/", 1)[1]
    assert new_path != old_path
    assert client.get(new_path).status_code == 200 and client.get(old_path).status_code == 404
    grid = client.get("/").get_data(as_text=True)  # width and height: the new file's pixels
    assert f'src="{new_path}"' in grid and 'width="160" height="114"' in grid
