"""Staff accounts of the moderator screen: add, list, disable, passwords and sessions.

Every session carries its account's session token; a new token (sign-out, password
change or reset, disable) ends every session of the account, copied cookies included.
Passwords are judged by zxcvbn with a minimum length, the same way on every path.
"""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from archive.errors import ArchiveError
from archive.models import User, new_session_token
from archive.statuses import StaffRole

NAME_PATTERN = re.compile(r"[\w.-]{2,64}")
MAX_PASSWORD = 200
# zxcvbn's 0-4 scale: 3 is "safely unguessable: moderate protection from offline attacks".
MIN_SCORE = 3
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Words an attacker tries first against this service's accounts.
SITE_WORDS = ("naju", "나주", "archive", "photo", "oldphoto", "나주시", "moderator", "admin")


@cache
def _dummy_hash() -> str:
    """Return a hash checked when the name is unknown, so both failures take as long."""
    return generate_password_hash("not-a-password-of-anyone")


class UserError(ArchiveError):
    """A staff account cannot be created or changed as asked."""


def check_password(password: str, name: str, min_length: int) -> None:
    """Refuse a password that is short, blank, unprintable or easy to guess.

    :raises UserError: with the reason in Korean and English.
    """
    if not password.strip():
        raise UserError(
            "비밀번호가 비어 있습니다(빈칸만으로는 만들 수 없습니다) / password is blank"
        )
    if len(password) < min_length:
        raise UserError(
            f"비밀번호는 {min_length}자 이상이어야 합니다 / "
            f"password must be at least {min_length} characters"
        )
    if len(password) > MAX_PASSWORD or _CONTROL.search(password):
        raise UserError(
            f"비밀번호는 {MAX_PASSWORD}자 이하의 보통 글자로 만들어 주세요 / "
            f"password must be at most {MAX_PASSWORD} printable characters"
        )
    verdict = zxcvbn(password, user_inputs=[name, *SITE_WORDS])
    if verdict["score"] < MIN_SCORE:
        hint = verdict["feedback"].get("warning") or "it is easy to guess"
        raise UserError(
            "비밀번호가 너무 쉽습니다. 서로 관계없는 낱말 서너 개를 이어 붙이는 식으로 "
            f"더 길고 예측하기 어렵게 만들어 주세요 / password is too easy to guess: {hint}"
        )


def add_user(session: Session, name: str, role: str, password: str, min_length: int) -> User:
    """Create a staff account with a hashed password.

    :raises UserError: on a bad name, role or password, or a name already taken.
    """
    if not NAME_PATTERN.fullmatch(name):
        raise UserError("name must be 2-64 letters, digits, '.', '_' or '-'")
    if role not in tuple(StaffRole):
        raise UserError(f"role must be one of: {', '.join(StaffRole)}")
    check_password(password, name, min_length)
    if find_user(session, name) is not None:
        raise UserError(f"user {name!r} already exists")
    user = User(
        name=name,
        role=role,
        password_hash=generate_password_hash(password),
        active=True,
        session_token=new_session_token(),
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str, min_length: int) -> None:
    """Give an account a new password and end all of its sessions.

    :raises UserError: when the password is not acceptable.
    """
    check_password(password, user.name, min_length)
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = datetime.now(UTC)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End every session of an account (they fail their next request)."""
    user.session_token = new_session_token()


def find_user(session: Session, name: str) -> User | None:
    """Return the account with this name, or None."""
    return session.scalars(select(User).where(User.name == name)).first()


def list_users(session: Session) -> list[User]:
    """Return every staff account by name."""
    return list(session.scalars(select(User).order_by(User.name)))


def disable_user(session: Session, name: str) -> User:
    """Stop an account from signing in and end its sessions (its past decisions stay).

    :raises UserError: when there is no such account.
    """
    user = find_user(session, name)
    if user is None:
        raise UserError(f"no user {name!r}")
    user.active = False
    end_sessions(user)
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


def session_user(session: Session, user_id: int, token: str) -> User | None:
    """Return the active account a session belongs to, if its token is still current."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user
