"""CLI edges: clear messages for bad arguments, settings and an unmigrated database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archive.cli import main
from archive.runtime import Runtime
from tests.scans import save_jpeg


@pytest.mark.empty_database
def test_unmigrated_database_is_explained(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["photos", "list"])
    assert result.exit_code == 1
    assert "archive db upgrade" in result.output


@pytest.mark.empty_database
def test_db_upgrade_then_empty_list(env: dict[str, str]) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    listed = runner.invoke(main, ["photos", "list", "--json"])
    assert listed.exit_code == 0 and listed.output == ""


def test_bad_setting_is_explained(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_SETTLE_SECONDS", "soon")
    result = CliRunner().invoke(main, ["photos", "list"])
    assert result.exit_code == 1
    assert "ARCHIVE_SETTLE_SECONDS" in result.output and "설정 오류" in result.output


def test_missing_directory_is_explained(runtime: Runtime, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_progress_output_without_json(
    runtime: Runtime, inbox: Path, cli: Callable[..., Result]
) -> None:
    save_jpeg(inbox / "ok.jpg")
    (inbox / "bad.jpg").write_bytes(b"not a picture")
    result = CliRunner().invoke(main, ["ingest"])
    assert result.exit_code == 1, "a failed file makes --once exit non-zero"
    assert "[실패] bad.jpg" in result.output
    assert "등록 1" in result.output and "실패 1" in result.output


HEAVY = ("sqlalchemy", "alembic", "whoosh", "kiwipiepy", "PIL", "numpy", "boto3", "gunicorn")


def test_help_and_light_commands_start_without_heavy_imports() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from click.testing import CliRunner; from archive.cli import main; "
        "CliRunner().invoke(main, ['--help']); CliRunner().invoke(main, ['ingest', '--help']); "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "[]"


def test_the_migration_head_is_read_without_alembic() -> None:
    from alembic.script import ScriptDirectory

    from archive.db import alembic_config, head_revision

    expected = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head_revision() == expected


def test_a_file_that_stopped_changing_long_ago_is_taken_at_once(tmp_path: Path) -> None:
    import os
    import time

    from archive.ingest.files import StabilityTracker, make_drop

    old = tmp_path / "old.jpg"
    old.write_bytes(b"scan written an hour ago")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    fresh = tmp_path / "fresh.jpg"
    fresh.write_bytes(b"scan still being copied")
    tracker = StabilityTracker(settle_seconds=2.0)
    drops = [make_drop(old, tmp_path), make_drop(fresh, tmp_path)]
    assert [d.rel for d in tracker.ready(drops)] == ["old.jpg"]


def test_a_back_side_waits_while_its_front_is_still_being_written(tmp_path: Path) -> None:
    import os
    import time

    from archive.ingest.files import StabilityTracker, make_drop

    back = tmp_path / "FastFoto_0001_b.jpg"
    back.write_bytes(b"back side scanned a minute ago")
    os.utime(back, (time.time() - 60, time.time() - 60))
    front = tmp_path / "FastFoto_0001.jpg"
    front.write_bytes(b"front still being copied")
    tracker = StabilityTracker(settle_seconds=2.0)
    drops = [make_drop(front, tmp_path), make_drop(back, tmp_path)]
    assert tracker.ready(drops) == []  # taken alone, the back would become its own record
    os.utime(front, (time.time() - 5, time.time() - 5))
    assert sorted(d.rel for d in tracker.ready(drops)) == [
        "FastFoto_0001.jpg",
        "FastFoto_0001_b.jpg",
    ]


def test_the_json_listing_carries_every_field_of_the_registry(
    runtime: Runtime, inbox: Path, cli: Callable[..., Result]
) -> None:
    import json

    from archive.fields import FIELDS

    save_jpeg(inbox / "가족.jpg")
    (inbox / "가족.json").write_text(
        json.dumps({"title": "가족 사진", "people": "할머니, 큰아버지", "credit": "김씨 댁"}),
        "utf-8",
    )
    cli("ingest", "--once")
    [line] = cli("photos", "list", "--json").output.splitlines()
    listed = json.loads(line)
    assert {field.name for field in FIELDS} <= set(listed)
    assert listed["people"] == "할머니, 큰아버지" and listed["credit"] == "김씨 댁"
