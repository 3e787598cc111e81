"""`archive check`, `archive fixity`, `archive export` and structured logs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bagit
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from archive.cli import main
from archive.models import Photo, PhotoFile
from archive.records.contributions import Contributor, create_contribution
from archive.runtime import Runtime
from tests.scans import picture, save_jpeg

Ingest = Callable[..., list[dict[str, Any]]]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def drop_scans(runtime: Runtime, count: int, published: int) -> None:
    inbox = runtime.settings.inbox_dir
    for n in range(count):
        save_jpeg(inbox / f"ops{n}.jpg", picture((600, 450), seed=500 + n))
        status = "published" if n < published else "draft"
        fields = {"title": f"나주역 {n}", "date": "1970년대", "place": "영산포", "status": status}
        (inbox / f"ops{n}.json").write_text(json.dumps(fields), "utf-8")


def masters(runtime: Runtime) -> list[Path]:
    with runtime.db.session() as session:
        keys = session.scalars(select(PhotoFile.key).where(PhotoFile.role == "master")).all()
    return [runtime.settings.storage_dir / key for key in keys]


def test_check_reports_every_part(runtime: Runtime) -> None:
    before = json.loads(run("check", "--json").stdout)
    index = next(c for c in before["checks"] if c["name"] == "index")
    assert not index["ok"] and "being built" in index["detail"]  # no worker has run yet
    assert run("jobs", "run").exit_code == 0  # what a worker does: build the index
    result = run("check", "--json")
    body = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert body["status"] == "ok"
    names = [c["name"] for c in body["checks"]]
    assert names[:6] == ["settings", "database", "storage", "index", "jobs", "files"]
    assert "read/write ok" in body["checks"][2]["detail"]
    plain = run("check")
    assert plain.exit_code == 0 and "정상  database" in plain.output


def test_check_fails_clearly_when_the_database_is_unreachable(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    result = run("check", "--json")
    body = json.loads(result.stdout)
    assert result.exit_code == 1 and body["status"] == "error"
    database = next(c for c in body["checks"] if c["name"] == "database")
    assert not database["ok"] and "unreachable" in database["detail"]


def test_check_fails_when_the_bucket_is_missing(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, s3_endpoint: str
) -> None:
    monkeypatch.setenv("ARCHIVE_STORAGE", "s3")
    monkeypatch.setenv("ARCHIVE_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("ARCHIVE_S3_BUCKET", "no-such-bucket")
    result = run("check", "--json")
    storage = next(c for c in json.loads(result.stdout)["checks"] if c["name"] == "storage")
    assert result.exit_code == 1 and "not reachable" in storage["detail"]


def test_fixity_catches_a_changed_and_a_missing_master(runtime: Runtime, ingest: Ingest) -> None:
    drop_scans(runtime, 3, published=3)
    ingest("--once")
    clean = run("fixity", "--json")
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout.splitlines()[-1]) == {"summary": {"checked": 3, "problems": 0}}
    changed, missing, _ = masters(runtime)
    changed.chmod(0o644)
    data = bytearray(changed.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, as bit rot would leave it
    changed.write_bytes(bytes(data))
    missing.chmod(0o644)
    missing.unlink()
    result = run("fixity", "--json")
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    problems = {line["key"]: line["status"] for line in lines if "key" in line}
    storage = runtime.settings.storage_dir
    assert problems == {
        str(changed.relative_to(storage)): "mismatch",
        str(missing.relative_to(storage)): "missing",
    }
    assert lines[-1] == {"summary": {"checked": 3, "problems": 2}}
    assert "checked 3 files: 2 missing or changed" in run("fixity").output


def test_export_writes_a_valid_bag_of_published_records_only(
    runtime: Runtime, ingest: Ingest, tmp_path: Path
) -> None:
    drop_scans(runtime, 3, published=2)
    ingest("--once")
    with runtime.db.session() as session:
        contribution, _ = create_contribution(
            session,
            Contributor("홍길동", "hong@example.kr", show_name=False, rights="공공누리 제1유형"),
        )
        photo = session.scalars(select(Photo).where(Photo.title == "나주역 0")).one()
        photo.contribution = contribution  # as if it had come through the form
        photo.source = "contribution"
    destination = tmp_path / "export"
    result = run("export", str(destination))
    assert result.exit_code == 0, result.output
    bag = bagit.Bag(str(destination))
    bag.validate()
    assert bag.info["Source-Organization"] == "나주시"
    folders = sorted(p.name for p in (destination / "data").iterdir() if p.is_dir())
    with runtime.db.session() as session:
        published = sorted(
            session.scalars(select(Photo.public_id).where(Photo.status == "published"))
        )
    assert folders == published
    record = json.loads((destination / "data" / folders[0] / "metadata.json").read_text("utf-8"))
    assert record["date"]["edtf"] == "197X" and record["files"][0]["role"] == "master"
    csv_text = (destination / "data" / "records.csv").read_text("utf-8")
    assert csv_text.startswith("\ufeffdc:identifier,dc:title") and csv_text.count("\n") == 3
    everything = b"".join(p.read_bytes() for p in destination.rglob("*") if p.is_file())
    assert b"hong@example.kr" not in everything and "홍길동".encode() not in everything
    again = run("export", str(destination))
    assert again.exit_code == 1 and "not empty" in again.output


def test_export_refuses_a_damaged_master_and_leaves_nothing(
    runtime: Runtime, ingest: Ingest, tmp_path: Path
) -> None:
    drop_scans(runtime, 1, published=1)
    ingest("--once")
    (master,) = masters(runtime)
    master.chmod(0o644)
    master.write_bytes(master.read_bytes()[:-10])
    result = run("export", str(tmp_path / "bag"))
    assert result.exit_code == 1 and "archive fixity" in result.output
    assert not (tmp_path / "bag").exists()


def test_json_logs_are_one_object_per_line_without_status_secrets() -> None:
    code = (
        "import logging; from archive.logs import configure_logging; configure_logging('json');"
        "from archive.cli.common import hide_secret_links; hide_secret_links();"
        "logging.getLogger('gunicorn.access').info('GET %s 200', '/contribute/status/SeCrEt-123')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    line = json.loads(result.stderr.strip())
    assert line["level"] == "INFO" and line["logger"] == "gunicorn.access"
    assert line["message"] == "GET /contribute/status/[redacted] 200"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ARCHIVE_STORAGE": "s3"}, "ARCHIVE_STORAGE=s3 needs ARCHIVE_S3_BUCKET"),
        ({"ARCHIVE_STORAGE": "ftp"}, "supported backends are: local, s3"),
        ({"ARCHIVE_S3_MULTIPART_MB": "1"}, "at least 5"),
        ({"ARCHIVE_LOG_FORMAT": "xml"}, "use text or json"),
    ],
)
def test_bad_deployment_settings_are_explained(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    result = run("check")
    assert result.exit_code == 1
    assert "설정 오류" in result.output and message in result.output
