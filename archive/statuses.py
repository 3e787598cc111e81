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


class ContributionState(StrEnum):
    """How a contributed photo stands, as its contributor sees it."""

    PENDING = "pending"
    PUBLISHED = "published"
    NOT_PUBLISHED = "not_published"


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
    """What a member of staff may do: moderators decide, admins also manage."""

    MODERATOR = "moderator"
    ADMIN = "admin"


ORIGINAL_ROLES = (FileRole.MASTER, FileRole.BACK, FileRole.ALTERNATE)
# Decided: the contributor has an answer, and the personal-data clock runs.
DECIDED = frozenset({RecordStatus.PUBLISHED, RecordStatus.REJECTED, RecordStatus.WITHDRAWN})

TRANSITIONS: dict[RecordStatus, frozenset[RecordStatus]] = {
    RecordStatus.DRAFT: frozenset({RecordStatus.PUBLISHED, RecordStatus.REJECTED}),
    RecordStatus.PUBLISHED: frozenset({RecordStatus.WITHDRAWN}),
    RecordStatus.WITHDRAWN: frozenset({RecordStatus.PUBLISHED, RecordStatus.DRAFT}),
    RecordStatus.REJECTED: frozenset({RecordStatus.PUBLISHED, RecordStatus.DRAFT}),
}


def check_transition(old: str, new: str) -> None:
    """Allow a status change or refuse it.

    :raises InvalidChange: invalid_transition, when the table does not allow old → new.
    """
    if RecordStatus(new) not in TRANSITIONS[RecordStatus(old)]:
        raise InvalidChange("invalid_transition", f"a {old} record cannot become {new}")


def contribution_state(status: str) -> ContributionState:
    """Return how a contributed photo's status reads to its contributor."""
    if status == RecordStatus.PUBLISHED:
        return ContributionState.PUBLISHED
    if status in (RecordStatus.REJECTED, RecordStatus.WITHDRAWN):
        return ContributionState.NOT_PUBLISHED
    return ContributionState.PENDING
