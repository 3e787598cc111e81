"""A live gunicorn server over a prepared archive, and headless Debian Chromium."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from archive.config import load_settings
from archive.ingest.worker import IngestWorker
from archive.runtime import build_runtime
from tests.databases import fresh_database_url
from tests.scans import picture, save_jpeg
from tests.search.collection import populate

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parents[2] / "tools" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page: Page) -> list[tuple[str, str, int]]:
    """Run axe-core on the page; return its serious and critical violations.

    axe is evaluated through the DevTools protocol, which the pages' Content-Security-Policy
    (no inline scripts) rightly does not allow from a script tag.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        (v["id"], v["help"], len(v["nodes"]))
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(root: Path, database_url: str) -> None:
    """Create the collection, with real derivatives for a few photos."""
    settings = load_settings(
        {},
        data_dir=root / "var",
        scans_dir=root / "scans",
        database_url=database_url,
        settle_seconds=0.0,
        workers=1,
    )
    runtime = build_runtime(settings)
    runtime.db.upgrade()
    with runtime.db.session() as session:
        populate(session, runtime.gazetteer)
    for n, (title, place) in enumerate(
        (("영산포 나루터", "영산포"), ("영산포 뱃사공", "영산포"), ("영산포 장터 골목", "영산포"))
    ):
        path = save_jpeg(runtime.settings.inbox_dir / f"s{n}.jpg", picture((1200, 900), seed=n))
        path.with_suffix(".json").write_text(
            json.dumps(
                {
                    "title": title,
                    "description": "강가에서 찍은 사진",
                    "date": "1970년대",
                    "place": place,
                    "status": "published",
                    "rights": "공공누리 제1유형",
                }
            ),
            "utf-8",
        )
    with IngestWorker(runtime) as worker:
        worker.run_once(runtime.settings.inbox_dir)
    runtime.close()


@pytest.fixture(scope="session")
def live_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """Run `archive serve` (gunicorn) on a free port; yield its base URL and environment."""
    # Every browser test signs its own staff in from 127.0.0.1: more than the ten sign-ins
    # per 15 minutes one address is allowed (that limit has its own test in tests/web).
    root = tmp_path_factory.mktemp("e2e")
    with running_archive(root, login_rate_limit="200 per 15 minutes") as live:
        yield live


@contextmanager
def running_archive(root: Path, **settings: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Prepare an archive under root and run its web server and worker, with extra
    ARCHIVE_* settings; yield the base URL and the environment."""
    database_url = fresh_database_url()
    prepare(root, database_url)
    port = free_port()
    env = {
        **os.environ,
        "ARCHIVE_DATA_DIR": str(root / "var"),
        "ARCHIVE_SCANS_DIR": str(root / "scans"),
        "ARCHIVE_DATABASE_URL": database_url,
        "ARCHIVE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        **{f"ARCHIVE_{name.upper()}": value for name, value in settings.items()},
    }
    # Their logs stay beside the archive, to read when a browser test fails.
    server_log = (root / "server.log").open("ab")
    worker_log = (root / "worker.log").open("ab")
    server = subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    # The worker keeps the search index up to date (and does the other jobs), as in
    # `archive run`.
    worker = subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "ingest", "--watch"],
        env={**env, "ARCHIVE_POLL_SECONDS": "1", "ARCHIVE_WORKERS": "1"},
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("the server did not start")
        yield base, env
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.wait(timeout=30)
        server_log.close()
        worker_log.close()


@pytest.fixture(scope="session")
def live_server(live_archive: tuple[str, dict[str, str]]) -> str:
    """Return the base URL of the live server."""
    return live_archive[0]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Launch Debian's Chromium headless (no browser download)."""
    instance = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Return the folder for screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# The two screen sizes every visitor page is tried at.
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(SIZES))
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """Return a Korean-locale tab at phone or desktop size (size_name says which)."""
    context = browser.new_context(viewport=SIZES[request.param], locale="ko-KR")
    tab = context.new_page()
    tab.size_name = request.param  # type: ignore[attr-defined]
    yield tab
    context.close()


def shot(page: Page, artifacts: Path, name: str, full_page: bool = True) -> None:
    """Save a screenshot named after the page's size, for people to look at."""
    page.screenshot(
        path=str(artifacts / f"{name}-{page.size_name}.png"),  # type: ignore[attr-defined]
        full_page=full_page,
    )
