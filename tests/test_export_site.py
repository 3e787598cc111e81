"""`archive export-site`: what the offline copy holds and leaves out, the selections, the
size report, and that a failed or interrupted export leaves nothing under DEST."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from archive.cli import main
from archive.features.offline.collect import Selection
from archive.features.offline.export import DVD_BYTES, ExportSiteError, export_site, plan
from archive.models import Photo, PhotoFile
from archive.records.contributions import Contributor, create_contribution
from archive.runtime import Runtime
from tests.scans import picture, save_jpeg

Ingest = Callable[..., list[dict[str, Any]]]
RECORDS = (
    ("영산포 나루터", "1972", "영산포", "published", "강가의 나룻배"),
    ("금성관 앞 졸업식", "1985", "금성관", "published", "졸업식 날"),
    ("검토 중인 비밀 사진", "1975", "영산포", "draft", "아직 공개하지 않은 사연"),
)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def archive(runtime: Runtime, ingest: Ingest) -> Runtime:
    """Ingest three scans (two published, one draft); one published record is a
    contribution whose contributor left a name and an e-mail address."""
    inbox = runtime.settings.inbox_dir
    for n, (title, date, place, status, story) in enumerate(RECORDS):
        save_jpeg(inbox / f"site{n}.jpg", picture((800, 600), seed=700 + n), gps=True)
        fields = {"title": title, "date": date, "place": place, "status": status,
                  "description": story, "rights": "공공누리 제1유형"}  # fmt: skip
        (inbox / f"site{n}.json").write_text(json.dumps(fields), "utf-8")
    ingest("--once")
    with runtime.db.session() as session:
        contribution, _ = create_contribution(
            session,
            Contributor("홍길동", "hong@example.kr", show_name=False, rights="공공누리 제1유형"),
        )
        photo = session.scalars(select(Photo).where(Photo.title == "금성관 앞 졸업식")).one()
        photo.contribution = contribution
        photo.source = "contribution"
        photo.decision_note = "담당자만 보는 메모"
    return runtime


def everything(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_the_copy_holds_published_records_and_nothing_private(
    archive: Runtime, tmp_path: Path
) -> None:
    destination = tmp_path / "usb"
    result = run("export-site", str(destination))
    assert result.exit_code == 0, result.output
    assert "모든 링크를 확인했습니다" in result.output
    names = {p.relative_to(destination).as_posix() for p in destination.rglob("*")}
    assert {"index.html", "search.html", "about.html", "assets/data.js"} <= names
    assert all(name.isascii() and len(Path(name).name) <= 40 for name in names)
    with archive.db.session() as session:
        published = session.scalars(select(Photo.public_id).where(Photo.status == "published"))
        ids = set(published)
    assert {p.stem for p in (destination / "photos").iterdir()} == ids
    content = everything(destination)
    for secret in (
        "검토 중인 비밀 사진",
        "아직 공개하지 않은",
        "hong@example.kr",
        "홍길동",
        "담당자만 보는",
    ):
        assert secret.encode() not in content, secret
    assert not (destination / "masters").exists() and not (destination / "zoom").exists()
    assert b"http://" not in (destination / "index.html").read_bytes().replace(
        archive.settings.public_base.encode(), b""
    )
    # The images are the public derivatives: no GPS, nothing but the archive's own EXIF.
    with archive.db.session() as session:
        master = session.scalars(select(PhotoFile).where(PhotoFile.role == "master")).first()
    assert master is not None
    for image in (destination / "images").iterdir():
        assert b"GPS" not in image.read_bytes()[:4096]


def test_selections_by_era_place_and_exhibition(archive: Runtime, tmp_path: Path) -> None:
    seventies = tmp_path / "seventies"
    assert run("export-site", str(seventies), "--era", "1970s").exit_code == 0
    data = (seventies / "assets" / "data.js").read_text("utf-8")
    assert "영산포 나루터" in data and "금성관 앞 졸업식" not in data
    inside = tmp_path / "yeongsan-dong"
    assert run("export-site", str(inside), "--place", "영산동").exit_code == 0  # 영산포 lies in it
    assert "영산포 나루터" in (inside / "assets" / "data.js").read_text("utf-8")
    masters = tmp_path / "office"
    assert run("export-site", str(masters), "--masters", "--era", "1985").exit_code == 0
    assert len(list((masters / "masters").iterdir())) == 1
    for args, message in (
        (["--era", "칠십년대"], "1970s, 1975, 1960-1979"),
        (["--place", "서울"], "지명 사전에 없는 곳"),
        (["--exhibition", "nothing"], "공개된 전시가 아닙니다"),
        (["--era", "1890s"], "맞는 공개 사진이 없습니다"),
    ):
        result = run("export-site", str(tmp_path / "bad"), *args)
        assert result.exit_code != 0 and message in result.output, args
        assert not (tmp_path / "bad").exists()


def test_a_failed_or_interrupted_export_leaves_nothing(archive: Runtime, tmp_path: Path) -> None:
    out = tmp_path / "out"  # where copies go: nothing else lives there
    full = out / "full"
    full.mkdir(parents=True)
    (full / "old.txt").write_text("someone's file")
    refused = run("export-site", str(full))
    assert refused.exit_code != 0 and "비어 있지 않습니다" in refused.output
    assert [p.name for p in full.iterdir()] == ["old.txt"]
    selection = Selection()
    chosen = plan(archive, selection)

    def interrupt(step: str, _n: int) -> None:
        if step == "files":
            raise KeyboardInterrupt

    stick = out / "stick"
    stick.mkdir()  # an empty USB stick's root: built inside it, in a hidden folder
    with pytest.raises(KeyboardInterrupt):
        export_site(archive, stick, chosen, selection, progress=interrupt)
    assert list(stick.iterdir()) == []
    with archive.db.session() as session:  # a public file gone from storage: the copy fails
        key = session.scalars(
            select(PhotoFile.public_key).where(PhotoFile.variant == "web")
        ).first()
    assert key
    (archive.settings.storage_dir / key).unlink()
    with pytest.raises(ExportSiteError, match="파일을 읽지 못했습니다"):
        export_site(archive, out / "new", chosen, selection)
    assert sorted(p.name for p in out.iterdir()) == ["full", "stick"]


def test_a_copy_or_a_bag_is_never_written_into_the_archives_own_folders(
    archive: Runtime,
) -> None:
    settings = archive.settings
    public = settings.storage_dir / "derivatives" / "copy"
    for command in ("export-site", "export"):
        for inside in (
            public,
            settings.data_dir / "x",
            settings.inbox_dir / "usb",
            settings.data_dir,
        ):
            refused = run(command, str(inside))
            assert refused.exit_code == 1, (command, inside)
            assert "아카이브가 쓰는 폴더" in refused.output and "choose a folder" in refused.output
            assert not inside.exists() or inside == settings.data_dir
    relative = run("export-site", str(settings.data_dir / ".." / "var" / "escape"))
    assert relative.exit_code == 1  # the same folder written another way


def test_a_copy_past_a_dvd_is_split_by_decade(archive: Runtime) -> None:
    chosen = plan(archive, Selection())
    chosen.by_decade = {"1950s": 3_000_000_000, "1960s": 2_000_000_000, "1970s": 2_000_000_000}
    assert chosen.discs(DVD_BYTES) == [["1950s"], ["1960s", "1970s"]]
