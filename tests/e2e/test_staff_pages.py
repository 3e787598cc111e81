"""Every staff page at phone and desktop sizes: no serious or critical axe violation, and
a screenshot to look at."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import delete

from tests.e2e.conftest import serious_violations
from tests.e2e.test_exhibitions import sign_in
from tests.e2e.test_staff_account import add_account

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PAGES = {
    "queue": "/moderate/",
    "queue-published": "/moderate/?queue=published",
    "voices-memory": "/moderate/voices/memory",
    "voices-request": "/moderate/voices/request",
    "reasons": "/moderate/reasons/",
    "users": "/moderate/users",
    "account": "/moderate/account",
    "exhibitions": "/moderate/exhibitions/",
    "intake": "/moderate/ingest/",
    "audit": "/moderate/audit",
    "dashboard": "/moderate/dashboard",
    "tables": "/moderate/tables/",
    "table-gazetteer": "/moderate/tables/gazetteer",
    "table-row": "/moderate/tables/periods/rows/2",
}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_staff_page_passes_axe(
    browser: Browser, live_archive: tuple[str, dict[str, str]], artifacts: object, size: str
) -> None:
    base, env = live_archive
    admin = f"e2e-axe-{size}"
    add_account(env, admin, "admin")
    with urllib.request.urlopen(
        f"{base}/api/photos?per_page=1&q=%EB%82%98%EB%A3%A8%ED%84%B0"
    ) as answer:
        photo = json.load(answer)["items"][0]["id"]
    page = browser.new_context(viewport=SIZES[size], locale="ko-KR").new_page()
    sign_in(page, base, admin)
    with _given_up_notice(env):  # the dashboard shows what a week without mail left
        for name, path in {**PAGES, "review": f"/moderate/photos/{photo}"}.items():
            response = page.goto(base + path)
            assert response is not None and response.status == 200, path
            expect(page.locator("h1")).to_be_visible()
            assert serious_violations(page) == [], path
            page.screenshot(path=f"{artifacts}/staff-{name}-{size}.png", full_page=True)
            if name == "dashboard":
                expect(page.locator("[data-given-up]")).to_contain_text("알림 메일")


@contextmanager
def _given_up_notice(env: dict[str, str]) -> Iterator[None]:
    """Leave a notice job failed (given up) for the pages to show, and take it away after."""
    from archive.config import load_settings
    from archive.db import Database
    from archive.models import Job

    database = Database(load_settings(env).sqlalchemy_url)
    with database.session() as session:
        job = Job(kind="notify", payload={}, state="failed", attempts=40)
        job.last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
        session.add(job)
        session.flush()
        job_id = job.id
    try:
        yield
    finally:
        with database.session() as session:
            session.execute(delete(Job).where(Job.id == job_id))
        database.engine.dispose()
