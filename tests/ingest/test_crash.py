"""A worker killed mid-batch loses no file and makes no duplicate record when run again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from archive.models import Photo, PhotoFile
from archive.runtime import Runtime
from tests.scans import picture, save_jpeg

FILES = 24


def start_ingest(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "ingest", "--json"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )


def test_sigkill_mid_batch_then_rerun(runtime: Runtime, inbox: Path, env: dict[str, str]) -> None:
    for n in range(FILES):
        save_jpeg(inbox / f"batch/{n:03}.jpg", picture((1500, 2000), seed=n), quality=95)
    process = start_ingest(env)
    assert process.stdout is not None
    first_lines = [json.loads(process.stdout.readline()) for _ in range(5)]
    os.killpg(process.pid, signal.SIGKILL)  # the worker and its decoder processes
    process.wait()
    process.stdout.close()
    assert all(line["outcome"] == "ingested" for line in first_lines)
    assert any(inbox.rglob("*.jpg")), "the kill must come before the batch is done"

    rerun = subprocess.run(
        [sys.executable, "-m", "archive.cli", "ingest", "--json"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    summary = json.loads(rerun.stdout.splitlines()[-1])
    assert summary["failed"] == summary["duplicate"] == 0

    done = runtime.settings.scans_dir / "done" / "batch"
    assert sorted(p.name for p in done.iterdir()) == [f"{n:03}.jpg" for n in range(FILES)]
    assert not list(inbox.rglob("*.jpg"))
    with runtime.db.session() as session:
        assert session.scalar(select(func.count(Photo.id))) == FILES
        masters = session.scalars(select(PhotoFile.sha256).where(PhotoFile.role == "master"))
        assert len(set(masters.all())) == FILES


def test_file_recorded_but_not_moved_is_resumed_not_duplicated(
    runtime: Runtime, inbox: Path, env: dict[str, str]
) -> None:
    save_jpeg(inbox / "p.jpg")
    command = [sys.executable, "-m", "archive.cli", "ingest", "--json"]
    run_env = {**os.environ, **env}
    kept = subprocess.run(
        [*command, "--keep-source"], env=run_env, capture_output=True, text=True, check=True
    )
    first = json.loads(kept.stdout.splitlines()[0])
    again = subprocess.run(command, env=run_env, capture_output=True, text=True, check=True)
    second = json.loads(again.stdout.splitlines()[0])
    assert second == {**first, "resumed": True}
    assert (runtime.settings.scans_dir / "done" / "p.jpg").is_file()
    with runtime.db.session() as session:
        assert session.scalar(select(func.count(Photo.id))) == 1
