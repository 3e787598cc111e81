"""Drop-folder habits: pairs, duplicates, litter, Korean names, broken and growing files."""

from __future__ import annotations

import threading
import time
import unicodedata
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from archive.models import Event, NearDuplicate, Photo, PhotoFile
from archive.renditions import RENDITIONS
from archive.runtime import Runtime
from tests.scans import jpeg_bytes, picture, save_jpeg

Ingest = Callable[..., list[dict[str, Any]]]


def by_file(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {line["file"]: line for line in lines[:-1]}


def test_back_side_and_enhanced_copy_attach_to_the_front(
    runtime: Runtime, inbox: Path, ingest: Ingest
) -> None:
    save_jpeg(inbox / "FastFoto_0001_b.jpg", picture(seed=7))
    save_jpeg(inbox / "FastFoto_0001.jpg", picture(seed=8))
    save_jpeg(inbox / "FastFoto_0001_a.jpg", picture(seed=9))
    results = by_file(ingest())
    front = results["FastFoto_0001.jpg"]
    assert front["outcome"] == "ingested"
    assert results["FastFoto_0001_b.jpg"] == {
        **results["FastFoto_0001_b.jpg"],
        "outcome": "attached",
        "id": front["id"],
    }
    assert results["FastFoto_0001_a.jpg"]["outcome"] == "attached"
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo)).one()
        roles = sorted((f.role, f.variant or "") for f in photo.files)
    assert roles == sorted(
        [("master", ""), ("back", ""), ("alternate", "")]
        + [("derivative", spec.name) for spec in RENDITIONS] * 3
    )


def test_back_side_without_front_becomes_its_own_record(
    runtime: Runtime, inbox: Path, ingest: Ingest
) -> None:
    save_jpeg(inbox / "lonely_b.jpg")
    [result, _] = ingest()
    assert result["outcome"] == "ingested" and result["warnings"]


def test_exact_duplicate_goes_to_duplicates_without_a_record(
    runtime: Runtime, inbox: Path, ingest: Ingest
) -> None:
    data = jpeg_bytes(picture(seed=3))
    (inbox / "one.jpg").write_bytes(data)
    first = by_file(ingest())["one.jpg"]
    (inbox / "again").mkdir()
    (inbox / "again" / "copy.jpg").write_bytes(data)
    second = by_file(ingest())["again/copy.jpg"]
    assert second["outcome"] == "duplicate" and second["id"] == first["id"]
    moved = runtime.settings.scans_dir / "duplicates" / "again" / "copy.jpg"
    assert moved.read_bytes() == data
    assert "one.jpg" in moved.with_name("copy.jpg.duplicate.txt").read_text("utf-8")
    with runtime.db.session() as session:
        assert len(session.scalars(select(Photo)).all()) == 1
        assert session.scalars(select(Event).where(Event.kind == "duplicate")).one()


def test_near_duplicate_is_recorded_and_flagged(
    runtime: Runtime, inbox: Path, ingest: Ingest
) -> None:
    image = picture((800, 600), seed=4)
    save_jpeg(inbox / "print.jpg", image, quality=95)
    save_jpeg(inbox / "rescan.jpg", image.resize((640, 480)), quality=70)
    save_jpeg(inbox / "other.jpg", picture((800, 600), seed=11).rotate(90, expand=True))
    results = by_file(ingest())
    assert {r["outcome"] for r in results.values()} == {"ingested"}
    with runtime.db.session() as session:
        flags = session.scalars(select(NearDuplicate)).all()
        ids = {session.get_one(Photo, f.photo_id).public_id for f in flags}
        others = {session.get_one(Photo, f.other_id).public_id for f in flags}
    assert len(flags) == 1
    assert ids | others == {results["print.jpg"]["id"], results["rescan.jpg"]["id"]}


def test_litter_is_left_alone(runtime: Runtime, inbox: Path, ingest: Ingest) -> None:
    litter = ["Thumbs.db", "desktop.ini", "~$목록.xlsx", "scan.tmp", "big.tif.part", ".hidden.jpg"]
    for name in litter:
        (inbox / name).write_bytes(b"junk")
    save_jpeg(inbox / "real.jpg")
    lines = ingest()
    assert [line["file"] for line in lines[:-1]] == ["real.jpg"]
    assert sorted(p.name for p in inbox.iterdir()) == sorted(litter)


def test_macos_decomposed_korean_names(runtime: Runtime, inbox: Path, ingest: Ingest) -> None:
    composed = "영산포_등대.jpg"
    decomposed = unicodedata.normalize("NFD", composed)
    folder = unicodedata.normalize("NFD", "1970년대")
    save_jpeg(inbox / folder / decomposed)
    [result, _] = ingest()
    assert result["file"] == f"1970년대/{composed}" and result["outcome"] == "ingested"
    assert (runtime.settings.scans_dir / "done" / "1970년대" / composed).is_file()
    with runtime.db.session() as session:
        row = session.scalars(select(PhotoFile).where(PhotoFile.role == "master")).one()
        assert row.original_name == composed


def truncated_jpeg(path: Path) -> None:
    data = jpeg_bytes(picture((600, 800)))
    path.write_bytes(data[: len(data) // 2])


def bomb_png(path: Path) -> None:
    """Write a valid 1-bit PNG of 40000 x 40000 pixels in a few kilobytes."""
    import struct

    width = height = 40_000
    row = b"\x00" + b"\x00" * (width // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


BROKEN: dict[str, tuple[Callable[[Path], object], str]] = {
    "empty.jpg": (lambda p: p.write_bytes(b""), "empty"),
    "truncated.jpg": (truncated_jpeg, "cannot be decoded"),
    "notes.jpg": (lambda p: p.write_text("사진 목록입니다", "utf-8"), "not an image"),
    "document.pdf": (
        lambda p: p.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),
        "not an image",
    ),
    "bomb.png": (bomb_png, "too large"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_fail_with_a_reason_and_are_kept(
    name: str, runtime: Runtime, inbox: Path, ingest: Ingest
) -> None:
    make, expected = BROKEN[name]
    make(inbox / name)
    original = (inbox / name).read_bytes()
    [result, _summary] = ingest()
    assert result["outcome"] == "failed" and expected in result["reason"]
    moved = runtime.settings.scans_dir / "failed" / name
    assert moved.read_bytes() == original
    assert moved.with_name(name + ".error.txt").is_file()
    with runtime.db.session() as session:
        assert not session.scalars(select(Photo)).all()
        assert session.scalars(select(Event).where(Event.kind == "failed")).one()


def test_file_still_being_written_is_taken_only_when_complete(
    runtime: Runtime, inbox: Path, ingest: Ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVE_SETTLE_SECONDS", "0.8")  # longer than the writer's pauses
    data = jpeg_bytes(picture((1200, 900), seed=5))
    target = inbox / "slow.jpg"

    def write_slowly() -> None:
        with target.open("wb") as handle:
            for start in range(0, len(data), len(data) // 8 + 1):
                handle.write(data[start : start + len(data) // 8 + 1])
                handle.flush()
                time.sleep(0.15)

    target.write_bytes(b"")
    writer = threading.Thread(target=write_slowly)
    writer.start()
    try:
        [result, _] = ingest()
    finally:
        writer.join()
    assert result["outcome"] == "ingested"
    assert (runtime.settings.scans_dir / "done" / "slow.jpg").read_bytes() == data


def test_keep_source_leaves_files_in_place(
    runtime: Runtime, tmp_path: Path, ingest: Ingest
) -> None:
    cd = tmp_path / "cdrom"
    save_jpeg(cd / "disc1" / "p1.jpg")
    [result, _] = ingest(str(cd), "--keep-source")
    assert result["outcome"] == "ingested" and result["file"] == "disc1/p1.jpg"
    assert (cd / "disc1" / "p1.jpg").is_file()


def test_same_name_in_done_is_never_overwritten(
    runtime: Runtime, inbox: Path, ingest: Ingest
) -> None:
    save_jpeg(inbox / "scan.jpg", picture(seed=1))
    ingest()
    save_jpeg(inbox / "scan.jpg", picture(seed=2))
    ingest()
    done = runtime.settings.scans_dir / "done"
    assert sorted(p.name for p in done.iterdir()) == ["scan (2).jpg", "scan.jpg"]


def test_pixel_cap_is_configurable(
    runtime: Runtime, inbox: Path, ingest: Ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVE_MAX_PIXELS", "100000")
    save_jpeg(inbox / "big.jpg", picture((400, 300)))
    [result, _] = ingest()
    assert result["outcome"] == "failed" and "too large" in result["reason"]
    assert "400x300" in result["reason"]
