"""Staff sign-in with Flask-Login: login, logout, and role checks for the moderator screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from archive.models import User
from archive.services.users import authenticate
from archive.web import get_runtime
from archive.web.extensions import limiter, login_manager

bp = Blueprint("auth", __name__)


@dataclass(frozen=True)
class StaffUser:
    """The signed-in member of staff, as Flask-Login sees them."""

    id: int
    name: str
    role: str
    active: bool

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
        """Return the id Flask-Login keeps in the session."""
        return str(self.id)

    @classmethod
    def of(cls, user: User) -> StaffUser:
        """Return a detached copy of an account row."""
        return cls(user.id, user.name, user.role, user.active)


class LoginForm(FlaskForm):
    """Name and password of a member of staff."""

    name = StringField("아이디", [DataRequired("아이디를 적어 주세요."), Length(max=64)])
    password = PasswordField("비밀번호", [DataRequired("비밀번호를 적어 주세요."), Length(max=200)])


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """Return the active account of a session, or None (signs out a disabled account)."""
    if not user_id.isdigit():
        return None
    with get_runtime().db.session() as db_session:
        user = db_session.get(User, int(user_id))
        return StaffUser.of(user) if user is not None and user.active else None


def _login_limit() -> str:
    return get_runtime().settings.login_rate_limit


def _safe_next(target: str | None) -> str:
    local = target and target.startswith("/") and not target.startswith(("//", "/\\"))
    if local and target and not urlsplit(target).netloc:
        return target
    return url_for("moderate.queue")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    """Sign a member of staff in."""
    if current_user.is_authenticated:
        return redirect(url_for("moderate.queue"))
    form = LoginForm()
    if form.validate_on_submit():
        with get_runtime().db.session() as db_session:
            user = authenticate(db_session, form.name.data or "", form.password.data or "")
            staff = StaffUser.of(user) if user is not None else None
        if staff is not None:
            session.clear()  # a fresh session on sign-in (no fixation)
            login_user(staff)
            return redirect(_safe_next(request.args.get("next")))
        flash("아이디 또는 비밀번호가 맞지 않습니다.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    """Sign out and forget the session."""
    logout_user()
    session.clear()
    flash("로그아웃했습니다.", "info")
    return redirect(url_for("auth.login"))


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
