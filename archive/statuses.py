"""Every status a record or a contribution can be in, and the moves allowed between them.

Services change a status only through check_transition(), so the table below is the one
place that says, for example, that a published photo is withdrawn, never rejected.
"""

from __future__ import annotations

from enum import StrEnum

from archive.errors import InvalidChange


class RecordStatus(StrEnum):
    """Where a record stands; only published records exist for the public."""

    DRAFT = "draft"  # waiting for a moderator (a new scan or contribution, or reopened)
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"  # taken down after publication; can be restored
    REJECTED = "rejected"  # decided not to publish; the reason goes to the contributor
    ERASED = "erased"  # every file and all content gone for good; a tombstone remains


class ContributionState(StrEnum):
    """How a contributed photo stands, as its contributor sees it."""

    PENDING = "pending"
    PUBLISHED = "published"
    NOT_PUBLISHED = "not_published"


class SubmissionKind(StrEnum):
    """What a visitor sent about a published photo."""

    MEMORY = "memory"  # 기억 나누기
    SUGGESTION = "suggestion"  # 이 사진을 아시나요? (a value for one field)
    REQUEST = "request"  # 수정·삭제 요청


class SubmissionState(StrEnum):
    """Where a memory, suggestion or request stands."""

    PENDING = "pending"
    HELD = "held"  # put aside by a moderator, still undecided
    APPROVED = "approved"  # memory shown, suggestion applied, request granted
    REJECTED = "rejected"  # not shown, not applied, not granted (with a reason)


class RequestReason(StrEnum):
    """Why someone asks for a correction or a takedown."""

    PERSON = "person"  # I am, or my family is, in the photo
    COPYRIGHT = "copyright"
    WRONG = "wrong"  # wrong or hurtful information
    OTHER = "other"
    CONSENT = "consent"  # a contributor withdraws consent (from their status link)


class Resolution(StrEnum):
    """What was done about a granted request."""

    CORRECTED = "corrected"
    TAKEN_DOWN = "taken_down"  # the photo stays withdrawn
    ERASED = "erased"  # every copy deleted; a tombstone remains


class ExhibitionStatus(StrEnum):
    """Whether visitors see an exhibition."""

    DRAFT = "draft"  # staff are still putting it together
    PUBLISHED = "published"


EXHIBITION_STATUS_LABELS = {ExhibitionStatus.DRAFT: "준비 중", ExhibitionStatus.PUBLISHED: "공개"}
RECORD_STATUS_LABELS = {
    RecordStatus.DRAFT: "검토 대기",
    RecordStatus.PUBLISHED: "공개",
    RecordStatus.WITHDRAWN: "공개 중단",
    RecordStatus.REJECTED: "반려",
    RecordStatus.ERASED: "삭제됨",
}


class Source(StrEnum):
    """Where a record came from."""

    SCAN = "scan"
    CONTRIBUTION = "contribution"


class FileRole(StrEnum):
    """What a stored file is to its record."""

    MASTER = "master"
    BACK = "back"
    ALTERNATE = "alternate"
    DERIVATIVE = "derivative"


class StaffRole(StrEnum):
    """What a member of staff may do: moderators decide, admins also manage, and the
    scanner operator sees only what became of the scans (수집 현황)."""

    MODERATOR = "moderator"
    ADMIN = "admin"
    OPERATOR = "operator"


# What became of a dropped file, as the operator's screen names it.
INGEST_OUTCOME_LABELS = {
    "ingested": "등록됨",
    "attached": "뒷면·다른 판으로 붙음",
    "duplicate": "이미 있는 파일",
    "failed": "실패",
    "retry-requested": "다시 시도 요청",
    "retry-started": "inbox로 돌려놓음 (처리 대기)",
    "retry-missing": "다시 시도할 파일이 없음",
}


# What visitors and staff read for each kind, state, reason and resolution.
KIND_LABELS = {
    SubmissionKind.MEMORY: "기억",
    SubmissionKind.SUGGESTION: "제보",
    SubmissionKind.REQUEST: "수정·삭제 요청",
}
STATE_LABELS = {
    SubmissionState.PENDING: "검토 중",
    SubmissionState.HELD: "검토 중 (보류)",
    SubmissionState.APPROVED: "반영됨",
    SubmissionState.REJECTED: "반영하지 않음",
}
# How a request's outcome reads (memories and suggestions are "반영됨" / "반영하지 않음").
REQUEST_STATE_LABELS = {
    SubmissionState.APPROVED: "요청대로 처리함",
    SubmissionState.REJECTED: "받아들이지 않음",
}
REASON_LABELS = {
    RequestReason.PERSON: "제가(또는 가족이) 사진 속에 있습니다",
    RequestReason.COPYRIGHT: "저작권 문제가 있습니다",
    RequestReason.WRONG: "잘못되었거나 상처가 되는 내용이 있습니다",
    RequestReason.OTHER: "기타",
    RequestReason.CONSENT: "기증 동의를 철회합니다",
}
RESOLUTION_LABELS = {
    Resolution.CORRECTED: "기록을 고쳤습니다",
    Resolution.TAKEN_DOWN: "사진을 공개하지 않습니다",
    Resolution.ERASED: "사진과 모든 사본을 영구 삭제했습니다",
}

ORIGINAL_ROLES = (FileRole.MASTER, FileRole.BACK, FileRole.ALTERNATE)
# Decided: the contributor has an answer, and the personal-data clock runs.
DECIDED = frozenset(
    {RecordStatus.PUBLISHED, RecordStatus.REJECTED, RecordStatus.WITHDRAWN, RecordStatus.ERASED}
)
_ERASE = RecordStatus.ERASED  # any record can be erased; nothing comes back from it

TRANSITIONS: dict[RecordStatus, frozenset[RecordStatus]] = {
    RecordStatus.DRAFT: frozenset({RecordStatus.PUBLISHED, RecordStatus.REJECTED, _ERASE}),
    RecordStatus.PUBLISHED: frozenset({RecordStatus.WITHDRAWN, _ERASE}),
    RecordStatus.WITHDRAWN: frozenset({RecordStatus.PUBLISHED, RecordStatus.DRAFT, _ERASE}),
    RecordStatus.REJECTED: frozenset({RecordStatus.PUBLISHED, RecordStatus.DRAFT, _ERASE}),
    RecordStatus.ERASED: frozenset(),
}
# A memory once shown can be taken down again; other decisions are final.
SUBMISSION_TRANSITIONS: dict[SubmissionState, frozenset[SubmissionState]] = {
    SubmissionState.PENDING: frozenset(
        {SubmissionState.HELD, SubmissionState.APPROVED, SubmissionState.REJECTED}
    ),
    SubmissionState.HELD: frozenset({SubmissionState.APPROVED, SubmissionState.REJECTED}),
    SubmissionState.APPROVED: frozenset({SubmissionState.REJECTED}),
    SubmissionState.REJECTED: frozenset(),
}
SUBMISSION_OPEN = (SubmissionState.PENDING, SubmissionState.HELD)


def check_transition(old: str, new: str) -> None:
    """Allow a status change or refuse it.

    :raises InvalidChange: invalid_transition, when the table does not allow old → new.
    """
    if RecordStatus(new) not in TRANSITIONS[RecordStatus(old)]:
        raise InvalidChange("invalid_transition", f"a {old} record cannot become {new}")


def check_submission_transition(old: str, new: str) -> None:
    """Allow a memory, suggestion or request to move on, or refuse it.

    :raises InvalidChange: already_decided, when the table does not allow old → new.
    """
    if SubmissionState(new) not in SUBMISSION_TRANSITIONS[SubmissionState(old)]:
        raise InvalidChange("already_decided", f"a {old} item cannot become {new}")


def contribution_state(status: str) -> ContributionState:
    """Return how a contributed photo's status reads to its contributor."""
    if status == RecordStatus.PUBLISHED:
        return ContributionState.PUBLISHED
    if status in (RecordStatus.REJECTED, RecordStatus.WITHDRAWN, RecordStatus.ERASED):
        return ContributionState.NOT_PUBLISHED
    return ContributionState.PENDING


def state_label(kind: str, state: str) -> str:
    """Return how an item's state reads in Korean, in the words of its kind."""
    if kind == SubmissionKind.REQUEST and state in REQUEST_STATE_LABELS:
        return REQUEST_STATE_LABELS[SubmissionState(state)]
    return STATE_LABELS[SubmissionState(state)]
