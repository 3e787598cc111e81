"""Receipt numbers people quote to the office, and the secrets of private status links.

Only a secret's SHA-256 is stored: the link itself exists in the sender's hands alone.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from archive.models import PUBLIC_ID_ALPHABET

MAX_TOKEN_LENGTH = 100


def hash_token(token: str) -> str:
    """Return the stored form of a status-link secret."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """Return a new status-link secret and the hash to store."""
    token = secrets.token_urlsafe(24)
    return token, hash_token(token)


def new_receipt(now: datetime) -> str:
    """Return a receipt number: the date and six characters, e.g. 20261124-K7PQ2M."""
    code = "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(6)).upper()
    return f"{now:%Y%m%d}-{code}"


def plausible_token(token: str) -> bool:
    """Return whether a link's secret is worth looking up at all."""
    return bool(token) and len(token) <= MAX_TOKEN_LENGTH
