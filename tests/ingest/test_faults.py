"""Bad sidecars, sheets and values fail their own files only, the same on every database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, StatementError

from archive.errors import StorageError
from archive.ingest.errors import classify
from archive.models import Photo
from archive.runtime import Runtime
from tests.scans import picture, save_jpeg

Ingest = Callable[..., list[dict[str, Any]]]


def by_file(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {line["file"]: line for line in lines if "file" in line}


def scan(inbox: Path, name: str, seed: int, **sidecar: Any) -> Path:
    path = save_jpeg(inbox / name, picture((300, 200), seed=seed))
    if sidecar:
        path.with_suffix(".json").write_text(json.dumps(sidecar, ensure_ascii=False), "utf-8")
    return path


def test_hostile_sidecars_and_sheets_fail_their_group_and_the_batch_goes_on(
    runtime: Runtime, inbox: Path, ingest: Ingest
) -> None:
    scan(inbox, "deep.jpg", 1)
    (inbox / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    scan(inbox, "big.jpg", 2)
    (inbox / "big.json").write_text(json.dumps({"title": "x", "description": "가" * 700_000}))
    scan(inbox, "number.jpg", 3)
    (inbox / "number.json").write_text('{"title": ' + "9" * 10_000 + "}")
    scan(inbox, "list.jpg", 4)
    (inbox / "list.json").write_text(json.dumps({"title": {"nested": ["x"]}}))
    sheet = inbox / "sheet"
    scan(sheet, "a.jpg", 5)
    scan(sheet, "b.jpg", 6)
    (sheet / "manifest.csv").write_text(
        'file,title\na.jpg,"' + "x" * 300_000 + '"\nb.jpg,좋은 제목\n', "utf-8"
    )
    binary = inbox / "binary"
    scan(binary, "c.jpg", 7)
    (binary / "manifest.csv").write_bytes(b"\xff\xfe\x00\x01" * 5000)
    scan(inbox, "good.jpg", 8, title="잘 들어간 사진")
    results = by_file(ingest())
    assert results["good.jpg"]["outcome"] == "ingested"
    for name in ("deep.jpg", "big.jpg", "number.jpg", "list.jpg", "sheet/a.jpg", "binary/c.jpg"):
        assert results[name]["outcome"] == "failed", name
        assert results[name]["reason_ko"], name
    assert "지나치게 깊거나" in results["deep.jpg"]["reason_ko"]
    assert "너무 큽니다" in results["big.jpg"]["reason_ko"]
    assert "글자만" in results["list.jpg"]["reason_ko"]
    assert "행을 읽을 수 없습니다" in results["sheet/a.jpg"]["reason_ko"]
    failed = runtime.settings.scans_dir / "failed"
    assert (failed / "deep.jpg").is_file() and (failed / "deep.json").is_file()
    assert (failed / "deep.jpg.error.txt").read_text("utf-8").startswith("[처리 실패]")
    again = ingest()  # nothing is left that could crash a second run
    assert again[-1]["total"] == 0


def test_over_long_values_are_refused_naming_the_field(
    runtime: Runtime, inbox: Path, ingest: Ingest
) -> None:
    scan(inbox, "place.jpg", 1, place="영산포 " * 60)
    scan(inbox, "title.jpg", 2, title="제" * 501)
    scan(inbox, "date.jpg", 3, date="1970년대 " * 40)
    scan(inbox, "ok.jpg", 4, title="제" * 500, place="영산포")
    results = by_file(ingest())
    assert "장소이(가) 너무 깁니다" in results["place.jpg"]["reason_ko"]
    assert "제목이(가) 너무 깁니다" in results["title.jpg"]["reason_ko"]
    assert "최대 200자" in results["date.jpg"]["reason_ko"]
    assert results["ok.jpg"]["outcome"] == "ingested"


def test_control_characters_and_nul_are_removed_the_same_everywhere(
    runtime: Runtime, inbox: Path, ingest: Ingest
) -> None:
    scan(inbox, "nul.jpg", 1, title="영산포\u0000 선창\u0007", description="첫 줄\r\n둘째\u0000 줄")
    [result, _] = ingest()
    assert result["outcome"] == "ingested"
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo)).one()
    assert (photo.title, photo.description) == ("영산포 선창", "첫 줄\n둘째 줄")


def test_long_embedded_captions_are_cut_with_a_warning(
    runtime: Runtime, inbox: Path, ingest: Ingest
) -> None:
    save_jpeg(inbox / "caption.jpg", picture(seed=9), xp_comment="옛 " * 6000, xp_title="제목")
    [result, _] = ingest()
    assert result["outcome"] == "ingested"
    assert any("설명·사연이(가) 10,000자를 넘어 잘랐습니다" in w for w in result["warnings"])
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo)).one()
    assert len(photo.description) <= 10_000 and photo.title == "제목"


def test_errors_that_retrying_cannot_cure_are_told_apart() -> None:
    refused = classify(DataError("INSERT ...", {}, Exception("value too long")))
    assert refused is not None and refused.code == "database_refused"
    nul = classify(StatementError("cannot send NUL", "INSERT ...", {}, ValueError("NUL")))
    assert nul is not None and nul.code == "database_refused"
    taken = classify(IntegrityError("INSERT ...", {}, Exception("duplicate key")))
    assert taken is not None
    assert classify(OperationalError("SELECT 1", {}, Exception("server closed"))) is None
    assert classify(StorageError("bucket unreachable")) is None
    assert classify(OSError("read-only file system")) is None


@pytest.mark.parametrize("sidecar", ['{"title": "a"', "[1, 2]", '"just text"', "\ufeff{}"])
def test_malformed_sidecars_are_explained(
    runtime: Runtime, inbox: Path, ingest: Ingest, sidecar: str
) -> None:
    scan(inbox, "p.jpg", 1)
    (inbox / "p.json").write_text(sidecar, "utf-8")
    [result, _] = ingest()
    if sidecar == "\ufeff{}":
        assert result["outcome"] == "ingested"
    else:
        assert result["outcome"] == "failed" and "설명 파일" in result["reason_ko"]


def test_the_watching_worker_survives_a_hostile_sidecar(runtime: Runtime, inbox: Path) -> None:
    import threading
    import time

    from archive.ingest.pipeline import IngestResult
    from archive.ingest.worker import IngestWorker

    results: list[IngestResult] = []
    stop, wake = threading.Event(), threading.Event()
    with IngestWorker(runtime, on_result=results.append, stop=stop) as worker:
        thread = threading.Thread(target=worker.watch, args=(inbox, wake))
        thread.start()
        scan(inbox, "deep.jpg", 1)
        (inbox / "deep.json").write_text("{" * 50_000)
        scan(inbox, "sheet/a.jpg", 2)
        (inbox / "sheet" / "manifest.csv").write_text('file,title\na.jpg,"' + "x" * 300_000)
        deadline = time.monotonic() + 60
        while len(results) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        scan(inbox, "later.jpg", 3)  # the worker is still there for the next file
        while len(results) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        wake.set()
        thread.join(timeout=30)
    outcomes = {r.file: r.outcome for r in results}
    assert outcomes == {"deep.jpg": "failed", "sheet/a.jpg": "failed", "later.jpg": "ingested"}
