"""The declarative base, id and time helpers every model uses."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON
from sqlalchemy.orm import DeclarativeBase

PUBLIC_ID_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyz"


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def new_session_token() -> str:
    """Return a fresh random token for a staff account's sessions."""
    return secrets.token_hex(16)


def new_public_id() -> str:
    """Return a random, unguessable public id of 12 characters."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(12))


class Base(DeclarativeBase):
    """Declarative base of every model."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}
