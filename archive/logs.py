"""Logging for the CLI, the worker and gunicorn: plain text or one JSON object per line."""

from __future__ import annotations

import logging
import logging.config
import os
import re
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

# Paths that hold a secret (private status links), each with its secret as the group
# "secret": derived from the web's route declarations (archive.web.routing) and
# installed by every process that logs (web, worker, jobs) before it serves anything.
_SECRET_PATHS: list[re.Pattern[str]] = []
REDACTED = "[redacted]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"


def early_log_format() -> str:
    """Return ARCHIVE_LOG_FORMAT for the logging the CLI sets up before any settings are
    read (a command's settings are loaded later, and report a value that is neither)."""
    raw = os.environ.get("ARCHIVE_LOG_FORMAT", "").strip()
    return raw if raw in ("text", "json") else "text"


def install_secret_paths(patterns: Iterable[re.Pattern[str]]) -> None:
    """Set the paths whose secret every log line of this process hides."""
    _SECRET_PATHS[:] = list(patterns)


def redact(text: str) -> str:
    """Return text with the secret of every secret-holding path in it replaced; a path
    written percent-encoded (as a request line may be) is matched decoded."""
    hidden = _hide_all(text)
    if "%" in hidden:
        decoded = unquote(hidden)
        if _hide_all(decoded) != decoded:
            return _hide_all(decoded)
    return hidden


def _hide_all(text: str) -> str:
    for pattern in _SECRET_PATHS:
        text = pattern.sub(_hide_secret, text)
    return text


def _hide_secret(found: re.Match[str]) -> str:
    start, end = found.span("secret")
    whole = found.group(0)
    offset = found.start()
    return whole[: start - offset] + REDACTED + whole[end - offset :]


class RedactSecrets(logging.Filter):
    """Replace the secret of a private link anywhere in a log message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message (always keeps the record)."""
        if _SECRET_PATHS:
            message = record.getMessage()
            hidden = redact(message)
            if hidden != message:
                record.msg, record.args = hidden, None
        return True


def logging_config(fmt: str = "text", level: str = "INFO") -> dict[str, Any]:
    """Return a dictConfig for the root, gunicorn and alembic loggers."""
    formatter: dict[str, Any] = {"format": TEXT_FORMAT}
    if fmt == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "main",
        "filters": ["redact"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactSecrets}},
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "root": {"level": level, "handlers": ["main"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["main"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["main"], "propagate": False},
            "alembic": {"level": "WARNING"},
        },
    }


def configure_logging(fmt: str = "text", verbose: bool = False) -> None:
    """Set up logging for a command."""
    logging.config.dictConfig(logging_config(fmt, "DEBUG" if verbose else "INFO"))


def first_line(exc: BaseException) -> str:
    """Return the first line of an error's message (drivers add paragraphs of advice)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


class OutageLog:
    """Say that something we depend on fails once when it starts and once when it ends.

    A database or store that is down makes every request or round fail the same way; one
    line when the fault begins and one when it ends (with how often it was met and for how
    long) tell the operator everything, where a line per failure floods the log.
    """

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger = logger
        self.what = what
        self.failures = 0
        self._since = 0.0
        self._lock = threading.Lock()

    @property
    def failing(self) -> bool:
        """Return whether the fault is going on."""
        return self.failures > 0

    def failed(self, exc: BaseException) -> None:
        """Count one failure (logged only when it is the first)."""
        with self._lock:
            self.failures += 1
            first = self.failures == 1
            if first:
                self._since = time.monotonic()
        if first:
            self.logger.error(
                "%s failing: %s: %s (told again when it recovers)",
                self.what,
                type(exc).__name__,
                first_line(exc),
            )

    def recovered(self) -> None:
        """Say the fault ended, if it was going on."""
        with self._lock:
            failures, self.failures = self.failures, 0
        if failures:
            self.logger.warning(
                "%s recovered after %d failures in %.0f s",
                self.what,
                failures,
                time.monotonic() - self._since,
            )
