"""Only published records' files are in the public prefix, under versioned names."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from archive.cli import main
from archive.features.catalogue.review import approve_photo
from archive.models import IngestClaim, Photo, PhotoFile
from archive.renditions import RENDITIONS
from archive.runtime import Runtime
from archive.storage import PUBLIC_PREFIX, Storage
from tests.s3 import s3_client
from tests.web.conftest import runtime_of
from tests.web.test_moderate import contribute, decide, edit, scan

Login = Callable[[str], FlaskClient]


def public_keys(storage: Storage) -> set[str]:
    """Return the public copies: files, and each tile pyramid as its one tree key."""
    return {unit(item.key) for item in storage.list_keys(PUBLIC_PREFIX)}


def unit(key: str) -> str:
    """Return the stored unit a key belongs to: itself, or its pyramid's tree key."""
    parts = key.split("/")
    return "/".join(parts[:4]) + "/" if parts[1] == "tiles" else key


def versioned(key: str | None, version: int) -> bool:
    """Return whether a public copy's name carries this publication count."""
    return bool(key) and (key or "").removesuffix(".jpg").rstrip("/").endswith(f"-{version}")


def rows_of(runtime: Runtime, public_id: str) -> list[PhotoFile]:
    with runtime.db.session() as session:
        return list(
            session.scalars(
                select(PhotoFile)
                .join(Photo)
                .where(Photo.public_id == public_id, PhotoFile.role == "derivative")
            )
        )


def test_publication_copies_in_and_withdrawal_takes_out(fresh_app: Flask, login_as: Login) -> None:
    runtime = runtime_of(fresh_app)
    (pending,), _ = contribute(fresh_app, "사연")
    [draft] = scan(fresh_app, {"title": "스캔 초안"})
    assert public_keys(runtime.storage) == set()  # drafts and pending contributions: nothing
    staff = login_as("admin")
    edit(staff, pending, "approve", title="공개")
    first = {row.public_key for row in rows_of(runtime, pending)}
    assert len(first) == len(RENDITIONS) and public_keys(runtime.storage) == first
    assert all(versioned(key, 1) for key in first)
    visitor = fresh_app.test_client()
    image = visitor.get(f"/api/photos/{pending}").get_json()["image_url"]
    old_path = "/" + image.split("//", 1)[1].split("/", 1)[1]
    assert visitor.get(old_path).status_code == 200
    decide(staff, pending, "withdraw", "본인 요청")
    assert public_keys(runtime.storage) == set()
    assert all(row.public_key is None for row in rows_of(runtime, pending))
    assert visitor.get(old_path).status_code == 404
    decide(staff, pending, "restore")
    again = {row.public_key for row in rows_of(runtime, pending)}
    assert public_keys(runtime.storage) == again and not again & first
    assert all(versioned(key, 2) for key in again)
    assert visitor.get(old_path).status_code == 404  # restored files have new URLs
    decide(staff, draft, "reject", "중복")
    assert public_keys(runtime.storage) == again


def test_a_failed_commit_leaves_no_public_copy(fresh_app: Flask) -> None:
    runtime = runtime_of(fresh_app)
    (photo,), _ = contribute(fresh_app, "사연")
    with pytest.raises(RuntimeError), runtime.db.session() as session:
        record = session.scalars(select(Photo).where(Photo.public_id == photo)).one()
        approve_photo(session, runtime.storages, record, actor="test", settings=runtime.settings)
        assert len(public_keys(runtime.storage)) == len(
            RENDITIONS
        )  # copied ahead of the commit ...
        raise RuntimeError("the commit never happens")
    assert public_keys(runtime.storage) == set()  # and removed when it did not happen
    assert all(row.public_key is None for row in rows_of(runtime, photo))


def test_on_s3_the_public_prefix_holds_published_copies_only(
    s3_endpoint: str, s3_bucket: str, tmp_path: Path
) -> None:
    from archive.app import create_app
    from tests.databases import fresh_database_url

    app = create_app(
        {
            "data_dir": tmp_path / "s3var",
            "scans_dir": tmp_path / "s3scans",
            "database_url": fresh_database_url(),
            "storage": "s3",
            "s3_bucket": s3_bucket,
            "s3_endpoint_url": s3_endpoint,
            "s3_prefix": "naju",
            "s3_public_url": "https://cdn.naju.example",
            "FLASK": {"TESTING": True},
        }
    )
    runtime = runtime_of(app)
    runtime.db.upgrade()
    try:
        [one, two] = scan(app, {"title": "하나", "status": "published"}, {"title": "둘"})
        listing = s3_client(s3_endpoint).list_objects_v2(Bucket=s3_bucket, Prefix="naju/")
        keys = [item["Key"] for item in listing["Contents"]]
        public = {unit(k[5:]) for k in keys if k.startswith("naju/derivatives/")}
        assert len(public) == len(RENDITIONS) and all(versioned(k, 1) for k in public)
        assert {r.public_key for r in rows_of(runtime, one)} == public
        assert all(r.public_key is None for r in rows_of(runtime, two))
        item = app.test_client().get(f"/api/photos/{one}").get_json()
        assert item["image_url"].startswith("https://cdn.naju.example/naju/derivatives/web/")
    finally:
        runtime.close()


def test_check_reports_and_sweep_removes_what_a_crash_left(runtime: Runtime, inbox: Path) -> None:
    from tests.scans import picture, save_jpeg

    save_jpeg(inbox / "kept.jpg", picture(seed=2))
    (inbox / "kept.json").write_text(json.dumps({"status": "published"}))
    CliRunner().invoke(main, ["ingest", "--json"], catch_exceptions=False)
    storage = runtime.storage
    leftovers = {
        "renditions/web/ab/" + "ab" * 32 + ".jpg": b"derivative of a record never committed",
        "derivatives/web/cd/" + "cd" * 32 + "-1.jpg": b"public copy of no published record",
        "masters/ef/ef/" + "ef" * 32 + ".jpg": b"master of a record never committed",
    }
    old = time.time() - 2 * 3600
    for key, data in leftovers.items():
        storage.put_bytes(key, data)
        os.utime(storage.local_path(key), (old, old))  # type: ignore[arg-type]
    with runtime.db.session() as session:
        long_ago = datetime(2020, 1, 1, tzinfo=UTC)
        session.add(
            IngestClaim(key="f" * 64, stem="dead", worker="elsewhere:1:x", claimed_at=long_ago)
        )
    check = CliRunner().invoke(main, ["check", "--json"])
    files = next(c for c in json.loads(check.output)["checks"] if c["name"] == "files")
    assert check.exit_code == 1 and not files["ok"]
    assert "1 public files of no published record" in files["detail"]
    assert "1 orphan derivatives, 1 orphan originals, 1 stale claims" in files["detail"]
    swept = CliRunner().invoke(main, ["sweep", "--json"])
    assert json.loads(swept.output) == {
        "relocated": 0,
        "filled": 0,
        "stray_public": 1,
        "orphans": 1,
        "orphan_originals": 1,
        "empty_folders": 0,
        "stale_claims": 1,
    }
    assert storage.exists("masters/ef/ef/" + "ef" * 32 + ".jpg")  # originals only when asked
    assert not storage.exists("renditions/web/ab/" + "ab" * 32 + ".jpg")
    assert not storage.exists("derivatives/web/cd/" + "cd" * 32 + "-1.jpg")
    CliRunner().invoke(main, ["sweep", "--include-originals"])
    assert not storage.exists("masters/ef/ef/" + "ef" * 32 + ".jpg")
    check = CliRunner().invoke(main, ["check", "--json"])
    assert check.exit_code == 0, check.output
    assert len(public_keys(storage)) == len(RENDITIONS)  # the published scan kept its copies


def test_erasure_leaves_no_folder_that_names_the_photo(fresh_app: Flask) -> None:
    from archive.records.erasure import erase_photo
    from tests.web.conftest import work

    runtime = runtime_of(fresh_app)
    [public_id] = scan(fresh_app, {"title": "등대", "status": "published"})
    hashes = {row.sha256 for row in rows_of(runtime, public_id)}
    root = runtime.settings.storage_dir
    named = [p for p in root.rglob("*") if p.is_dir() and any(h in p.name for h in hashes)]
    assert named  # the tile pyramids' folders carry the content hash, private and public
    with runtime.db.session() as session:
        record = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        erase_photo(session, runtime.storages, record, actor="test", reason="본인 요청")
    work(fresh_app)
    left = [p for p in root.rglob("*") if any(h in p.name for h in hashes)]
    assert left == []
    assert runtime.storage.empty_folders() == []
    # A crash's leftover: renditions/tiles/ (emptied by the erasure), zz/ and zz-100x100/.
    (root / "renditions" / "tiles" / "zz" / "zz-100x100").mkdir(parents=True)
    runner = CliRunner(
        env={
            "ARCHIVE_DATA_DIR": str(runtime.settings.data_dir),
            "ARCHIVE_DATABASE_URL": runtime.settings.sqlalchemy_url,
        }
    )
    check = runner.invoke(main, ["check", "--json"])
    files = next(c for c in json.loads(check.output)["checks"] if c["name"] == "files")
    assert "3 empty folders" in files["detail"] and "archive sweep" in files["detail"]
    swept = runner.invoke(main, ["sweep", "--json"])
    assert json.loads(swept.output)["empty_folders"] == 3
    assert not (root / "renditions" / "tiles").exists()


def test_upgrading_moves_old_derivatives_out_of_the_public_prefix(
    runtime: Runtime, inbox: Path
) -> None:
    from tests.scans import picture, save_jpeg

    save_jpeg(inbox / "draft.jpg", picture(seed=3))
    save_jpeg(inbox / "public.jpg", picture(seed=4))
    (inbox / "public.json").write_text(json.dumps({"status": "published"}))
    CliRunner().invoke(main, ["ingest", "--json"], catch_exceptions=False)
    storage = runtime.storage
    with runtime.db.session() as session:  # the layout before public copies
        for row in session.scalars(select(PhotoFile).where(PhotoFile.role == "derivative")):
            if row.variant == "tiles":
                continue  # pyramids came after that layout
            old = f"derivatives/{row.variant}/{row.sha256[:2]}/{row.sha256}.jpg"
            storage.copy(row.key, old)
            storage.delete(row.key)
            if row.public_key:
                storage.delete(row.public_key)
            row.key, row.public_key = old, None
    upgraded = CliRunner().invoke(main, ["db", "upgrade"])
    assert (
        f"{len(RENDITIONS) - 1} public copies made" in upgraded.output  # all but the tiles
        and f"{2 * (len(RENDITIONS) - 1)} derivatives made private" in upgraded.output
    )
    with runtime.db.session() as session:
        rows = session.execute(
            select(PhotoFile.key, PhotoFile.public_key, Photo.status)
            .join(Photo)
            .where(PhotoFile.role == "derivative")
        ).all()
    assert all(key.startswith("renditions/") for key, _public, _status in rows)
    published = {public for _key, public, status in rows if status == "published"}
    assert public_keys(storage) == published and len(published) == len(RENDITIONS)
