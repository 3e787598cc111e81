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
