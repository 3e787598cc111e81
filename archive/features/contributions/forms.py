"""Forms of the contribution page (Flask-WTF, with CSRF); their limits come from the field
registry."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from archive.contacts import is_contact
from archive.fields import BY_NAME
from archive.records.public import KOGL
from archive.web.forms import too_long

KOGL_CHOICES = [
    SelectChoice("공공누리 제1유형", "제1유형 · 출처만 밝히면 누구나 자유롭게 이용"),
    SelectChoice("공공누리 제2유형", "제2유형 · 출처 표시, 상업적 이용 금지"),
    SelectChoice("공공누리 제3유형", "제3유형 · 출처 표시, 변경 금지"),
    SelectChoice("공공누리 제4유형", "제4유형 · 출처 표시, 상업적 이용 금지, 변경 금지"),
]
assert [choice.value for choice in KOGL_CHOICES] == list(KOGL)


def _contact(_form: Form, field: StringField) -> None:
    if not is_contact(field.data or ""):
        raise ValidationError("이메일 주소나 전화번호를 적어 주세요. 예: 010-1234-5678")


def _file_size(_form: Form, field: FileField) -> None:
    upload = field.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        return
    limit_mb = current_app.config["UPLOAD_MAX_FILE_MB"]
    upload.stream.seek(0, 2)
    size = upload.stream.tell()
    upload.stream.seek(0)
    if size > limit_mb * 1024 * 1024:
        raise ValidationError(f"사진 한 장은 {limit_mb}MB까지 보낼 수 있습니다.")


def _limit(name: str) -> Length:
    """Return the length check of a registry field, with its message in Korean."""
    spec = BY_NAME[name]
    return Length(max=spec.max_length, message=too_long(spec))


def has_file(entry: Form) -> bool:
    """Return whether a photo entry carries a chosen file."""
    upload = entry.file.data
    return isinstance(upload, FileStorage) and bool(upload.filename)


class PhotoEntryForm(Form):
    """One photo with what the contributor remembers of it."""

    file = FileField("사진 파일", [_file_size])
    title = StringField("한 줄 제목 (선택)", [Optional(), _limit("title")])
    date = StringField("언제 찍었나요?", [Optional(), _limit("date")])
    place = StringField("어디에서 찍었나요?", [Optional(), _limit("place")])
    story = TextAreaField("사진에 얽힌 사연", [Optional(), _limit("description")])
    people = StringField("사진 속 인물 (선택)", [Optional(), _limit("people")])


class ContributeForm(FlaskForm):
    """The contribution form: photos, then the contributor, rights and consent."""

    photos = FieldList(FormField(PhotoEntryForm), min_entries=1, max_entries=20)
    name = StringField("이름", [DataRequired("이름을 적어 주세요."), Length(max=100)])
    contact = StringField(
        "연락처 (이메일 또는 전화번호)",
        [DataRequired("연락처를 적어 주세요."), Length(max=200), _contact],
    )
    show_name = BooleanField("공개할 때 사진에 제 이름을 함께 적어 주세요")
    rights = RadioField(
        "이용 허락 범위 (공공누리 유형)",
        choices=KOGL_CHOICES,
        validators=[DataRequired("공공누리 유형을 하나 골라 주세요.")],
    )
    owns_rights = BooleanField(
        "제가 찍었거나 가족이 찍은 사진, 또는 공유해도 되는 사진임을 확인합니다",
        [DataRequired("사진을 공유해도 되는지 확인해 주세요.")],
    )
    consent = BooleanField(
        "개인정보 수집·이용에 동의합니다",
        [DataRequired("개인정보 수집·이용에 동의해야 보낼 수 있습니다.")],
    )
    # Honeypot: hidden from people; bots that fill every field give themselves away.
    website = StringField("홈페이지 (비워 두세요)")
