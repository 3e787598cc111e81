"""Notices by e-mail through a real SMTP server (aiosmtpd) started by the tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from archive.config import load_settings
from archive.errors import ConfigError
from archive.mail import MailError, send_mail
from archive.models import Job
from archive.operations.checks import run_checks
from tests.smtp import PASSWORD, USER, Inbox, Server, free_port, self_signed
from tests.web.conftest import runtime_of, work
from tests.web.test_voices import act, item_id, published, send_voice

Login = Callable[[str], FlaskClient]
SENDER = "grandson.kim@example.kr"
STAFF = "archive-staff@naju.go.kr"
PORT = free_port()


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, Server]]:
    """Run the SMTP server for one test."""
    server = Server(Inbox(), PORT)
    server.start()
    yield server.inbox, server
    server.stop()


MAIL = {
    "smtp_host": "127.0.0.1",
    "smtp_port": PORT,
    "smtp_starttls": 0,
    "smtp_user": USER,
    "smtp_password": PASSWORD,
    "smtp_timeout": 5.0,
    "staff_digest_to": STAFF,
    "staff_digest_minutes": 0,
}


def _memory(app: Flask, public_id: str, text: str, **extra: str) -> tuple[str, str]:
    fields = {"body": text, "contact": SENDER, "consent": "y", "notify": "y", **extra}
    status, page, token = send_voice(app.test_client(), public_id, "memory", **fields)
    assert status == 303
    return page, token


@pytest.mark.settings(**MAIL)
def test_senders_and_staff_are_told_by_mail(
    fresh_app: Flask, login_as: Login, smtp: tuple[Inbox, Server]
) -> None:
    inbox, _controller = smtp
    public_id = published(fresh_app)
    page, _token = _memory(fresh_app, public_id, "장날 새우젓 배가 들어오던 기억")
    work(fresh_app)
    [digest] = inbox.to(STAFF)
    assert "새 항목 1건" in digest["Subject"] and "기억: 1건" in digest.get_content()
    assert SENDER not in digest.get_content()  # staff read who wrote on the desk, not in mail
    act(login_as("moderator"), item_id(fresh_app, page), "approve")
    assert inbox.to(SENDER) == []  # nothing is sent inside the request
    work(fresh_app)
    [notice] = inbox.to(SENDER)
    receipt = page.split('id="receipt">')[1].split("<")[0]
    assert receipt in notice["Subject"]
    body = notice.get_content()
    assert "사진 아래에 실렸습니다" in body and f"/photos/{public_id}" in body
    assert "/voices/" not in body  # the private status link is never mailed
    assert notice["From"].addresses[0].domain == "naju.go.kr"


@pytest.mark.settings(**MAIL)
def test_a_mail_server_that_is_down_is_tried_again(
    fresh_app: Flask, login_as: Login, smtp: tuple[Inbox, Server]
) -> None:
    inbox, controller = smtp
    public_id = published(fresh_app)
    page, _token = _memory(fresh_app, public_id, "선창의 기억", name="김영산")
    controller.stop()
    act(login_as("moderator"), item_id(fresh_app, page), "approve")  # the request succeeds
    work(fresh_app)
    runtime = runtime_of(fresh_app)
    with runtime.db.session() as session:
        jobs = session.scalars(select(Job).where(Job.kind == "notify")).all()
        assert [(j.state, j.attempts) for j in jobs] == [("pending", 1)]
        assert "ConnectionRefusedError" in jobs[0].last_error
        assert SENDER not in jobs[0].last_error
        session.execute(update(Job).values(run_after=datetime.now(UTC)))  # its backoff is over
    controller.start()
    work(fresh_app)
    assert len(inbox.to(SENDER)) == 1
    with runtime.db.session() as session:
        assert session.scalars(select(Job).where(Job.kind == "notify")).all() == []


def _as_if_queued(app: Flask, age: timedelta) -> None:
    """Make the mail jobs first queued age ago and due now, as if that time had passed."""
    now = datetime.now(UTC)
    with runtime_of(app).db.session() as session:
        session.execute(update(Job).values(created_at=now - age, run_after=now))


def _approved_while_down(app: Flask, moderator: FlaskClient, server: Server, text: str) -> None:
    """Send a memory asking for a notice (its staff digest goes while the server is up),
    then stop the mail server and approve the memory."""
    page, _token = _memory(app, published(app), text)
    work(app)
    server.stop()
    act(moderator, item_id(app, page), "approve")


@pytest.mark.settings(**MAIL)
def test_a_notice_survives_a_mail_outage_of_days(
    fresh_app: Flask, login_as: Login, smtp: tuple[Inbox, Server]
) -> None:
    inbox, controller = smtp
    _approved_while_down(fresh_app, login_as("moderator"), controller, "영산포 장날의 기억")
    for half_days in range(1, 13):  # tried again and again through six days without mail
        _as_if_queued(fresh_app, timedelta(hours=12 * half_days))
        work(fresh_app)
        with runtime_of(fresh_app).db.session() as session:
            [job] = session.scalars(select(Job).where(Job.kind == "notify")).all()
            assert job.state == "pending"
            due = job.run_after if job.run_after.tzinfo else job.run_after.replace(tzinfo=UTC)
            assert due <= datetime.now(UTC) + timedelta(hours=1)  # at most an hour apart
    controller.start()
    _as_if_queued(fresh_app, timedelta(days=6, hours=12))
    work(fresh_app)
    assert len(inbox.to(SENDER)) == 1  # the notice arrives once the server is back


@pytest.mark.settings(**MAIL)
def test_a_notice_that_gives_up_is_shown_to_staff_everywhere(
    fresh_app: Flask, login_as: Login, smtp: tuple[Inbox, Server]
) -> None:
    inbox, controller = smtp
    moderator = login_as("moderator")
    _approved_while_down(fresh_app, moderator, controller, "나주역 앞 광장")
    work(fresh_app)
    _as_if_queued(fresh_app, timedelta(days=7, minutes=1))  # a week without mail
    work(fresh_app)
    with runtime_of(fresh_app).db.session() as session:
        [job] = session.scalars(select(Job).where(Job.kind == "notify")).all()
        assert job.state == "failed" and "ConnectionRefusedError" in job.last_error
    dashboard = moderator.get("/moderate/dashboard").get_data(as_text=True)
    assert "끝내 하지 못한 작업" in dashboard and "알림 메일" in dashboard
    [jobs] = [c for c in run_checks(runtime_of(fresh_app), write=False) if c.name == "jobs"]
    assert not jobs.ok and "failed: notify 1 (알림 메일)" in jobs.detail
    controller.start()
    work(fresh_app)  # the digest the give-up scheduled goes once the server is back
    digests = [m for m in inbox.to(STAFF) if "하지 못한 작업" in m["Subject"]]
    assert len(digests) == 1 and "알림 메일: 1건" in digests[0].get_content()
    assert inbox.to(SENDER) == []  # given up: not sent until someone retries it


def test_without_mail_settings_nothing_is_sent_or_queued(
    fresh_app: Flask, login_as: Login, smtp: tuple[Inbox, Server]
) -> None:
    inbox, _controller = smtp
    public_id = published(fresh_app)
    form = fresh_app.test_client().get(f"/photos/{public_id}/memory").get_data(as_text=True)
    assert 'name="notify"' not in form  # nobody is offered a notice that cannot come
    page, _token = _memory(fresh_app, public_id, "기억 하나")
    act(login_as("moderator"), item_id(fresh_app, page), "approve")
    work(fresh_app)
    with runtime_of(fresh_app).db.session() as session:
        assert (
            session.scalars(select(Job).where(Job.kind.in_(("notify", "staff-digest")))).all() == []
        )
    assert inbox.messages == []


def test_mail_goes_over_starttls_to_a_server_the_office_trusts(tmp_path: Path) -> None:
    context, ca_file = self_signed(tmp_path)
    server = Server(Inbox(), tls=context)
    server.start()
    try:
        base = {
            "data_dir": tmp_path / "var",
            "smtp_host": "127.0.0.1",
            "smtp_port": server.port,
            "smtp_user": USER,
            "smtp_password": PASSWORD,
            "smtp_timeout": 5.0,
        }
        with pytest.raises(MailError) as untrusted:  # the system CAs do not know this server
            send_mail(load_settings(**base), [SENDER], "시험", "본문")
        assert "SSL" in str(untrusted.value) and SENDER not in str(untrusted.value)
        assert server.inbox.messages == []
        send_mail(load_settings(**base, smtp_ca_file=str(ca_file)), [SENDER], "시험 메일", "본문")
        [(rcpt, message)] = server.inbox.messages
        assert rcpt == [SENDER] and message["Subject"] == "시험 메일"
        with pytest.raises(ConfigError):
            load_settings(**base, smtp_ca_file=str(tmp_path / "missing.pem"))
    finally:
        server.stop()
