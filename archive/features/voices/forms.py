"""Forms of the three actions on a photo page, and of the staff's decisions on them."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from archive.contacts import is_contact
from archive.features.voices.receive import (
    MAX_BODY,
    MAX_CONTACT,
    MAX_NAME,
    MAX_RELATION,
    MAX_SOURCE,
)
from archive.fields import BY_NAME, SUGGESTABLE
from archive.statuses import REASON_LABELS, RESOLUTION_LABELS, RequestReason, SubmissionKind

RELATIONS = (
    "사진 속 인물 본인",
    "사진 속 인물의 가족",
    "그때 그곳에 살았음",
    "그때 그곳에 다녀감",
    "사진을 찍은 사람",
    "출향향우",
)
SUGGEST_CHOICES = [SelectChoice(name, BY_NAME[name].label_ko) for name in SUGGESTABLE]
REQUEST_CHOICES = [
    SelectChoice(str(reason), REASON_LABELS[reason])
    for reason in RequestReason
    if reason != RequestReason.CONSENT
]
LONGEST_SUGGESTION = max(BY_NAME[name].max_length for name in SUGGESTABLE)


def _optional_contact(_form: Form, field: StringField) -> None:
    if (field.data or "").strip() and not is_contact(field.data or ""):
        raise ValidationError("이메일 주소나 전화번호를 적어 주세요. 예: 010-1234-5678")


def _consent_with_contact(form: Form, field: BooleanField) -> None:
    if (form.contact.data or "").strip() and not field.data:
        raise ValidationError("연락처를 남기시려면 개인정보 수집·이용에 동의해 주세요.")


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=f"{limit:,}자까지 적을 수 있습니다.")


class VoiceForm(FlaskForm):
    """What the three forms share: who is writing, how to reach them, consent, honeypot."""

    kind: SubmissionKind
    name = StringField("이름", [Optional(), _too_long(MAX_NAME)])
    contact = StringField(
        "연락처 (이메일 또는 전화번호, 선택)",
        [Optional(), _too_long(MAX_CONTACT), _optional_contact],
    )
    notify = BooleanField("처리 결과를 이메일로 받겠습니다")
    consent = BooleanField("개인정보 수집·이용에 동의합니다", [_consent_with_contact])
    # Honeypot: hidden from people; bots that fill every field give themselves away.
    website = StringField("홈페이지 (비워 두세요)")

    def is_bot(self) -> bool:
        """Return whether the hidden field was filled (only programs see it)."""
        return bool((self.website.data or "").strip())


class MemoryForm(VoiceForm):
    """기억 나누기: a memory or story about the photo."""

    kind = SubmissionKind.MEMORY
    body = TextAreaField(
        "이 사진에 얽힌 기억",
        [DataRequired("기억이나 이야기를 적어 주세요."), _too_long(MAX_BODY[kind])],
    )
    relation = StringField(
        "사진과 어떤 인연이 있나요? (선택)", [Optional(), _too_long(MAX_RELATION)]
    )
    name = StringField("함께 보일 이름 (비워 두면 「익명」)", [Optional(), _too_long(MAX_NAME)])


class SuggestionForm(VoiceForm):
    """이 사진을 아시나요?: a value for one field visitors may suggest."""

    kind = SubmissionKind.SUGGESTION
    field = RadioField(
        "무엇을 알고 계신가요?",
        choices=SUGGEST_CHOICES,
        validators=[DataRequired("알려 주실 항목을 하나 골라 주세요.")],
        validate_choice=False,  # an unknown field gets the service's plain answer
    )
    body = TextAreaField(
        "알고 계신 내용",
        [DataRequired("알고 계신 내용을 적어 주세요."), _too_long(LONGEST_SUGGESTION)],
    )
    source_note = StringField("어떻게 아셨나요? (선택)", [Optional(), _too_long(MAX_SOURCE)])


class RequestForm(VoiceForm):
    """수정·삭제 요청: a correction or a takedown (a contact is needed to answer)."""

    kind = SubmissionKind.REQUEST
    reason = RadioField(
        "요청하시는 까닭",
        choices=REQUEST_CHOICES,
        validators=[DataRequired("요청하시는 까닭을 하나 골라 주세요.")],
    )
    body = TextAreaField("자세한 내용", [Optional(), _too_long(MAX_BODY[kind])])
    contact = StringField(
        "연락처 (이메일 또는 전화번호)",
        [DataRequired("답변드릴 연락처를 적어 주세요."), _too_long(MAX_CONTACT), _optional_contact],
    )
    consent = BooleanField(
        "개인정보 수집·이용에 동의합니다",
        [DataRequired("요청을 처리하려면 개인정보 수집·이용에 동의해 주세요.")],
    )


class ConsentWithdrawalForm(FlaskForm):
    """From a contribution's status link: withdraw consent and ask for erasure."""

    details = TextAreaField(
        "남기실 말씀 (선택)", [Optional(), _too_long(MAX_BODY[SubmissionKind.REQUEST])]
    )
    confirm = BooleanField(
        "이 사진의 공개와 보관에 대한 동의를 철회하고 삭제를 요청합니다",
        [DataRequired("동의 철회를 확인해 주세요.")],
    )


class ItemDecisionForm(FlaskForm):
    """A moderator's decision on a memory, suggestion or request."""

    reason = TextAreaField("사유 (직접 쓰기)", [Optional(), Length(max=2000)])
    canned = StringField("자주 쓰는 사유")
    value = TextAreaField("반영할 내용", [Optional(), Length(max=LONGEST_SUGGESTION)])
    resolution = RadioField(
        "처리 결과",
        choices=[SelectChoice(str(r), label) for r, label in RESOLUTION_LABELS.items()],
        validators=[Optional()],
    )


def form_for(kind: SubmissionKind, **kwargs: Any) -> VoiceForm:
    """Return the form of one kind of voice."""
    forms: dict[str, type[VoiceForm]] = {
        SubmissionKind.MEMORY: MemoryForm,
        SubmissionKind.SUGGESTION: SuggestionForm,
        SubmissionKind.REQUEST: RequestForm,
    }
    return forms[kind](**kwargs)
