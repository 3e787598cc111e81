"""Citizen contributions: receipts, private status links, decisions and personal data."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from archive.models import PUBLIC_ID_ALPHABET, Contribution, Photo
from archive.services.events import record_event
from archive.statuses import DECIDED, ContributionState, contribution_state
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


def hash_token(token: str) -> str:
    """Return the stored form of a status-link secret."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_receipt(now: datetime) -> str:
    code = "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(6)).upper()
    return f"{now:%Y%m%d}-{code}"


def create_contribution(session: Session, contributor: Contributor) -> tuple[Contribution, str]:
    """Record a contributor and their consent; return it with the status-link secret."""
    token = secrets.token_urlsafe(24)
    now = datetime.now(UTC)
    contribution = Contribution(
        receipt=_new_receipt(now),
        token_hash=hash_token(token),
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
    if not token or len(token) > 100:
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
        found.append(Outcome(photo.public_id, photo.title, state, note))
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


def purge_personal_data(
    session: Session, *, retention_days: int, actor: str, dry_run: bool = False
) -> list[str]:
    """Erase name and contact of contributions decided more than retention_days ago.

    A name the contributor chose to show stays as the photo's public credit.
    :returns: the receipts of the purged contributions.
    """
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    due = (
        Contribution.decided_at.is_not(None),
        Contribution.decided_at < cutoff,
        Contribution.purged_at.is_(None),
    )
    receipts = list(session.scalars(select(Contribution.receipt).where(*due)))
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
            message=f"{len(receipts)} contributions",
            detail={"receipts": receipts, "retention_days": retention_days},
        )
    return receipts
