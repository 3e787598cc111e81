"""Descriptive metadata from sidecars, Korean Excel sheets and embedded captions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import select

from archive.models import Photo
from archive.runtime import Runtime
from tests.conftest import CORPUS, copy_corpus
from tests.scans import picture, save_jpeg, save_tiff

KOREAN_SHEET = (
    "파일명,관리번호,제목,설명,촬영시기,장소,태그,상태\n"
    "a.jpg,NJ-0001,영산포 선창,장날 풍경,1970년대 초,영산포,장날;선창,공개\n"
    "b,NJ-0002,금성관 앞,,1965년경,금성관,,\n"
)


def records(runtime: Runtime) -> dict[str, Photo]:
    with runtime.db.session() as session:
        photos = session.scalars(select(Photo)).all()
        return {p.identifier or p.title: p for p in photos}


def test_cp949_sheet_with_korean_headers(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    save_jpeg(inbox / "a.jpg", picture(seed=1))
    save_jpeg(inbox / "b.jpg", picture(seed=2))
    (inbox / "manifest.csv").write_bytes(KOREAN_SHEET.encode("cp949"))
    lines = ingest()
    assert lines[-1]["ingested"] == 2
    found = records(runtime)
    first, second = found["NJ-0001"], found["NJ-0002"]
    assert (first.title, first.description, first.date_text, first.place_text) == (
        "영산포 선창",
        "장날 풍경",
        "1970년대 초",
        "영산포",
    )
    assert first.tags == ["장날", "선창"] and first.status == "published"
    assert first.published_at is not None
    assert second.title == "금성관 앞" and second.status == "draft"
    assert (runtime.settings.scans_dir / "done" / "manifest.csv").is_file()


def test_utf8_bom_sheet_with_english_headers(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    save_jpeg(inbox / "batch" / "c.jpg")
    sheet = (
        "file,identifier,title,date,place,tags,rights,credit\n"
        'c.jpg,NJ-0100,나주역 광장,1975. 3. 2.,구 나주역,"역, 광장",공공누리 제1유형,나주시\n'
    )
    (inbox / "batch" / "manifest.csv").write_bytes(sheet.encode("utf-8-sig"))
    ingest()
    photo = records(runtime)["NJ-0100"]
    assert photo.title == "나주역 광장" and photo.date_text == "1975. 3. 2."
    assert photo.tags == ["역", "광장"] and photo.rights == "공공누리 제1유형"


def test_sidecar_wins_over_sheet_and_sheet_over_embedded(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    save_jpeg(inbox / "d.jpg", xp_title="탐색기 제목", xp_comment="탐색기 설명")
    (inbox / "d.json").write_text(json.dumps({"title": "사이드카 제목"}), "utf-8")
    (inbox / "manifest.csv").write_text("file,title,place\nd.jpg,시트 제목,남평\n", "utf-8")
    ingest()
    photo = records(runtime)["사이드카 제목"]
    assert photo.place_text == "남평"
    assert photo.description == "탐색기 설명"
    assert (runtime.settings.scans_dir / "done" / "d.json").is_file()


def test_windows_xp_title_and_comment(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    save_jpeg(inbox / "e.jpg", xp_title="영산강 나룻배", xp_comment="할머니가 보관하던 사진")
    ingest()
    photo = records(runtime)["영산강 나룻배"]
    assert photo.description == "할머니가 보관하던 사진"


def test_exif_datetime_is_the_scan_date_and_technical_metadata_is_kept(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    save_tiff(inbox / "f.tif", picture((300, 200)), dpi=600)
    save_jpeg(
        inbox / "g.jpg",
        make="EPSON",
        model="FastFoto FF-680W",
        software="Epson FastFoto",
        datetime="2015:06:01 10:20:30",
        dpi=300,
    )
    ingest()
    with runtime.db.session() as session:
        photos = {p.master().original_name: p for p in session.scalars(select(Photo))}  # type: ignore[union-attr]
        tech = photos["g.jpg"].master().technical  # type: ignore[union-attr]
        assert tech is not None
        assert (tech.make, tech.model, tech.software) == (
            "EPSON",
            "FastFoto FF-680W",
            "Epson FastFoto",
        )
        assert tech.scanned_at == "2015-06-01T10:20:30" and tech.dpi_x == 300
        assert photos["g.jpg"].date_text == "", "the scan date is not the photo's era"
        tiff = photos["f.tif"].master().technical  # type: ignore[union-attr]
        assert tiff is not None and tiff.compression == "tiff_lzw" and tiff.bit_depth == 8


def test_bad_sidecar_fails_the_image_and_keeps_both(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    save_jpeg(inbox / "h.jpg")
    (inbox / "h.json").write_text('{"title": "unfinished', "utf-8")
    [result, _summary] = ingest()
    assert result["outcome"] == "failed" and "JSON" in result["reason"]
    failed = runtime.settings.scans_dir / "failed"
    assert (failed / "h.jpg").is_file() and (failed / "h.json").is_file()
    assert "JSON" in (failed / "h.jpg.error.txt").read_text("utf-8")


def test_sheet_without_file_column_fails_its_images_with_a_reason(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    save_jpeg(inbox / "i.jpg")
    (inbox / "manifest.csv").write_text("제목,장소\n무제,나주\n", "utf-8")
    [result, _] = ingest()
    assert result["outcome"] == "failed" and "파일명" in result["reason_ko"]
    assert (runtime.settings.scans_dir / "failed" / "manifest.csv").is_file()


def test_bad_status_value_is_explained(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    save_jpeg(inbox / "j.jpg")
    (inbox / "j.json").write_text('{"status": "maybe"}', "utf-8")
    [result, _] = ingest()
    assert result["outcome"] == "failed" and "maybe" in result["reason"]


def test_photos_list_json(
    runtime: Runtime,
    inbox: Path,
    ingest: Callable[..., list[dict[str, Any]]],
    cli: Callable[..., Result],
) -> None:
    save_jpeg(inbox / "k.jpg", picture((500, 300)))
    (inbox / "k.json").write_text(
        json.dumps({"title": "완사천", "tags": ["샘", "공원"], "identifier": "NJ-7"}), "utf-8"
    )
    [result, _] = ingest()
    output = cli("photos", "list", "--json").output
    [row] = [json.loads(line) for line in output.splitlines()]
    assert row["id"] == result["id"] and row["identifier"] == "NJ-7"
    assert row["title"] == "완사천" and row["tags"] == ["샘", "공원"]
    assert (row["width"], row["height"], row["status"], row["source"]) == (
        500,
        300,
        "draft",
        "scan",
    )
    assert len(row["sha256"]) == 64
    for key in ("description", "date", "place"):
        assert key in row


XMP = """<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">완사천 샘터</rdf:li></rdf:Alt></dc:title>
<dc:description><rdf:Alt>
<rdf:li xml:lang="x-default">물 긷는 사람들</rdf:li></rdf:Alt></dc:description>
<dc:subject><rdf:Bag><rdf:li>샘</rdf:li><rdf:li>우물</rdf:li></rdf:Bag></dc:subject>
<photoshop:City>나주</photoshop:City>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>"""


def test_embedded_xmp_caption(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    picture().save(inbox / "xmp.jpg", "JPEG", xmp=XMP.encode())
    ingest()
    photo = records(runtime)["완사천 샘터"]
    assert (photo.description, photo.tags, photo.place_text) == (
        "물 긷는 사람들",
        ["샘", "우물"],
        "나주",
    )


@pytest.mark.skipif(not (CORPUS / "cameras/exiftool/IPTC.jpg").is_file(), reason="no corpus")
def test_embedded_iptc_caption(
    runtime: Runtime, inbox: Path, ingest: Callable[..., list[dict[str, Any]]]
) -> None:
    copy_corpus(inbox, "cameras", "exiftool", "IPTC.jpg")
    ingest()
    photo = records(runtime)["Test IPTC picture"]
    assert photo.description == "A witty caption" and photo.place_text == "Kingston"
    assert photo.tags == ["ExifTool", "Test", "IPTC"]
