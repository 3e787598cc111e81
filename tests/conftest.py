"""Shared fixtures: settings in tmp_path, a migrated runtime, CLI runner and scan makers."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive.cli import main
from archive.config import Settings, load_settings
from archive.runtime import Runtime, build_runtime
from tests.databases import BACKEND, drop_databases, fresh_database_url
from tests.s3 import s3_bucket, s3_endpoint

__all__ = ["s3_bucket", "s3_endpoint"]  # fixtures shared by every test module

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the PostgreSQL databases of this run."""
    drop_databases()


def pytest_report_header() -> str:
    """Say which database the run uses."""
    return f"archive database: {BACKEND}"


@pytest.fixture
def env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> dict[str, str]:
    """Point every ARCHIVE_* setting at tmp_path and return the variables."""
    values = {
        "ARCHIVE_DATA_DIR": str(tmp_path / "var"),
        "ARCHIVE_SCANS_DIR": str(tmp_path / "scans"),
        "ARCHIVE_SETTLE_SECONDS": "0.1",
        "ARCHIVE_POLL_SECONDS": "0.2",
        "ARCHIVE_WORKERS": "2",
    }
    url = fresh_database_url(
        migrated=request.node.get_closest_marker("empty_database") is None,
        data_dir=tmp_path / "var",
    )
    if url:
        values["ARCHIVE_DATABASE_URL"] = url
    if request.node.get_closest_marker("whoosh") is not None:
        values["ARCHIVE_SEARCH_BACKEND"] = "whoosh"
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    """Return settings for this test's directories."""
    return load_settings()


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """Return a runtime with a migrated database."""
    rt = build_runtime(settings)
    rt.db.upgrade()
    yield rt
    rt.close()


@pytest.fixture
def inbox(runtime: Runtime) -> Path:
    """Return the drop folder."""
    return runtime.settings.inbox_dir


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run the archive CLI in-process and return click's result."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def ingest(cli: Callable[..., Result], runtime: Runtime) -> Callable[..., list[dict[str, Any]]]:
    """Run `archive ingest --json` and return its JSON lines (summary last)."""

    def run(*args: str) -> list[dict[str, Any]]:
        result = cli("ingest", "--json", *args)
        lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
        assert lines and lines[-1].get("summary"), result.output
        return lines

    return run


def copy_corpus(target: Path, *parts: str) -> list[Path]:
    """Copy corpus files (or the whole corpus) to target, writable, and return them."""
    source = CORPUS.joinpath(*parts)
    if source.is_file():
        destination = target / source.name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        return [destination]
    shutil.copytree(source, target / source.name, copy_function=shutil.copyfile)
    return sorted(p for p in (target / source.name).rglob("*") if p.is_file())
