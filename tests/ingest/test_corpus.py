"""Every real-world corpus file becomes a record with derivatives or fails with a reason."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import exifread
import pytest
from sqlalchemy import func, select

from archive.models import Photo, PhotoFile
from archive.renditions import RENDITIONS
from archive.runtime import Runtime
from tests.conftest import CORPUS, copy_corpus

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="../shared/corpus is not beside the checkout"
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_whole_corpus_is_accounted_for(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    dropped = copy_corpus(inbox, ".")
    digests = {str(p.relative_to(inbox)): sha256(p) for p in dropped}

    lines = ingest()
    summary, results = lines[-1], lines[:-1]

    assert len(results) == len(dropped) == summary["total"]
    assert {r["file"] for r in results} == set(digests)
    assert summary["ingested"] + summary["attached"] + summary["duplicate"] + summary[
        "failed"
    ] == len(dropped)
    assert summary["ingested"] > 350 and summary["failed"] > 150
    assert not [p for p in inbox.rglob("*") if p.is_file()], "nothing may stay in the inbox"

    scans = runtime.settings.scans_dir
    with runtime.db.session() as session:
        for result in results:
            rel = result["file"]
            if result["outcome"] == "failed":
                moved = scans / "failed" / rel
                assert moved.is_file() and sha256(moved) == digests[rel]
                note = moved.with_name(moved.name + ".error.txt").read_text("utf-8")
                assert "이유:" in note and "Reason:" in note
                assert result["reason"] and result["reason_ko"]
                continue
            assert (scans / OUTCOME_DIR[result["outcome"]] / rel).is_file()
            original = session.scalars(select(PhotoFile).where(PhotoFile.source_path == rel)).one()
            assert original.sha256 == digests[rel]
            assert runtime.storage.sha256(original.key) == digests[rel]
            variants = {
                f.variant
                for f in original.photo.files
                if f.derived_from_id == original.id and f.page == 0
            }
            assert variants == {spec.name for spec in RENDITIONS}
        count = session.scalar(select(func.count(Photo.id)))
    assert count == summary["ingested"]


OUTCOME_DIR = {"ingested": "done", "attached": "done", "duplicate": "duplicates"}


def test_no_gps_or_serial_reaches_a_derivative(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    copy_corpus(inbox, "cameras", "exif-samples")
    copy_corpus(inbox, "other", "pillow_heif")
    results = ingest()[:-1]
    with_gps = []
    with runtime.db.session() as session:
        for row in session.scalars(select(PhotoFile)):
            if row.role != "derivative":
                if row.technical is not None and row.technical.has_gps:
                    with_gps.append(row)
                continue
            if row.key.endswith("/"):  # a tile pyramid: no metadata at all in any file
                for tile in runtime.storage.list_keys(row.key):
                    with runtime.storage.open(tile.key) as handle:
                        assert not exifread.process_file(handle, details=False), tile.key
                continue
            with runtime.storage.open(row.key) as handle:
                tags = exifread.process_file(handle, details=False)
            assert not [k for k in tags if k.startswith("GPS")], row.key
            assert "EXIF BodySerialNumber" not in tags
            assert tags["EXIF ImageUniqueID"].printable == row.photo.public_id
    assert with_gps, "the corpus has GPS-tagged photos, so the check above means something"
    assert any(r["outcome"] == "ingested" for r in results)
