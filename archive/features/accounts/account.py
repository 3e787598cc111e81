"""Staff passwords in the browser: change one's own, or (admins) reset another's."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from archive.features.accounts.access import StaffUser, admin_required, require_staff
from archive.features.accounts.users import UserError, authenticate, find_user, set_password
from archive.models import User
from archive.records.events import record_event
from archive.web import get_runtime
from archive.web.routing import Audience, area

bp = Blueprint("account", __name__, url_prefix="/moderate", template_folder="templates")
bp.before_request(require_staff)
area(bp, Audience.STAFF)
MAX = 200


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    new = PasswordField(
        "새 비밀번호", [DataRequired("새 비밀번호를 적어 주세요."), Length(max=MAX)]
    )
    again = PasswordField(
        "새 비밀번호 확인",
        [
            DataRequired("새 비밀번호를 한 번 더 적어 주세요."),
            EqualTo("new", "두 비밀번호가 다릅니다."),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one typed twice."""

    current = PasswordField(
        "지금 비밀번호", [DataRequired("지금 비밀번호를 적어 주세요."), Length(max=MAX)]
    )


@bp.route("/account", methods=["GET", "POST"])
def password() -> Any:
    """Change one's own password; other sessions of the account end, this one goes on."""
    form = ChangePasswordForm()
    staff = _change_own(form) if form.validate_on_submit() else None
    if staff is not None:
        login_user(staff)  # this browser carries the new session token
        session["signed_in"] = session["seen"] = int(time.time())
        flash("비밀번호를 바꿨습니다. 다른 곳의 로그인은 모두 끝났습니다.", "info")
        return redirect(url_for("account.password"), code=303)
    return render_template("moderate/account.html", form=form), 400 if form.errors else 200


def _change_own(form: ChangePasswordForm) -> StaffUser | None:
    runtime = get_runtime()
    with runtime.db.session() as db:
        user = authenticate(db, current_user.name, form.current.data or "")
        if user is None:
            form.current.errors.append("지금 비밀번호가 맞지 않습니다.")
            return None
        if not _changed(db, user, form, runtime.settings.password_min_length):
            db.rollback()
            return None
        record_event(db, "password-changed", actor=user.name, detail={"name": user.name})
        return StaffUser.of(user)


def _changed(db: Any, user: User, form: NewPasswordForm, min_length: int) -> bool:
    try:
        set_password(db, user, form.new.data or "", min_length)
    except UserError as exc:
        form.new.errors.append(str(exc))
        return False
    return True


@bp.post("/users/<name>/password")
@admin_required
def reset(name: str) -> Any:
    """Give another account a new password (admins); that person's sessions end."""
    form = NewPasswordForm()
    runtime = get_runtime()
    with runtime.db.session() as db:
        user = find_user(db, name)
        if user is None:
            abort(404)
        if not form.validate_on_submit() or not _changed(
            db, user, form, runtime.settings.password_min_length
        ):
            db.rollback()
            flash(f"{name}의 비밀번호를 바꾸지 못했습니다: {_first_error(form)}", "error")
            return redirect(url_for("office.users"), code=303)
        record_event(db, "password-reset", actor=current_user.name, detail={"name": name})
    flash(f"{name}의 비밀번호를 새로 정했습니다. 그 계정의 로그인은 모두 끝났습니다.", "info")
    return redirect(url_for("office.users"), code=303)


def _first_error(form: FlaskForm) -> str:
    for errors in form.errors.values():
        for error in errors:
            return str(error)
    return "입력을 확인해 주세요."
