"""Notices by e-mail through a real SMTP server (aiosmtpd) started by the tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from archive.config import load_settings
from archive.errors import ConfigError
from archive.mail import MailError, send_mail
from archive.models import Job
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
