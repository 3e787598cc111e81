"""Logging for the CLI, the worker and gunicorn: plain text or one JSON object per line."""

from __future__ import annotations

import logging
import logging.config
import re
from typing import Any

# Contributors' private status links must not end up in access logs.
_STATUS_LINK = re.compile(r"(/contribute/status/)[A-Za-z0-9_-]+")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"


class RedactStatusLinks(logging.Filter):
    """Replace the secret of a contributor's status link in a log message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message (always keeps the record)."""
        message = record.getMessage()
        if "/contribute/status/" in message:
            record.msg = _STATUS_LINK.sub(r"\1[redacted]", message)
            record.args = None
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
        "filters": {"redact": {"()": RedactStatusLinks}},
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
