"""Canned reasons: the sentences moderators pick when they reject or decline.

Admins keep the list; every rejection in every queue offers the active ones, and a
moderator may still write their own.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.errors import InvalidChange, NotFound
from archive.models import CannedReason
from archive.records.events import record_event
from archive.text import clean_text

MAX_LENGTH = 500


def list_reasons(session: Session, *, active_only: bool = True) -> list[CannedReason]:
    """Return the reasons in the order admins gave them."""
    query = select(CannedReason).order_by(CannedReason.position, CannedReason.id)
    if active_only:
        query = query.where(CannedReason.active.is_(True))
    return list(session.scalars(query))


def _text(text: str) -> str:
    cleaned = clean_text(text)
    if not cleaned:
        raise InvalidChange("empty_text", "a reason needs words")
    if len(cleaned) > MAX_LENGTH:
        raise InvalidChange("too_long", f"at most {MAX_LENGTH}", f"{MAX_LENGTH}자")
    return cleaned


def add_reason(session: Session, text: str, *, actor: str) -> CannedReason:
    """Add a reason at the end of the list."""
    last = session.scalar(select(func.max(CannedReason.position))) or 0
    reason = CannedReason(text=_text(text), position=last + 1, active=True)
    session.add(reason)
    session.flush()
    record_event(session, "reason-added", actor=actor, message=reason.text)
    return reason


def change_reason(
    session: Session, reason_id: int, *, text: str, active: bool, actor: str
) -> CannedReason:
    """Reword a reason, or take it off (or back onto) the list moderators see.

    :raises NotFound: for an unknown reason.
    """
    reason = session.get(CannedReason, reason_id)
    if reason is None:
        raise NotFound(f"no reason {reason_id}")
    new_text = _text(text)
    if (reason.text, reason.active) == (new_text, active):
        return reason
    detail = {"text": {"old": reason.text, "new": new_text}, "active": active}
    reason.text, reason.active = new_text, active
    record_event(session, "reason-changed", actor=actor, message=new_text, detail=detail)
    return reason


def reason_text(session: Session, written: str, canned_id: str) -> str:
    """Return the reason a moderator gave: what they wrote, else the one they picked."""
    written = clean_text(written, multiline=True)
    if written or not canned_id.isdigit() or len(canned_id) > 9:
        return written
    reason = session.get(CannedReason, int(canned_id))
    return reason.text if reason is not None and reason.active else ""
