"""Citizens' submissions (memories, identifications, corrections, requests) as the staff
screens count them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.models import Submission
from archive.statuses import SUBMISSION_OPEN, SubmissionKind


def open_counts(session: Session) -> dict[str, int]:
    """Return how many items of each kind wait for a decision."""
    rows = session.execute(
        select(Submission.kind, func.count())
        .where(Submission.state.in_(SUBMISSION_OPEN))
        .group_by(Submission.kind)
    ).all()
    found = {str(kind): int(n) for kind, n in rows}
    return {str(kind): found.get(kind, 0) for kind in SubmissionKind}
