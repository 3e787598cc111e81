"""Retries back off, a stop signal fails nothing, and a replaced file is never misjudged."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from watchdog.events import (
    DirModifiedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileOpenedEvent,
)

from archive.digest import FileIdentity
from archive.ingest.files import move_verified
from archive.ingest.pipeline import IngestResult
from archive.ingest.retry import RetryBook
from archive.ingest.watch import OwnMoves, WakeHandler, start_observer
from archive.ingest.worker import IngestWorker
from archive.runtime import Runtime
from tests.scans import picture, save_jpeg, save_tiff


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_watcher_wakes_for_new_files_not_for_its_own_reads_and_moves(tmp_path: Path) -> None:
    wake = threading.Event()
    own = OwnMoves()
    handler = WakeHandler(wake, own)
    inbox = str(tmp_path / "p.jpg")
    quiet = [
        FileOpenedEvent(inbox),
        FileClosedNoWriteEvent(inbox),
        DirModifiedEvent(str(tmp_path)),
    ]
    for event in quiet:
        handler.on_any_event(event)
        assert not wake.is_set(), event
    own.add(tmp_path / "p.jpg")
    handler.on_any_event(FileDeletedEvent(inbox))
    assert not wake.is_set()
    for event in (
        FileCreatedEvent(str(tmp_path / "new.jpg")),
        FileModifiedEvent(inbox),
        FileClosedEvent(inbox),
    ):
        wake.clear()
        handler.on_any_event(event)
        assert wake.is_set(), event


def test_retries_back_off_exponentially_with_jitter_and_a_cap(tmp_path: Path) -> None:
    now = [100.0]
    book = RetryBook(base_seconds=5, cap_seconds=60, clock=lambda: now[0], jitter=lambda: 1.0)
    path = tmp_path / "p.jpg"
    path.write_bytes(b"scan")
    identity = FileIdentity.of_path(path)
    delays = []
    for attempt in range(1, 7):
        assert book.defer(path, identity) == attempt
        due = book.next_due()
        assert due is not None
        delays.append(due)
        assert book.waiting(path)
        now[0] += due
        assert not book.waiting(path)
    assert delays == [5, 10, 20, 40, 60, 60]
    half = RetryBook(base_seconds=5, clock=lambda: now[0], jitter=lambda: 0.0)
    half.defer(path, identity)
    assert half.next_due() == 2.5
    path.write_bytes(b"a new scan dropped over it")
    assert not half.waiting(path)  # a changed file is a new file: tried at once


def test_a_file_left_to_retry_is_not_retried_in_a_tight_loop(runtime: Runtime, inbox: Path) -> None:
    masters = runtime.settings.storage_dir / "masters"
    masters.write_text("a file where the folder should be: every store fails")
    save_jpeg(inbox / "p.jpg", picture(seed=5))
    results: list[IngestResult] = []
    stop, wake = threading.Event(), threading.Event()
    worker = IngestWorker(
        runtime, on_result=results.append, stop=stop, retry=RetryBook(base_seconds=2.0)
    )
    with worker:
        observer = start_observer(inbox, wake, worker.own_moves)
        thread = threading.Thread(target=worker.watch, args=(inbox, wake))
        thread.start()
        try:
            time.sleep(3.0)
            tries = [r for r in results if r.file == "p.jpg"]
            assert 1 <= len(tries) <= 3, len(tries)
            assert all("retry" in (r.reason or "") for r in tries)
            assert (inbox / "p.jpg").is_file()
            masters.unlink()  # storage is back
            deadline = time.monotonic() + 30
            while not any(r.outcome == "ingested" for r in results):
                assert time.monotonic() < deadline, results
                time.sleep(0.1)
        finally:
            stop.set()
            wake.set()
            thread.join(timeout=30)
            if observer is not None:
                observer.stop()
                observer.join()
    assert (runtime.settings.scans_dir / "done" / "p.jpg").is_file()


def test_a_file_that_keeps_failing_is_failed_after_the_retry_limit(
    runtime: Runtime, inbox: Path
) -> None:
    (runtime.settings.storage_dir / "masters").write_text("storage stays broken")
    save_jpeg(inbox / "p.jpg", picture(seed=6))
    results: list[IngestResult] = []
    stop, wake = threading.Event(), threading.Event()
    fast = RetryBook(base_seconds=0.01, cap_seconds=0.02)
    with IngestWorker(runtime, on_result=results.append, stop=stop, retry=fast) as worker:
        thread = threading.Thread(target=worker.watch, args=(inbox, wake))
        thread.start()
        deadline = time.monotonic() + 60
        while not any(r.outcome == "failed" and "번 시도" in (r.korean or "") for r in results):
            assert time.monotonic() < deadline, [r.reason for r in results]
            time.sleep(0.05)
        stop.set()
        wake.set()
        thread.join(timeout=30)
    note = runtime.settings.scans_dir / "failed" / "p.jpg.error.txt"
    assert "12번 시도했지만 저장하지 못했습니다" in note.read_text("utf-8")


def test_move_verified_moves_only_the_bytes_that_were_read(tmp_path: Path) -> None:
    inbox, done = tmp_path / "inbox", tmp_path / "done"
    path = inbox / "p.jpg"
    inbox.mkdir()
    path.write_bytes(b"first")
    seen = FileIdentity.of_path(path)
    (tmp_path / "staged").write_bytes(b"second, dropped over the first")
    os.replace(tmp_path / "staged", path)
    assert move_verified(path, inbox, done, seen) is None
    assert path.read_bytes() == b"second, dropped over the first"
    now = FileIdentity.of_path(path)
    wrong = hashlib.sha256(b"first").hexdigest()
    assert move_verified(path, inbox, done, now, wrong) is None
    right = hashlib.sha256(path.read_bytes()).hexdigest()
    moved = move_verified(path, inbox, done, now, right)
    assert moved == done / "p.jpg" and moved.read_bytes() == b"second, dropped over the first"


def test_a_file_replaced_while_judged_a_duplicate_is_kept_and_ingested(
    runtime: Runtime, inbox: Path, tmp_path: Path
) -> None:
    original = save_tiff(tmp_path / "x.tif", picture((4000, 5000), seed=3), compression="raw")
    shutil.copyfile(original, inbox / "x.tif")
    with IngestWorker(runtime) as worker:
        worker.run_once(inbox)
    again = inbox / "again.tif"
    shutil.copyfile(original, again)  # the same scan dropped twice ...
    other = save_jpeg(tmp_path / "other.tif", picture((900, 700), seed=4))
    results: list[IngestResult] = []
    with IngestWorker(runtime, on_result=results.append) as worker:
        thread = threading.Thread(target=worker.run_once, args=(inbox,))
        thread.start()
        wait_until_a_decoder_reads(again)
        os.replace(other, again)  # ... and replaced by a new scan while it is being judged
        thread.join(timeout=120)
    duplicates = runtime.settings.scans_dir / "duplicates"
    kept = [p for p in duplicates.rglob("*.tif")] if duplicates.exists() else []
    assert all(sha(p) == sha(original) for p in kept)
    done = runtime.settings.scans_dir / "done"
    assert any(sha(p) == sha(tmp_path / "x.tif") for p in done.rglob("*.tif"))
    outcomes = [(r.file, r.outcome) for r in results]
    assert ("again.tif", "ingested") in outcomes, outcomes


def wait_until_a_decoder_reads(path: Path) -> None:
    """Return once a decoder process of this test holds path open."""
    deadline = time.monotonic() + 60
    target = str(path)
    while time.monotonic() < deadline:
        for child in psutil.Process().children(recursive=True):
            try:
                if any(f.path == target for f in child.open_files()):
                    return
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        time.sleep(0.005)
    raise AssertionError("no decoder opened the file")


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "ingest", "--json", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as under systemd or docker
    )


def test_sigterm_to_the_process_group_fails_no_file(
    runtime: Runtime, inbox: Path, env: dict[str, str]
) -> None:
    for n in range(12):
        save_jpeg(inbox / f"{n:02}.jpg", picture((1500, 2000), seed=n), quality=95)
    for mode in ((), ("--watch",)):
        process = start(env, *mode)
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        os.killpg(process.pid, signal.SIGTERM)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        lines = [first, *(json.loads(line) for line in out.splitlines() if line.startswith("{"))]
        assert all(line.get("outcome") != "failed" for line in lines), lines
        assert not (runtime.settings.scans_dir / "failed").exists() or not any(
            (runtime.settings.scans_dir / "failed").iterdir()
        )
    rest = start(env)
    out, _err = rest.communicate(timeout=120)
    assert json.loads(out.splitlines()[-1])["failed"] == 0
    done = sorted(p.name for p in (runtime.settings.scans_dir / "done").iterdir())
    assert done == [f"{n:02}.jpg" for n in range(12)]
