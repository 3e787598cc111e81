"""Logging for the CLI, the worker and gunicorn: plain text or one JSON object per line."""

from __future__ import annotations

import logging
import logging.config
import re
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
