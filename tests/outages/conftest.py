"""The scaled configuration under faults: a PostgreSQL cluster, moto's S3 server and Redis
that the tests start, stop and pause, with the archive's real processes in front.

These tests start every service they hurt themselves, so they run once, in the first pass
of `make test` (the PostgreSQL pass would only repeat them).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.faults import MotoServer, PostgresCluster, RedisServer
from tests.s3 import FAKE_AWS, s3_client
from tests.scans import picture, save_jpeg
from tests.smtp import free_port

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    """Return a running PostgreSQL cluster of the test's own with an "archive" database."""
    server = PostgresCluster()
    try:
        server.start()
        server.create_database()
        yield server
    finally:
        server.remove()


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoServer]:
    """Return moto's S3 server in a process of its own (the tests' clients sign with
    moto's test credentials)."""
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)
    server = MotoServer(Path(sys.executable).with_name("moto_server"))
    yield server
    server.close()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """Return a running Redis of the test's own."""
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def archive_env(root: Path, database_url: str, **settings: str) -> dict[str, str]:
    """Return the environment of the archive's processes for a test."""
    return {
        **os.environ,
        **FAKE_AWS,
        "ARCHIVE_DATA_DIR": str(root / "var"),
        "ARCHIVE_SCANS_DIR": str(root / "scans"),
        "ARCHIVE_DATABASE_URL": database_url,
        "ARCHIVE_SETTLE_SECONDS": "0",
        "ARCHIVE_POLL_SECONDS": "0.5",
        "ARCHIVE_WORKERS": "1",
        **{f"ARCHIVE_{name.upper()}": value for name, value in settings.items()},
    }


def s3_settings(moto: MotoServer, bucket: str) -> dict[str, str]:
    """Return the settings of an archive kept in a bucket of moto's server."""
    s3_client(moto.url).create_bucket(Bucket=bucket)
    return {"storage": "s3", "s3_bucket": bucket, "s3_endpoint_url": moto.url}


def cli(
    env: dict[str, str], *args: str, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the archive command with env; return what it did."""
    return subprocess.run(
        [sys.executable, "-m", "archive.cli", *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def published_scans(env: dict[str, str], count: int = 1) -> list[str]:
    """Migrate, ingest count published scans and return their ids."""
    assert cli(env, "db", "upgrade").returncode == 0
    inbox = Path(env["ARCHIVE_SCANS_DIR"]) / "inbox"
    for n in range(count):
        save_jpeg(inbox / f"p{n}.jpg", picture((900, 600), seed=40 + n))
        (inbox / f"p{n}.json").write_text(
            json.dumps({"title": f"영산포 {n}", "date": "1970년대", "status": "published"}),
            "utf-8",
        )
    done = cli(env, "ingest", "--once", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    listed = cli(env, "photos", "list", "--json").stdout.splitlines()
    return [json.loads(line)["id"] for line in listed]


@contextmanager
def web(
    env: dict[str, str], log: Path, workers: int = 1, port: int = 0, public_url: str = ""
) -> Iterator[str]:
    """Run `archive serve` (gunicorn) with env; yield its base URL."""
    port = port or free_port()
    with log.open("ab") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "archive.cli", "serve", "--port", str(port),
             "--workers", str(workers)],
            env={**env, "ARCHIVE_PUBLIC_URL": public_url or f"http://127.0.0.1:{port}"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: status(base + "/healthz") is not None, 120)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=60)


def status(url: str, timeout: float = 10) -> int | None:
    """Return the status of a GET, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def wait_for(condition: Any, seconds: float) -> None:
    """Wait until condition() is true, or fail."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("waited in vain")


def staff_session(base: str, env: dict[str, str], role: str = "moderator") -> requests.Session:
    """Create an account and return a signed-in session of it."""
    name = f"{role}-fault"
    added = cli(env, "users", "add", name, "--role", role, "--password-stdin", input=PASSWORD)
    assert added.returncode == 0, added.stderr
    session = requests.Session()
    token = csrf(session, base + "/login")
    signed = session.post(
        base + "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert signed.status_code == 302, signed.text[-500:]
    return session


def csrf(session: requests.Session, url: str) -> str:
    """Return the CSRF token of the form on a page."""
    found = _CSRF.search(session.get(url, timeout=10).text)
    assert found, url
    return found.group(1)
