"""PostgreSQL stops and comes back: the web says 503 with Retry-After on every route and
recovers by itself; the ingest worker logs the outage twice, backs off, and takes every
file in soon after, leaving no claim behind."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.faults import PostgresCluster
from tests.outages.conftest import (
    archive_env,
    cli,
    csrf,
    published_scans,
    staff_session,
    wait_for,
    web,
)
from tests.scans import picture, save_jpeg

UNAVAILABLE = "잠시 후 다시 시도해 주세요"


def test_the_web_answers_503_while_the_database_is_down_and_recovers(
    cluster: PostgresCluster, tmp_path: Path
) -> None:
    env = archive_env(tmp_path, cluster.url)
    [photo] = published_scans(env)
    with web(env, tmp_path / "web.log", workers=2) as base:
        staff = staff_session(base, env)
        visitor = requests.Session()
        token = csrf(visitor, base + "/contribute")
        decide = csrf(staff, f"{base}/moderate/photos/{photo}")
        pages = {
            "landing": ("GET", "/", {}),
            "results": ("GET", "/photos?era=1970s", {}),
            "photo": ("GET", f"/photos/{photo}", {}),
            "api": ("GET", "/api/photos?q=영산포", {}),
            "login": ("POST", "/login", {"name": "x", "password": "y", "csrf_token": token}),
            "contribution": ("POST", "/contribute", contribution(token)),
            "staff queue": ("GET", "/moderate/", {}),
            "decision": (
                "POST",
                f"/moderate/photos/{photo}/decide",
                {"csrf_token": decide, "action": "withdraw", "reason": "시험"},
            ),
        }
        cluster.stop()
        for name, (method, path, data) in pages.items():
            client = staff if name in ("staff queue", "decision") else visitor
            started = time.monotonic()
            files = data.pop("files", None)
            answer = client.request(method, base + path, data=data, files=files, timeout=30)
            assert answer.status_code == 503, (name, answer.status_code, answer.text[-300:])
            assert int(answer.headers["Retry-After"]) > 0, name
            assert time.monotonic() - started < 10, name
            if name != "api":
                assert UNAVAILABLE in answer.text and 'lang="ko"' in answer.text, name
        health_started = time.monotonic()
        assert requests.get(base + "/healthz", timeout=10).status_code == 503
        assert time.monotonic() - health_started < 2
        cluster.start()
        for name in ("landing", "results", "photo", "api"):
            assert visitor.get(base + pages[name][1], timeout=30).status_code == 200, name
        assert staff.get(base + "/moderate/", timeout=30).status_code == 200  # still signed in
        assert requests.get(base + "/healthz", timeout=10).status_code == 200
    log = (tmp_path / "web.log").read_text("utf-8")
    assert "Traceback" not in log
    # Each gunicorn worker says the fault began once (and ended once), not once a request.
    assert 1 <= log.count("the database failing") <= 2, log[-3000:]


def test_the_worker_rides_out_a_database_outage_quietly(
    cluster: PostgresCluster, tmp_path: Path
) -> None:
    env = archive_env(tmp_path, cluster.url, task_timeout="30")
    assert cli(env, "db", "upgrade").returncode == 0
    inbox = tmp_path / "scans" / "inbox"
    log_path = tmp_path / "worker.log"
    with log_path.open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "archive.cli", "ingest", "--watch"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            for n in range(6):
                save_jpeg(inbox / f"w{n}.jpg", picture((1600, 1200), seed=60 + n))
            done = tmp_path / "scans" / "done"
            wait_for(lambda: any(done.glob("*.jpg")), 120)
            cluster.stop()  # while the rest are being claimed and recorded
            time.sleep(6)
            cluster.start()
            # Well within the 600 s claim lease: the worker takes its own claims again.
            wait_for(lambda: len(list(done.glob("*.jpg"))) == 6, 120)
            wait_for(lambda: not claims(cluster), 30)  # none outlives its file
            first = transactions(cluster)
            time.sleep(5)
            idle_rate = (transactions(cluster) - first) / 5
            assert idle_rate < 50, idle_rate  # resting between rounds (it spun at 136-208)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    text = log_path.read_text("utf-8")
    assert len(text.encode()) < 50_000, text[-3000:]
    assert len(re.findall(r"failing: ", text)) <= 3, text[-3000:]  # begun: claims, jobs, files
    assert "recovered after" in text
    assert not list((tmp_path / "scans" / "failed").glob("*.jpg"))


def contribution(token: str) -> dict[str, object]:
    """Return a whole, valid contribution form with one photo."""
    photo = io.BytesIO()
    picture((640, 480), seed=3).save(photo, "JPEG")
    return {
        "csrf_token": token,
        "name": "김나주",
        "contact": "010-1234-5678",
        "rights": "공공누리 제1유형",
        "owns_rights": "y",
        "consent": "y",
        "website": "",
        "photos-0-story": "장날",
        "files": {"photos-0-file": ("장날.jpg", photo.getvalue(), "image/jpeg")},
    }


def transactions(cluster: PostgresCluster) -> int:
    """Return how many transactions the archive database has committed or rolled back."""
    from sqlalchemy import create_engine, text

    engine = create_engine(cluster.url)
    try:
        with engine.connect() as connection:
            query = (
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'archive'"
            )
            return int(connection.scalar(text(query)) or 0)
    finally:
        engine.dispose()


def claims(cluster: PostgresCluster) -> int:
    """Return how many ingest claims the database holds."""
    from sqlalchemy import create_engine, func, select

    from archive.models import IngestClaim

    engine = create_engine(cluster.url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(IngestClaim)) or 0)
    finally:
        engine.dispose()
