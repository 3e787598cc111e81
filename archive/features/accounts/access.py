"""Who may use the staff screens: the signed-in member of staff as Flask-Login sees them,
and the guards every staff blueprint uses (`require_staff` before each request,
`admin_required` on admin-only views)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user

from archive.features.accounts.users import session_user
from archive.models import User
from archive.statuses import StaffRole
from archive.web import get_runtime
from archive.web.extensions import login_manager


@dataclass(frozen=True)
class StaffUser:
    """The signed-in member of staff, as Flask-Login sees them."""

    id: int
    name: str
    role: str
    active: bool
    token: str

    @property
    def is_authenticated(self) -> bool:
        """Return True: only signed-in staff become a StaffUser."""
        return True

    @property
    def is_active(self) -> bool:
        """Return whether the account may sign in."""
        return self.active

    @property
    def is_anonymous(self) -> bool:
        """Return False."""
        return False

    @property
    def is_admin(self) -> bool:
        """Return whether this account may see the audit log and accounts."""
        return self.role == "admin"

    def get_id(self) -> str:
        """Return what Flask-Login keeps in the session: account id and session token."""
        return f"{self.id}:{self.token}"

    @classmethod
    def of(cls, user: User) -> StaffUser:
        """Return a detached copy of an account row."""
        return cls(user.id, user.name, user.role, user.active, user.session_token)


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """Return the account of a session whose token is current (else the session is over)."""
    number, _, token = user_id.partition(":")
    if not number.isdigit() or not token:
        return None
    with get_runtime().db.session() as db_session:
        user = session_user(db_session, int(number), token)
        return StaffUser.of(user) if user is not None else None


# The staff areas a scanner operator may use: the intake screen and their own password.
OPERATOR_AREAS = ("intake", "account")


def require_staff() -> Any:
    """Send anonymous visitors to the login page, and keep the scanner operator to the
    intake screen (the moderators' start page leads there)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role == StaffRole.OPERATOR and request.blueprint not in OPERATOR_AREAS:
        if request.endpoint == "moderate.queue":
            return redirect(url_for("intake.status"))
        abort(403)
    return None


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a view to staff who are not admins (403)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
