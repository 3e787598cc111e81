"""Send one e-mail through the configured SMTP server (smtplib: STARTTLS, sign-in).

Nothing here runs on a request: notices are jobs on the durable queue, sent by a worker
after the commit, and a failure is tried again later with backoff.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from archive.config import Settings
from archive.errors import ArchiveError

TLS_PORT = 465  # TLS from the first byte (SMTPS)


class MailError(ArchiveError):
    """The mail server could not take a message (the job is tried again)."""

    code = "mail"


def compose(settings: Settings, to: list[str], subject: str, body: str) -> EmailMessage:
    """Return a plain-text UTF-8 message from the configured sender."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="naju-photo-archive")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def send_mail(settings: Settings, to: list[str], subject: str, body: str) -> None:
    """Send one message.

    :raises MailError: when the server cannot be reached or refuses the message.
    """
    message = compose(settings, to, subject, body)
    host, port, timeout = settings.smtp_host.strip(), settings.smtp_port, settings.smtp_timeout
    try:
        if port == TLS_PORT:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=_tls(settings)
            )
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if settings.smtp_starttls and port != TLS_PORT:
                client.starttls(context=_tls(settings))
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password)
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"mail to {len(to)} recipient(s) not sent: {_describe(exc)}") from exc


def _tls(settings: Settings) -> ssl.SSLContext:
    """Return a verifying TLS context (with the office's CA file when one is set)."""
    return ssl.create_default_context(cafile=settings.smtp_ca_file.strip() or None)


def _describe(exc: Exception) -> str:
    """Say what failed without the addresses (some smtplib errors quote them)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__} {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPException):
        return type(exc).__name__
    return f"{type(exc).__name__}: {getattr(exc, 'strerror', None) or exc}"
