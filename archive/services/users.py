"""Staff accounts of the moderator screen: add, list, disable, authenticate."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from archive.errors import ArchiveError
from archive.models import ROLES, User

NAME_PATTERN = re.compile(r"[\w.-]{2,64}")
MIN_PASSWORD = 10


@cache
def _dummy_hash() -> str:
    """Return a hash checked when the name is unknown, so both failures take as long."""
    return generate_password_hash("not-a-password-of-anyone")


class UserError(ArchiveError):
    """A staff account cannot be created or changed as asked."""


def add_user(session: Session, name: str, role: str, password: str) -> User:
    """Create a staff account with a hashed password.

    :raises UserError: on a bad name, role or password, or a name already taken.
    """
    if not NAME_PATTERN.fullmatch(name):
        raise UserError("name must be 2-64 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise UserError(f"role must be one of: {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password must be at least {MIN_PASSWORD} characters")
    if find_user(session, name) is not None:
        raise UserError(f"user {name!r} already exists")
    user = User(name=name, role=role, password_hash=generate_password_hash(password), active=True)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, name: str) -> User | None:
    """Return the account with this name, or None."""
    return session.scalars(select(User).where(User.name == name)).first()


def list_users(session: Session) -> list[User]:
    """Return every staff account by name."""
    return list(session.scalars(select(User).order_by(User.name)))


def disable_user(session: Session, name: str) -> User:
    """Stop an account from signing in (its past decisions stay in the log).

    :raises UserError: when there is no such account.
    """
    user = find_user(session, name)
    if user is None:
        raise UserError(f"no user {name!r}")
    user.active = False
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """Return the active account whose password matches, recording the sign-in."""
    user = find_user(session, name)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = datetime.now(UTC)
    return user
