"""Staff sign-in with Flask-Login: login, logout, session limits and role checks.

A session names its account and the account's session token, checked on every request,
so signing out (which changes the token) ends the session for anyone holding a copy of
the cookie. Sessions also end after ARCHIVE_STAFF_IDLE_MINUTES without a request and
ARCHIVE_STAFF_SESSION_HOURS after sign-in.
"""

from __future__ import annotations

import math
import time
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask import Response as FlaskResponse
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from archive.features.accounts.access import StaffUser
from archive.features.accounts.users import authenticate, end_sessions
from archive.models import User
from archive.web import get_runtime
from archive.web.extensions import limiter
from archive.web.routing import Audience, area

bp = Blueprint("auth", __name__, template_folder="templates")
area(bp, Audience.VISITOR)


class LoginForm(FlaskForm):
    """Name and password of a member of staff."""

    name = StringField("아이디", [DataRequired("아이디를 적어 주세요."), Length(max=64)])
    password = PasswordField("비밀번호", [DataRequired("비밀번호를 적어 주세요."), Length(max=200)])


@bp.before_app_request
def limit_staff_session() -> None:
    """End a staff session that was idle too long or is older than its lifetime."""
    if "_user_id" not in session:
        return
    settings = get_runtime().settings
    now = int(time.time())
    idle = now - int(session.get("seen", 0))
    age = now - int(session.get("signed_in", 0))
    if idle > settings.staff_idle_minutes * 60 or age > settings.staff_session_hours * 3600:
        logout_user()
        session.clear()
        flash("오랫동안 쓰지 않아 로그아웃되었습니다. 다시 로그인해 주세요.", "info")
        return
    if idle > 60:  # refreshing on every request would rewrite the cookie every time
        session["seen"] = now


def _login_limit() -> str:
    return get_runtime().settings.login_rate_limit


def _account_limit() -> str:
    return get_runtime().settings.login_account_rate_limit


def _account_key() -> str:
    """Return the rate-limit key of the account a sign-in names (whoever sends it)."""
    return "account:" + (request.form.get("name") or "").strip().lower()[:64]


def _failed(response: Response) -> bool:
    """Return whether a sign-in failed (only failures count towards the limits)."""
    return response.status_code == 400


def _too_many(limit: RequestLimit) -> FlaskResponse:
    """Refuse a sign-in after too many failures, saying in Korean how long to wait."""
    seconds = max(1, math.ceil(limit.reset_at - time.time()))
    minutes = math.ceil(seconds / 60)
    message = (
        f"로그인에 여러 번 실패해 잠시 막아 두었습니다. 약 {minutes}분 뒤에 다시 시도해 주세요. "
        "비밀번호가 기억나지 않으면 관리자에게 재설정을 부탁하세요."
    )
    page = render_template("error.html", heading="요청이 너무 많습니다", message=message)
    # Flask's own Response class: Flask-Limiter uses the callback's answer only if it is one.
    return FlaskResponse(page, 429, headers={"Retry-After": str(seconds)})


def _safe_next(target: str | None) -> str:
    local = target and target.startswith("/") and not target.startswith(("//", "/\\"))
    if local and target and not urlsplit(target).netloc:
        return target
    return url_for("moderate.queue")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, on_breach=_too_many)
@limiter.limit(
    _account_limit,
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed,
    on_breach=_too_many,
    scope="login-account",
)
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
            session["signed_in"] = session["seen"] = int(time.time())
            return redirect(_safe_next(request.args.get("next")))
        flash("아이디 또는 비밀번호가 맞지 않습니다.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    """Sign out: the account's session token changes, so no copy of the cookie works."""
    if current_user.is_authenticated:
        with get_runtime().db.session() as db_session:
            user = db_session.get(User, current_user.id)
            if user is not None:
                end_sessions(user)
    logout_user()
    session.clear()
    flash("로그아웃했습니다.", "info")
    return redirect(url_for("auth.login"))
