"""Private status links: every route declared to hold a secret is kept out of every log line
and every cache, from its declaration alone (archive.web.routing)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from archive.logs import REDACTED
from archive.models import Contribution
from archive.web.routing import Audience, policy_of
from tests.scans import save_jpeg
from tests.smtp import free_port
from tests.web.conftest import contribution, csrf_token, runtime_of, send, upload
from tests.web.test_voices import memory, published


def _secret_rules(app: Flask) -> list[tuple[str, str, set[str]]]:
    """Return (rule, secret variable, methods) of every route declared to hold a secret."""
    found = []
    for rule in app.url_map.iter_rules():
        policy = policy_of(app, rule.endpoint)
        if policy.audience == Audience.SECRET:
            assert policy.secret is not None and f"<{policy.secret}>" in rule.rule
            found.append((rule.rule, policy.secret, set(rule.methods or ()) - {"HEAD", "OPTIONS"}))
    return found


def _secrets(app: Flask) -> tuple[str, str, str]:
    """Make a contribution and a memory; return both status secrets and the photo's id."""
    client = app.test_client()
    response = send(client, contribution(csrf_token(client, "/contribute"), [(upload(), {})]))
    contribution_token = response.headers["Location"].split("/status/")[1].split("?")[0]
    with runtime_of(app).db.session() as session:
        [sent] = session.scalars(select(Contribution)).all()
        photo_id = sent.photos[0].public_id
    _status, _page, voice_token = memory(client, published(app), "선창에서 놀던 기억")
    return contribution_token, voice_token, photo_id


def _url(rule: str, secret: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: values[m.group(1)], rule).replace(
        f"<{secret}>", values[secret]
    )


def _fetch(url: str, method: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def _wait_healthy(port: int) -> None:
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    raise AssertionError("the server did not start")


def test_every_secret_route_stays_out_of_logs_and_caches(fresh_app: Flask, tmp_path: Path) -> None:
    rules = _secret_rules(fresh_app)
    assert {rule for rule, _secret, _methods in rules} >= {
        "/contribute/status/<token>",
        "/voices/<token>",
    }
    contribution_token, voice_token, photo_id = _secrets(fresh_app)
    settings = runtime_of(fresh_app).settings
    env = {
        **os.environ,
        "ARCHIVE_DATA_DIR": str(settings.data_dir),
        "ARCHIVE_SCANS_DIR": str(settings.scans_dir),
        "ARCHIVE_DATABASE_URL": settings.database_url,
        "ARCHIVE_SETTLE_SECONDS": "0",
    }
    port = free_port()
    log_path = tmp_path / "processes.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "archive.cli", "-v", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            _wait_healthy(port)
            base = f"http://127.0.0.1:{port}"
            for rule, secret, methods in rules:
                token = voice_token if rule.startswith("/voices/") else contribution_token
                path = _url(rule, secret, {secret: token, "public_id": photo_id})
                for method in sorted(methods):
                    status, headers = _fetch(base + path, method)
                    assert status < 500, (path, method, status)
                    assert "no-store" in headers.get("Cache-Control", ""), path
                    assert headers.get("Referrer-Policy") == "no-referrer", path
                    assert "noindex" in headers.get("X-Robots-Tag", ""), path
            # The same link written percent-encoded, as a client may send it.
            _fetch(f"{base}/voice%73/{voice_token}", "GET")
            _fetch(f"{base}/contribute/status/{contribution_token}?new=1", "GET")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        save_jpeg(settings.inbox_dir / "worker.jpg")  # the worker and jobs log too
        for command in (["jobs", "run"], ["ingest", "--once"]):
            subprocess.run(
                [sys.executable, "-m", "archive.cli", "-v", *command],
                env=env,
                stdout=log,
                stderr=log,
                timeout=300,
                check=False,
            )
    text = log_path.read_text("utf-8")
    assert "GET /voices/[redacted]" in text and REDACTED in text
    for secret in (contribution_token, voice_token):
        assert secret not in text
    assert "worker.jpg" in text  # the worker's own lines were read as well
