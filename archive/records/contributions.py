"""Citizen contributions: receipts, private status links, decisions and personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, not_, select, update
from sqlalchemy.orm import Session, selectinload

from archive.contacts import is_contact
from archive.errors import InvalidChange
from archive.models import Contribution, Photo, Submission
from archive.records.events import record_event
from archive.records.receipts import hash_token, new_receipt, new_token, plausible_token
from archive.statuses import (
    DECIDED,
    SUBMISSION_OPEN,
    ContributionState,
    RecordStatus,
    SubmissionKind,
    SubmissionState,
    contribution_state,
)
from archive.text import clean_text

ANONYMOUS_CREDIT = "시민 제공"


@dataclass(frozen=True)
class Contributor:
    """What a contributor tells about themselves and the rights they grant."""

    name: str
    contact: str
    show_name: bool
    rights: str


@dataclass(frozen=True)
class Outcome:
    """How one contributed photo stands, as its contributor sees it."""

    public_id: str
    title: str
    state: str  # pending | published | not_published
    note: str
    erased: bool = False
    withdrawal: str = ""  # receipt of an undecided request to erase it


def create_contribution(session: Session, contributor: Contributor) -> tuple[Contribution, str]:
    """Record a contributor and their consent; return it with the status-link secret.

    :raises InvalidChange: invalid_contact, when the contact is neither an e-mail address
        nor a phone number (it is kept only to reach them).
    """
    if not is_contact(contributor.contact):
        raise InvalidChange("invalid_contact", "the contact is neither an e-mail nor a phone")
    token, token_hash = new_token()
    now = datetime.now(UTC)
    contribution = Contribution(
        receipt=new_receipt(now),
        token_hash=token_hash,
        name=clean_text(contributor.name, 100),
        contact=clean_text(contributor.contact, 200),
        show_name=contributor.show_name,
        rights=contributor.rights,
        consented_at=now,
        created_at=now,
    )
    session.add(contribution)
    session.flush()
    return contribution, token


def credit_for(contribution: Contribution) -> str:
    """Return the credit line of a contributed photo: the name only if they chose so."""
    if contribution.show_name and contribution.name:
        return contribution.name
    return ANONYMOUS_CREDIT


def find_by_token(session: Session, token: str) -> Contribution | None:
    """Return the contribution a status-link secret belongs to, or None."""
    if not plausible_token(token):
        return None
    return session.scalars(
        select(Contribution)
        .options(selectinload(Contribution.photos))
        .where(Contribution.token_hash == hash_token(token))
    ).first()


def outcomes(contribution: Contribution) -> list[Outcome]:
    """Return each photo's state for the contributor's status page."""
    found = []
    for photo in contribution.photos:
        state = contribution_state(photo.status)
        note = photo.decision_note if state == ContributionState.NOT_PUBLISHED else ""
        asked = [
            item.receipt
            for item in contribution.withdrawals
            if item.photo_id == photo.id and item.state in SUBMISSION_OPEN
        ]
        erased = photo.status == RecordStatus.ERASED
        found.append(
            Outcome(photo.public_id, photo.title, state, note, erased, asked[0] if asked else "")
        )
    return found


def note_decision(photo: Photo) -> None:
    """Mark the photo's contribution decided once none of its photos is pending."""
    contribution = photo.contribution
    if contribution is None:
        return
    pending = [p for p in contribution.photos if p.status not in DECIDED]
    if pending:
        contribution.decided_at = None
    elif contribution.decided_at is None:
        contribution.decided_at = datetime.now(UTC)


def _purge_submissions(session: Session, cutoff: datetime, dry_run: bool) -> list[str]:
    """Erase the contact (and an unshown name) of voices decided before cutoff."""
    due = (
        Submission.decided_at.is_not(None),
        Submission.decided_at < cutoff,
        Submission.purged_at.is_(None),
    )
    receipts = list(session.scalars(select(Submission.receipt).where(*due)))
    shown = and_(
        Submission.show_name.is_(True),
        Submission.kind == SubmissionKind.MEMORY,
        Submission.state == SubmissionState.APPROVED,
    )
    if receipts and not dry_run:
        now = datetime.now(UTC)
        values = {"contact": "", "notify": False, "purged_at": now}
        # A name shown with a memory on the photo page stays with it; every other goes.
        for where, changes in ((shown, values), (not_(shown), {**values, "name": ""})):
            session.execute(
                update(Submission)
                .where(*due, where)
                .values(**changes)
                .execution_options(synchronize_session=False)
            )
    return receipts


def purge_personal_data(
    session: Session, *, retention_days: int, actor: str, dry_run: bool = False
) -> list[str]:
    """Erase name and contact of contributions decided more than retention_days ago.

    A name the contributor chose to show stays as the photo's public credit. Memories,
    suggestions and requests decided that long ago lose their contact too (and their
    name, unless it is shown with a memory).
    :returns: the receipts of the purged contributions and voices.
    """
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    due = (
        Contribution.decided_at.is_not(None),
        Contribution.decided_at < cutoff,
        Contribution.purged_at.is_(None),
    )
    receipts = list(session.scalars(select(Contribution.receipt).where(*due)))
    receipts += _purge_submissions(session, cutoff, dry_run)
    if receipts and not dry_run:
        session.execute(
            update(Contribution)
            .where(*due)
            .values(name="", contact="", purged_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )
        record_event(
            session,
            "personal-data-purged",
            actor=actor,
            message=f"{len(receipts)} contributions, memories, suggestions and requests",
            detail={"receipts": receipts, "retention_days": retention_days},
        )
    return receipts
