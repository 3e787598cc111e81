"""Each file row names its backend: switching to S3 keeps old files readable; migrate moves them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from archive.app import create_app
from archive.cli import main
from archive.models import PhotoFile
from archive.runtime import Runtime
from tests.scans import picture, save_jpeg


def drop(inbox: Path, name: str, seed: int, status: str = "published") -> None:
    save_jpeg(inbox / f"{name}.jpg", picture((900, 700), seed=seed))
    (inbox / f"{name}.json").write_text(json.dumps({"title": name, "status": status}), "utf-8")


def backends(runtime: Runtime) -> dict[str, int]:
    with runtime.db.session() as session:
        rows = session.execute(select(PhotoFile.backend, func.count()).group_by(PhotoFile.backend))
        return {backend: count for backend, count in rows}


def served() -> dict[str, int]:
    """Serve the API and every public image; return the status of each image URL."""
    app = create_app({"FLASK": {"TESTING": True}})
    client = app.test_client()
    try:
        app.extensions["archive"].job_runner("test").run_due()  # the worker's index
        items = client.get("/api/photos").get_json()["items"]
        statuses = {}
        for item in items:
            for key in ("thumbnail_url", "image_url"):
                path = "/" + item[key].split("//", 1)[1].split("/", 1)[1]
                with client.get(path) as response:
                    statuses[f"{item['title']} {key}"] = response.status_code
        return statuses
    finally:
        app.extensions["archive"].close()


def test_switching_to_s3_keeps_old_files_and_migrate_moves_them(
    runtime: Runtime,
    inbox: Path,
    env: dict[str, str],
    ingest: Callable[..., list[dict[str, Any]]],
    s3_endpoint: str,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(3):
        drop(inbox, f"local{n}", n)
    ingest()
    assert set(backends(runtime)) == {"local"}
    s3 = {
        "ARCHIVE_STORAGE": "s3",
        "ARCHIVE_S3_BUCKET": s3_bucket,
        "ARCHIVE_S3_ENDPOINT_URL": s3_endpoint,
        "ARCHIVE_S3_PREFIX": "naju",
    }
    for name, value in s3.items():
        monkeypatch.setenv(name, value)
    drop(inbox, "on-s3", 9)
    ingest()
    assert set(backends(runtime)) == {"local", "s3"}
    images = served()
    assert len(images) == 8 and set(images.values()) == {200}  # old and new files alike
    fixity = CliRunner().invoke(main, ["fixity", "--derivatives", "--json"])
    assert fixity.exit_code == 0, fixity.output

    process = subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "storage", "migrate", "--to", "s3", "--json"],
        env={**os.environ, **env, **s3},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    first = json.loads(process.stdout.readline())
    process.send_signal(signal.SIGKILL)  # killed half way
    process.wait()
    process.stdout.close()
    assert first["files"] > 0
    assert backends(runtime).get("local", 0) > 0
    again = CliRunner().invoke(main, ["storage", "migrate", "--to", "s3", "--json"])
    assert again.exit_code == 0, again.output
    summary = json.loads(again.output.splitlines()[-1])["summary"]
    assert 1 <= summary["records"] <= 2 and summary["to"] == "s3"  # the rest, not again
    assert set(backends(runtime)) == {"s3"}
    fixity = CliRunner().invoke(main, ["fixity", "--derivatives", "--json"])
    assert fixity.exit_code == 0, fixity.output
    assert set(served().values()) == {200}
    left = [p for p in (runtime.settings.storage_dir / "masters").rglob("*") if p.is_file()]
    assert len(left) == 3  # the old copies stay until a sweep is asked to remove them
