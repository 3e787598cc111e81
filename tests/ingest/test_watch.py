"""`archive ingest --watch` takes files as they arrive and stops cleanly."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from archive.runtime import Runtime
from tests.scans import picture, save_jpeg


def read_json_line(process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    try:
        assert selector.select(timeout), "no output from the watcher in time"
        return json.loads(process.stdout.readline())
    finally:
        selector.close()


def test_watch_ingests_new_files_and_stops_on_sigterm(
    runtime: Runtime, inbox: Path, env: dict[str, str], tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "ingest", "--watch", "--json"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        staged = save_jpeg(tmp_path / "staging" / "arrived.jpg", picture(seed=3))
        os.replace(staged, inbox / "arrived.jpg")
        first = read_json_line(process, 60)
        save_jpeg(inbox / "sub" / "later.jpg", picture(seed=4))
        second = read_json_line(process, 60)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    assert (first["file"], first["outcome"]) == ("arrived.jpg", "ingested")
    assert (second["file"], second["outcome"]) == ("sub/later.jpg", "ingested")
    assert process.returncode == 0, err
    assert "감시 종료" in err
    assert (runtime.settings.scans_dir / "done" / "sub" / "later.jpg").is_file()
