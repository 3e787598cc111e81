"""Two ingest workers on one drop folder, database and storage: no file twice, none lost."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from archive.ingest.claiming import worker_is_gone
from archive.models import Event, IngestClaim, Photo, PhotoFile
from archive.records.claims import drop_stale_claims, release_claims, take_claim
from archive.runtime import Runtime
from tests.scans import picture, save_jpeg

SCANS = 20
BACKS = (3, 11)


def drop_batch(inbox: Path) -> set[str]:
    names = set()
    for n in range(SCANS):
        folder = inbox / ("묶음1" if n % 2 else "묶음2")
        save_jpeg(folder / f"scan{n:02d}.jpg", picture((1400, 1000), seed=300 + n))
        names.add(f"{folder.name}/scan{n:02d}.jpg")
        if n in BACKS:
            save_jpeg(folder / f"scan{n:02d}_b.jpg", picture((1400, 1000), seed=900 + n))
            names.add(f"{folder.name}/scan{n:02d}_b.jpg")
    (inbox / "묶음2" / "scan00.json").write_text(json.dumps({"title": "첫 장"}), "utf-8")
    return names


def test_two_worker_processes_split_one_batch(
    runtime: Runtime, inbox: Path, env: dict[str, str]
) -> None:
    names = drop_batch(inbox)
    command = [sys.executable, "-m", "archive.cli", "ingest", "--once", "--json"]
    workers = [
        subprocess.Popen(
            command,
            env={**os.environ, **env, "ARCHIVE_WORKERS": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    results = [
        json.loads(line)
        for output in outputs
        for line in output.splitlines()
        if line.startswith("{") and '"file"' in line
    ]
    seen = Counter(result["file"] for result in results)
    assert set(seen) == names and set(seen.values()) == {1}  # each file once, by one worker
    assert Counter(r["outcome"] for r in results) == {"ingested": SCANS, "attached": len(BACKS)}
    with runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Photo)) == SCANS
        roles = Counter(session.scalars(select(PhotoFile.role)))
        assert (roles["master"], roles["back"]) == (SCANS, len(BACKS))
        kinds = Counter(session.scalars(select(Event.kind)))
        assert (kinds["ingested"], kinds["attached"], kinds["duplicate"]) == (SCANS, 2, 0)
        assert session.scalar(select(func.count()).select_from(IngestClaim)) == 0
        titled = session.scalars(select(Photo.title).where(Photo.title != "")).all()
        assert titled == ["첫 장"]
    assert not [p for p in inbox.rglob("*") if p.is_file()]
    done = runtime.settings.scans_dir / "done"
    assert len([p for p in done.rglob("*.jpg")]) == len(names)


def test_a_claim_is_held_by_one_worker_until_released_or_stale(runtime: Runtime) -> None:
    db = runtime.db
    assert take_claim(db, "묶음/scan01", "worker-a", lease_seconds=600)
    assert not take_claim(db, "묶음/scan01", "worker-b", lease_seconds=600)
    release_claims(db, ["묶음/scan01"], "worker-b")  # not b's to release
    assert not take_claim(db, "묶음/scan01", "worker-b", lease_seconds=600)
    with db.session() as session:
        session.execute(
            update(IngestClaim).values(claimed_at=datetime.now(UTC) - timedelta(hours=1))
        )
    assert take_claim(db, "묶음/scan01", "worker-b", lease_seconds=600)  # a died: b takes over
    assert not take_claim(db, "묶음/scan01", "worker-a", lease_seconds=600)
    release_claims(db, ["묶음/scan01"], "worker-b")
    assert take_claim(db, "묶음/scan01", "worker-a", lease_seconds=600)
    with db.session() as session:
        session.execute(
            update(IngestClaim).values(claimed_at=datetime.now(UTC) - timedelta(hours=1))
        )
    assert drop_stale_claims(db, lease_seconds=600) == 1


def test_a_dead_workers_claim_on_this_host_is_taken_over_at_once(runtime: Runtime) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = f"{socket.gethostname()}:{finished.stdout.strip()}:abc123"
    alive = f"{socket.gethostname()}:{os.getpid()}:def456"
    assert worker_is_gone(dead) and not worker_is_gone(alive)
    assert not worker_is_gone(f"other-host:{finished.stdout.strip()}:abc123")
    db = runtime.db
    assert take_claim(db, "a", dead, 600) and take_claim(db, "b", alive, 600)
    assert take_claim(db, "a", "me", 600, worker_is_gone)
    assert not take_claim(db, "b", "me", 600, worker_is_gone)
