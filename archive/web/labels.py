"""Korean names of event kinds and record fields on the staff pages."""

from __future__ import annotations

from archive.fields import FIELDS
from archive.statuses import KIND_LABELS, SubmissionKind, SubmissionState, state_label

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
    "erased": "영구 삭제",
    "failed": "처리 실패",
    "exported": "내보내기",
    "fixity-checked": "고정성 검사",
    "swept": "파일 정리",
    "password-changed": "비밀번호 변경",
    "password-reset": "비밀번호 새로 정함",
    "reason-added": "자주 쓰는 사유 추가",
    "reason-changed": "자주 쓰는 사유 수정",
    "exhibition": "전시",
    "table": "기준 표 수정",
    "retry-requested": "실패한 스캔 다시 시도 요청",
    "retry-started": "실패한 스캔을 inbox로 돌려놓음",
    "retry-missing": "다시 시도할 스캔 없음",
}
# Visitors' voices: "memory-received", "suggestion-approved", "request-held", ...
EVENT_LABELS.update(
    {f"{kind}-received": f"{KIND_LABELS[kind]} 접수" for kind in SubmissionKind}
    | {
        f"{kind}-{state}": f"{KIND_LABELS[kind]} {state_label(kind, state)}"
        for kind in SubmissionKind
        for state in SubmissionState
        if state != SubmissionState.PENDING
    }
)
FIELD_LABELS = {field.name: field.label_ko for field in FIELDS}


def era_label(era: str) -> str:
    """Return an era parameter in Korean ("1970s" → "1970년대"); other forms unchanged."""
    if len(era) == 5 and era.endswith("0s") and era[:4].isdigit():
        return f"{era[:4]}년대"
    return era


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Return the page numbers to link: first, last and those near the current page,
    with None where numbers are left out (shown as …)."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def event_label(kind: str) -> str:
    """Return the Korean name of an event kind (the kind itself when unknown)."""
    return EVENT_LABELS.get(kind, kind)


def object_particle(word: str) -> str:
    """Return the word with its object particle: 을 after a final consonant, else 를."""
    last = word.rstrip()[-1:] if word.strip() else ""
    if "가" <= last <= "힣":
        return word + ("을" if (ord(last) - ord("가")) % 28 else "를")
    return word + "을(를)"


def field_label(name: str) -> str:
    """Return the Korean name of a record field."""
    return FIELD_LABELS.get(name, name)


def retention_text(days: int) -> str:
    """Return the retention period in words for the consent notice."""
    if days % 365 == 0:
        return f"{days // 365}년"
    if days % 30 == 0:
        return f"{days // 30}개월"
    return f"{days}일"
