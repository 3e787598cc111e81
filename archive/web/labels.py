"""Korean names of event kinds and record fields on the staff pages."""

from __future__ import annotations

from archive.fields import FIELDS

EVENT_LABELS = {
    "ingested": "스캔 등록",
    "attached": "뒷면·다른 판 추가",
    "duplicate": "같은 파일 다시 들어옴",
    "contributed": "시민 기증 접수",
    "edited": "정보 수정",
    "published": "공개",
    "withdrawn": "공개 중단",
    "rejected": "반려",
    "draft": "검토 대기로 되돌림",
    "held": "보류",
    "deleted": "삭제",
    "user-added": "직원 계정 추가",
    "user-disabled": "직원 계정 막음",
    "personal-data-purged": "개인정보 파기",
}
FIELD_LABELS = {field.name: field.label_ko for field in FIELDS}


def event_label(kind: str) -> str:
    """Return the Korean name of an event kind (the kind itself when unknown)."""
    return EVENT_LABELS.get(kind, kind)


def field_label(name: str) -> str:
    """Return the Korean name of a record field."""
    return FIELD_LABELS.get(name, name)
