"""The admins' form for a canned reason."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length


class ReasonForm(FlaskForm):
    """An admin's new or reworded canned reason."""

    text = StringField("사유", [DataRequired("사유를 적어 주세요."), Length(max=500)])
    active = BooleanField("검토 화면에 보이기", default=True)
